"""Figures of the accounting centre, computed from the books. Seed 004: "目前共有2家基层单位实现
集中核算" and the plan "至少6家基层单位实现集中核算": the units in the centre at the end of the
period; the vouchers posted; income, expenses and surplus of the period; assets and liabilities
at its end (posted vouchers only, the carry-forward of profit and loss left out of income and
expenses)."""

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, register_metric

from . import models as m

MONEY = DecimalField(max_digits=18, decimal_places=2)


def _under(qs, field, unit):
    return qs.filter(**{f"{field}__path__startswith": unit.path}) if unit is not None else qs


def _books_in_centre(user, unit, period):
    day = period.end
    qs = m.Book.objects.visible_to(user).filter(centre_from__lte=day)
    qs = qs.filter(Q(centre_until__isnull=True) | Q(centre_until__gt=day))
    return _under(qs, "unit", unit)


def _metric(**fields):
    # Untyped on purpose: the labels are lazy translations, read when shown.
    register_metric(Metric(**fields))


def _units(rows, *args):
    return rows.order_by().values("unit").distinct().count()


_metric(
    key="accounting.units.in_centre",
    label=_("Units in centralised accounting"),
    measure="家",
    module="accounting",
    rows=_books_in_centre,
    value=_units,
    ledger="accounting.books",
    link=lambda unit, period: {"centre_from__lte": period.end.isoformat()},
    description=_("Units whose books are kept by the accounting centre at the period's end."),
)


def _vouchers_posted(user, unit, period):
    qs = m.Voucher.objects.visible_to(user).filter(
        status=m.Voucher.Status.POSTED, date__gte=period.start, date__lte=period.end
    )
    return _under(qs, "book__unit", unit)


_metric(
    key="accounting.vouchers.posted",
    label=_("Vouchers posted"),
    measure="张",
    module="accounting",
    rows=_vouchers_posted,
    ledger="accounting.vouchers",
    link=lambda unit, period: {
        "status": "posted",
        "date__gte": period.start.isoformat(),
        "date__lte": period.end.isoformat(),
    },
    unit_field="book__unit",
    dimensions={"unit": "book__unit"},
)


def _lines(*, category, direction=None, cumulative=False):
    def rows(user, unit, period):
        qs = m.VoucherLine.objects.visible_to(user).filter(
            voucher__status=m.Voucher.Status.POSTED,
            voucher__date__lte=period.end,
            account__category=category,
        )
        if not cumulative:
            qs = qs.filter(voucher__date__gte=period.start, voucher__carry_forward=False)
        if direction:
            qs = qs.filter(account__direction=direction)
        return _under(qs, "voucher__book__unit", unit)

    return rows


def _link(*, category, direction=None, cumulative=False):
    def link(unit, period):
        out = {
            "voucher__status": "posted",
            "account__category": category,
            "voucher__date__lte": period.end.isoformat(),
        }
        if not cumulative:
            out["voucher__date__gte"] = period.start.isoformat()
        if direction:
            out["account__direction"] = direction
        return out

    return link


DEBIT_MINUS_CREDIT = ExpressionWrapper(F("debit") - F("credit"), output_field=MONEY)
CREDIT_MINUS_DEBIT = ExpressionWrapper(F("credit") - F("debit"), output_field=MONEY)

for key, label, spec, expr in (
    (
        "accounting.income",
        _("Income"),
        {"category": "profit", "direction": "credit"},
        CREDIT_MINUS_DEBIT,
    ),
    (
        "accounting.expenses",
        _("Expenses"),
        {"category": "profit", "direction": "debit"},
        DEBIT_MINUS_CREDIT,
    ),
    ("accounting.surplus", _("Surplus"), {"category": "profit"}, CREDIT_MINUS_DEBIT),
    (
        "accounting.assets",
        _("Assets at the period's end"),
        {"category": "asset", "cumulative": True},
        DEBIT_MINUS_CREDIT,
    ),
    (
        "accounting.liabilities",
        _("Liabilities at the period's end"),
        {"category": "liability", "cumulative": True},
        CREDIT_MINUS_DEBIT,
    ),
):
    _metric(
        key=key,
        label=label,
        measure="元",
        module="accounting",
        rows=_lines(**spec),
        aggregate=Sum(expr),
        ledger="accounting.lines",
        link=_link(**spec),
        unit_field="voucher__book__unit",
        dimensions={"unit": "voucher__book__unit"},
    )
