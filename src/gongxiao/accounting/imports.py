"""Imports of the accounting centre, through the kit's importer mechanism (Ledger.importers; the
file read by the guarded reader, excel.read_sheet): vouchers in the single-sheet layout common
accounting software exports, and opening balances (期初余额) from an Excel trial balance.

Both go into one set of books, named in the importer's key ("vouchers@<book id>"); both are
all-or-nothing (the kit runs the commit in one transaction, and checks the file again first),
with a Chinese message per row."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongxiao.core.excel import ImportCheck, ImportRefused, read_sheet

from . import services
from .models import ZERO, Account, Book, Dimension, Voucher, VoucherCounter, VoucherLine

VOUCHER_COLUMNS = [
    "凭证字号",
    "日期",
    "摘要",
    "科目编码",
    "科目名称",
    "借方金额",
    "贷方金额",
    "辅助项",
]
OPENING_COLUMNS = ["科目编码", "科目名称", "期初借方", "期初贷方"]
# Other headers the exports use for the same column.
ALIASES = {
    "凭证字号码": "凭证字号",
    "凭证日期": "日期",
    "制单日期": "日期",
    "记账日期": "日期",
    "科目代码": "科目编码",
    "科目编号": "科目编码",
    "借方": "借方金额",
    "借方本币": "借方金额",
    "贷方": "贷方金额",
    "贷方本币": "贷方金额",
    "辅助核算": "辅助项",
    "核算项目": "辅助项",
    "期初余额借方": "期初借方",
    "期初借方余额": "期初借方",
    "年初借方": "期初借方",
    "期初余额贷方": "期初贷方",
    "期初贷方余额": "期初贷方",
    "年初贷方": "期初贷方",
}
WORDS = "记收付转"
NUMBER_RE = re.compile(rf"^\s*([{WORDS}])\s*字?\s*第?\s*[-－—_#\s]?\s*0*(\d+)\s*号?\s*$")
DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
DIM_KINDS = {
    "往来单位": Dimension.Kind.PARTNER,
    "往来": Dimension.Kind.PARTNER,
    "客户": Dimension.Kind.PARTNER,
    "供应商": Dimension.Kind.PARTNER,
    "部门": Dimension.Kind.DEPARTMENT,
    "项目": Dimension.Kind.PROJECT,
}
DIM_FIELD = {
    Dimension.Kind.PARTNER: "partner",
    Dimension.Kind.DEPARTMENT: "department",
    Dimension.Kind.PROJECT: "project",
}


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def amount(value) -> Decimal:
    """A cell's amount in yuan (empty: zero); ValueError when it is no amount of two places."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    if isinstance(value, bool):
        raise ValueError
    raw = repr(value) if isinstance(value, float) else str(value)
    raw = raw.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").strip()
    try:
        d = Decimal(raw)
    except InvalidOperation:
        raise ValueError from None
    if not d.is_finite() or d != d.quantize(services.CENT):
        raise ValueError
    return d.quantize(services.CENT)


def day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and 20000 <= value <= 80000 and float(value).is_integer():
        # An Excel day number whose cell lost its date format.
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    m = DATE_RE.match(text(value))
    if m:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError


def _header(rows, wanted: str) -> tuple[int, dict[str, int]] | None:
    """The header row (within the first ten, under a title row or two) and its columns."""
    for i, row in enumerate(rows[:10]):
        names = [ALIASES.get(text(c), text(c)) for c in row]
        if wanted in names:
            return i, {n: j for j, n in enumerate(names) if n}
    return None


