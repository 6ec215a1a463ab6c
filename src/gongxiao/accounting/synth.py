"""The accounting centre's part of `gongxiao synth` (see gongxiao.core.synth): one grassroots unit
in ten brought into the centre, each with a set of books on 小企业会计准则, and balanced vouchers
of two lines each over the two years, posted, numbered per book, month and word without gaps.
`rows` counts voucher lines. Written in bulk as drafts, then posted with one UPDATE per batch
(the database checks every voucher's balance as it does for any other posting)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.core.synth import BATCH, SynthContext
from gongxiao.org.models import Unit

from .models import Account, Book, Period, Voucher, VoucherCounter, VoucherLine
from .services import chart

SHARE = 0.002

# (debit, credit, summary): everyday entries of a grassroots co-op.
ENTRIES = [
    ("1002", "5001", "销售农资收入"),
    ("1405", "2202", "购进化肥农药"),
    ("5401", "1405", "结转销售成本"),
    ("2202", "1002", "支付货款"),
    ("5602", "1002", "支付办公费用"),
    ("1002", "1122", "收回货款"),
    ("1122", "5001", "赊销农产品"),
]


def build(ctx: SynthContext, n_lines: int) -> None:
    if n_lines <= 0:
        return
    rng, first, span = ctx.rng, ctx.first, ctx.span
    ground = [u for u in ctx.units if u.kind == Unit.Kind.GRASSROOTS]
    if not ground:
        return
    centre = ground[:: max(1, 10)] or ground[:1]
    books = Book.objects.bulk_create(
        [
            Book(
                unit=u,
                name=f"{u.name}账套",
                standard="small_enterprise",
                start_date=first,
                centre_from=first,
            )
            for u in centre
        ]
    )
    if any(b.pk is None for b in books):
        books = list(Book.objects.filter(unit__in=centre).order_by("pk"))
    accounts = [
        Account(
            book=b,
            code=a["code"],
            name=a["name"],
            category=a["category"],
            direction=a["direction"],
            from_chart=True,
        )
        for b in books
        for a in chart("small_enterprise")["accounts"]
    ]
    Account.objects.bulk_create(accounts, batch_size=BATCH)
    lines = bulk_vouchers(books, n_lines, first, span, rng)
    ctx.result.counts["accounting books"] = len(books)
    ctx.result.counts["voucher lines"] = lines


def bulk_vouchers(books, n_lines: int, first: datetime.date, span: int, rng) -> int:
    """Balanced posted vouchers of two lines each, `n_lines` lines in all, dated from `first`
    over `span` days in the books given (their chart already there), numbered per book, month
    and word without gaps. Also what the trial-balance benchmark builds its year from.
    Returns the number of lines written."""
    acc = {
        (book_id, code): pk
        for book_id, code, pk in Account.objects.filter(book__in=books).values_list(
            "book_id", "code", "pk"
        )
    }
    months = []
    d = first.replace(day=1)
    last = first + datetime.timedelta(days=span)
    while d <= last:
        months.append((d.year, d.month))
        d = (d + datetime.timedelta(days=32)).replace(day=1)
    Period.objects.bulk_create(
        [Period(book=b, year=y, month=m) for b in books for y, m in months], batch_size=BATCH
    )
    period = {
        (b, y, m): pk
        for b, y, m, pk in Period.objects.filter(book__in=books).values_list(
            "book_id", "year", "month", "pk"
        )
    }
    numbers: dict[tuple[int, int, int], int] = {}
    n_vouchers = n_lines // 2
    made = 0
    while made < n_vouchers:
        heads, plan = [], []
        for _i in range(made, min(made + BATCH, n_vouchers)):
            book = books[rng.randrange(len(books))]
            day = first + datetime.timedelta(days=rng.randrange(span + 1))
            key = (book.pk, day.year, day.month)
            numbers[key] = numbers.get(key, 0) + 1
            heads.append(
                Voucher(
                    book=book,
                    word="记",
                    year=day.year,
                    month=day.month,
                    number=numbers[key],
                    date=day,
                    period_id=period[key],
                )
            )
            debit, credit, summary = ENTRIES[rng.randrange(len(ENTRIES))]
            amount = Decimal(rng.randrange(100, 5_000_000)) / 100
            plan.append((book.pk, debit, credit, summary, amount))
        Voucher.objects.bulk_create(heads)
        if any(v.pk is None for v in heads):  # a backend that does not return ids
            raise RuntimeError("synth needs a database that returns the ids of inserted rows")
        lines = []
        for v, (book_id, debit, credit, summary, amount) in zip(heads, plan, strict=True):
            lines.append(
                VoucherLine(
                    voucher=v, account_id=acc[(book_id, debit)], summary=summary, debit=amount
                )
            )
            lines.append(
                VoucherLine(
                    voucher=v, account_id=acc[(book_id, credit)], summary=summary, credit=amount
                )
            )
        VoucherLine.objects.bulk_create(lines, batch_size=BATCH)
        Voucher.objects.filter(pk__in=[v.pk for v in heads]).update(status="posted")
        made += len(heads)
    VoucherCounter.objects.bulk_create(
        [
            VoucherCounter(book_id=b, year=y, month=m, word="记", last=n)
            for (b, y, m), n in numbers.items()
        ],
        batch_size=BATCH,
    )
    return n_vouchers * 2