class BookImporter:
    """The shared part: the book of the key, re-checked in the user's reach at every run."""

    name = ""
    required: list[str] = []

    def __init__(self, ledger, book_id: int):
        self.ledger = ledger
        self.book_id = book_id

    def _book(self, user) -> Book | None:
        return Book.objects.permitted(user, "import").filter(pk=self.book_id).first()

    def _read(self, data: bytes, result: ImportCheck, first_column: str):
        try:
            sheet = read_sheet(data)
        except ValueError as exc:
            result.file_errors.append(str(exc))
            return None
        found = _header(sheet.rows, first_column) or (
            _header(sheet.rows, "凭证字") if first_column == "凭证字号" else None
        )
        if found is None:
            result.file_errors.append(
                _(
                    "No header row with “%(col)s” in the first ten rows; use the layout of the "
                    "template."
                )
                % {"col": first_column}
            )
            return None
        at, columns = found
        if "凭证字号" not in columns and {"凭证字", "凭证号"} <= set(columns):
            columns["凭证字号"] = -1  # the word and the number in two columns
        missing = [c for c in self.required if c not in columns]
        if missing:
            result.file_errors.append(
                _("Missing columns: %(cols)s.") % {"cols": "、".join(missing)}
            )
            return None
        result.headers = [text(c) for c in sheet.rows[at]]
        return at, columns, sheet.rows


class VoucherImporter(BookImporter):
    """记账凭证 from the one-sheet layout of the usual accounting software: one line a row, the
    lines of a voucher grouped by 凭证字号 and 日期. The vouchers enter as drafts with the
    numbers they carry, which continue the book's without a gap; they are then submitted,
    reviewed and posted like any other."""

    name = "vouchers"
    required = ["凭证字号", "日期", "摘要", "科目编码", "借方金额", "贷方金额"]

    def check(self, data: bytes, user, *, progress=None) -> ImportCheck:
        result = ImportCheck()
        book = self._book(user)
        if book is None:
            result.file_errors.append(_("You may not import into this set of books."))
            return result
        read = self._read(data, result, "凭证字号")
        if read is None:
            return result
        at, columns, rows = read
        accounts = {a.code: a for a in Account.objects.filter(book=book)}
        dims = list(Dimension.objects.filter(book=book))
        groups: dict[tuple, dict] = {}
        by_number: dict[tuple, tuple] = {}
        for index, row in enumerate(rows[at + 1 :], start=at + 2):

            def cell(name, row=row):
                j = columns.get(name)
                if j == -1:
                    return text(cell("凭证字")) + "-" + text(cell("凭证号"))
                return row[j] if j is not None and j < len(row) else None

            if not any(text(c) for c in row):
                continue
            if text(cell("凭证字号")) in ("合计", "总计") or text(cell("摘要")) in ("合计", "总计"):
                continue
            result.total += 1
            if len(result.preview) < 20:
                result.preview.append([text(c) for c in row[: len(result.headers)]])
            errs: list[dict] = []

            def err(column, message, errs=errs, index=index):
                errs.append({"row": index, "column": column, "message": message})

            m = NUMBER_RE.match(text(cell("凭证字号")))
            if not m:
                err(
                    "凭证字号",
                    _("“%(v)s” is not a voucher number; write e.g. 记-12 or 记字第12号.")
                    % {"v": text(cell("凭证字号"))},
                )
            try:
                on = day(cell("日期"))
            except ValueError:
                on = None
                err(
                    "日期",
                    _("“%(v)s” is not a date; write e.g. 2024-03-15") % {"v": text(cell("日期"))},
                )
            code = text(cell("科目编码"))
            account = accounts.get(code)
            if account is None:
                err("科目编码", _("No account %(code)s in these books.") % {"code": code or "—"})
            elif not account.is_leaf:
                err(
                    "科目编码",
                    _(
                        "Account %(account)s has sub-accounts; post to one of them (leaf accounts "
                        "only)."
                    )
                    % {"account": account},
                )
            debit = credit = ZERO
            for column in ("借方金额", "贷方金额"):
                try:
                    value = amount(cell(column))
                except ValueError:
                    err(
                        column,
                        _("“%(v)s” is not an amount in yuan with two decimal places.")
                        % {"v": text(cell(column))},
                    )
                    continue
                if column == "借方金额":
                    debit = value
                else:
                    credit = value
            line = VoucherLine(summary=text(cell("摘要"))[:200], debit=debit, credit=credit)
            if not line.summary:
                err("摘要", _("This field is required."))
            for kind, dim in self._dimensions(text(cell("辅助项")), dims, err):
                setattr(line, DIM_FIELD[kind], dim)
            if account is not None and account.is_leaf:
                line.account = account
                line.voucher = Voucher(book=book)
                try:
                    services._check_line(line)
                except ValidationError as exc:
                    for field, messages in exc.message_dict.items():
                        column = {"debit": "借方金额", "credit": "贷方金额"}.get(field, "辅助项")
                        for message in messages:
                            err(column, message)
            result.errors.extend(errs)
            if m is None or on is None:
                continue
            word, number = m[1], int(m[2])
            key = (word, number, on)
            month_key = (word, on.year, on.month, number)
            if month_key in by_number and by_number[month_key] != key:
                result.errors.append(
                    {
                        "row": index,
                        "column": "凭证字号",
                        "message": _(
                            "Voucher %(w)s-%(n)s of %(y)s-%(m)02d appears with two dates in the "
                            "file "
                            "(rows %(first)s and %(row)s): a duplicate number."
                        )
                        % {
                            "w": word,
                            "n": number,
                            "y": on.year,
                            "m": on.month,
                            "first": groups[by_number[month_key]]["rows"][0],
                            "row": index,
                        },
                    }
                )
                continue
            by_number[month_key] = key
            g = groups.setdefault(key, {"rows": [], "lines": [], "ok": True})
            g["rows"].append(index)
            g["lines"].append(line)
            g["ok"] = g["ok"] and not errs
            if progress and result.total % 200 == 0:
                progress(result.total, len(rows))
        if result.total == 0:
            result.file_errors.append(_("The file has headers but no rows."))
            return result
        self._check_vouchers(book, groups, result)
        result.errors.sort(key=lambda e: e["row"])
        if not result.errors and not result.file_errors:
            result.objects = [
                {"word": w, "number": n, "date": on, "lines": g["lines"], "row": g["rows"][0]}
                for (w, n, on), g in sorted(
                    groups.items(),
                    key=lambda kv: (kv[0][2].year, kv[0][2].month, kv[0][0], kv[0][1]),
                )
            ]
        return result

    def _dimensions(self, value: str, dims, err):
        """辅助项 such as “往来单位:001 张三农资店；部门:财务部”: each item by code or name, of the
        kind its prefix names (or the one item of that code or name in the book)."""
        out = []
        for part in re.split(r"[;；|/\n]+", value or ""):
            part = part.strip()
            if not part:
                continue
            kind = None
            prefix, sep, rest = part.replace("：", ":").partition(":")
            if sep:
                kind = DIM_KINDS.get(prefix.strip())
                if kind is None:
                    err(
                        "辅助项",
                        _("“%(v)s” is not a kind of dimension (往来单位, 部门, 项目).")
                        % {"v": prefix.strip()},
                    )
                    continue
                part = rest.strip()
            keys = {part, *part.split()}
            found = [
                d
                for d in dims
                if (kind is None or d.kind == kind)
                and (d.code in keys or d.name in keys or f"{d.code} {d.name}" == part)
            ]
            if len(found) != 1:
                err(
                    "辅助项",
                    _("No single dimension “%(v)s” in these books; add it to the dimensions first.")
                    % {"v": part}
                    if not found
                    else _("“%(v)s” names several dimensions; write its kind, e.g. 部门:%(v)s.")
                    % {"v": part},
                )
                continue
            out.append((found[0].kind, found[0]))
        return out

    def _check_vouchers(self, book: Book, groups: dict, result: ImportCheck) -> None:
        """Per voucher: balanced, two lines at least, not before the books, not in a closed
        period; per month and word: numbers that continue the book's, none taken already."""
        closed = {(p.year, p.month) for p in book.periods.filter(status="closed")}
        last = {(c.year, c.month, c.word): c.last for c in VoucherCounter.objects.filter(book=book)}
        taken = set(
            Voucher.objects.filter(book=book).values_list("year", "month", "word", "number")
        )
        series: dict[tuple, list[tuple[int, int]]] = {}

        def err(row, message, column="凭证字号"):
            result.errors.append({"row": row, "column": column, "message": message})

        for (word, number, on), g in groups.items():
            first = g["rows"][0]
            name = f"{word}-{number}（{on}）"
            if on < book.start_date:
                err(
                    first,
                    _("Voucher %(v)s: the books start on %(d)s; no voucher can be dated before.")
                    % {"v": name, "d": book.start_date},
                    "日期",
                )
            elif (on.year, on.month) in closed:
                err(
                    first,
                    _(
                        "Voucher %(v)s: the period %(y)s-%(m)02d is closed; nothing can be "
                        "entered into it."
                    )
                    % {"v": name, "y": on.year, "m": on.month},
                    "日期",
                )
            if (on.year, on.month, word, number) in taken:
                err(
                    first,
                    _(
                        "Voucher %(v)s: the number is taken by a voucher already in these books "
                        "(a duplicate number)."
                    )
                    % {"v": name},
                )
            if on >= book.start_date and (on.year, on.month) not in closed:
                series.setdefault((on.year, on.month, word), []).append((number, first))
            if not g["ok"]:
                continue
            debit = sum((line.debit for line in g["lines"]), ZERO)
            credit = sum((line.credit for line in g["lines"]), ZERO)
            if len(g["lines"]) < 2:
                err(
                    first,
                    _("Voucher %(v)s has one line; a voucher has two lines at least.")
                    % {"v": name},
                )
            elif debit != credit:
                err(
                    first,
                    _(
                        "Voucher %(v)s is not balanced: debit %(d)s, credit %(c)s, a difference "
                        "of %(x)s."
                    )
                    % {"v": name, "d": debit, "c": credit, "x": debit - credit},
                    "借方金额",
                )
            elif debit == 0:
                err(first, _("Voucher %(v)s adds up to zero.") % {"v": name}, "借方金额")
        for (y, m, word), numbers in series.items():
            numbers.sort()
            expected = last.get((y, m, word), 0) + 1
            for number, row in numbers:
                if number < expected:
                    continue  # taken: said above
                if number != expected:
                    err(
                        row,
                        _(
                            "Voucher %(w)s-%(n)s of %(y)s-%(m)02d leaves a gap: the next number "
                            "in these books is %(e)s."
                        )
                        % {"w": word, "n": number, "y": y, "m": m, "e": expected},
                    )
                expected = number + 1

    def commit(self, check: ImportCheck, user) -> int:
        """Enter every voucher of the file, in number order, through the voucher service (the
        number each takes must be the one it carries: a voucher entered meanwhile refuses the
        whole file)."""
        book = self._book(user)
        if book is None:
            raise ImportRefused(_("You may not import into this set of books."))
        for v in check.objects:
            voucher = services.create_voucher(
                voucher=Voucher(book=book, word=v["word"], date=v["date"]),
                user=user,
                source="import",
            )
            if voucher.number != v["number"]:
                raise ImportRefused(
                    _(
                        "Row %(row)s: voucher %(w)s-%(n)s would be numbered %(got)s: a voucher "
                        "was entered meanwhile; check the file again."
                    )
                    % {"row": v["row"], "w": v["word"], "n": v["number"], "got": voucher.number}
                )
            for line in v["lines"]:
                line.voucher = voucher
                services.add_line(line=line, user=user, source="import")
        return len(check.objects)


class OpeningImporter(BookImporter):
    """期初余额 from an Excel trial balance (科目余额表): a row per account with its opening debit
    or credit. Rows of accounts with sub-accounts are totals: checked against the sub-accounts'
    rows when the file has them, never kept. Refused when debits and credits differ."""

    name = "openings"
    required = ["科目编码", "期初借方", "期初贷方"]

    def check(self, data: bytes, user, *, progress=None) -> ImportCheck:
        result = ImportCheck()
        book = self._book(user)
        if book is None:
            result.file_errors.append(_("You may not import into this set of books."))
            return result
        try:
            services.check_openings(book)
        except services.AccountingRefused as exc:
            result.file_errors.append(str(exc))
            return result
        read = self._read(data, result, "科目编码")
        if read is None:
            return result
        at, columns, rows = read
        accounts = {a.code: a for a in Account.objects.filter(book=book)}
        leaves: dict[str, tuple] = {}
        parents: dict[str, tuple] = {}
        seen: dict[str, int] = {}
        for index, row in enumerate(rows[at + 1 :], start=at + 2):

            def cell(name, row=row):
                j = columns.get(name)
                return row[j] if j is not None and j < len(row) else None

            code = text(cell("科目编码"))
            if not any(text(c) for c in row) or not code or code in ("合计", "总计"):
                continue
            result.total += 1
            if len(result.preview) < 20:
                result.preview.append([text(c) for c in row[: len(result.headers)]])

            def err(column, message, index=index):
                result.errors.append({"row": index, "column": column, "message": message})

            account = accounts.get(code)
            if account is None:
                err("科目编码", _("No account %(code)s in these books.") % {"code": code})
                continue
            if code in seen:
                err(
                    "科目编码",
                    _("Account %(code)s is also on row %(row)s.")
                    % {"code": code, "row": seen[code]},
                )
                continue
            seen[code] = index
            values: list[Decimal | None] = []
            for column in ("期初借方", "期初贷方"):
                try:
                    values.append(amount(cell(column)))
                except ValueError:
                    err(
                        column,
                        _("“%(v)s” is not an amount in yuan with two decimal places.")
                        % {"v": text(cell(column))},
                    )
                    values.append(None)
            if None in values:
                continue
            (leaves if account.is_leaf else parents)[code] = (account, values[0], values[1], index)
        # A parent's row is the total of its sub-accounts' rows, when the file gives them.
        for code, (account, d, c, index) in parents.items():
            under = [v for k, v in leaves.items() if k.startswith(code)]
            if not under:
                result.errors.append(
                    {
                        "row": index,
                        "column": "科目编码",
                        "message": _(
                            "Account %(account)s has sub-accounts; give the balances of its "
                            "sub-accounts."
                        )
                        % {"account": account},
                    }
                )
                continue
            net = sum((v[1] - v[2] for v in under), ZERO)
            if net != d - c:
                result.errors.append(
                    {
                        "row": index,
                        "column": "期初借方",
                        "message": _(
                            "Account %(account)s: %(x)s is not the total of its sub-accounts' "
                            "rows (%(y)s)."
                        )
                        % {"account": account, "x": d - c, "y": net},
                    }
                )
        total_d = sum((v[1] for v in leaves.values()), ZERO)
        total_c = sum((v[2] for v in leaves.values()), ZERO)
        if total_d != total_c:
            result.file_errors.append(
                _(
                    "Opening debits %(d)s and credits %(c)s differ by %(x)s: the opening trial "
                    "balance is not in balance; nothing is imported."
                )
                % {"d": total_d, "c": total_c, "x": total_d - total_c}
            )
        if result.total == 0:
            result.file_errors.append(_("The file has headers but no rows."))
        result.errors.sort(key=lambda e: e["row"])
        if not result.errors and not result.file_errors:
            result.objects = [(a, d, c) for a, d, c, _i in leaves.values()]
        return result

    def commit(self, check: ImportCheck, user) -> int:
        book = self._book(user)
        if book is None:
            raise ImportRefused(_("You may not import into this set of books."))
        try:
            return services.set_opening_balances(book=book, balances=check.objects, user=user)
        except services.AccountingRefused as exc:
            raise ImportRefused(str(exc)) from exc


IMPORTERS = {VoucherImporter.name: VoucherImporter, OpeningImporter.name: OpeningImporter}


def key(importer: str, book: Book) -> str:
    return f"{importer}@{book.pk}"


class BookImporters(dict):
    """The ledgers' `importers`: a key "vouchers@12" gives the voucher importer of book 12."""

    def __init__(self, *names: str):
        super().__init__()
        self.names = names

    def __missing__(self, item: str):
        name, _sep, pk = item.partition("@")
        if name not in self.names or not pk.isdigit():
            raise KeyError(item)
        cls = IMPORTERS[name]
        return lambda ledger: cls(ledger, int(pk))
