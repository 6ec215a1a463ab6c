"""Excel in and out: templates, exports of a filtered list, and the checking of import files.

Reading uses python-calamine (fast, no formulas evaluated) in a child process that checks the file
first (core/xlsx_guard.py), writing XlsxWriter in constant-memory
mode so an export of a large list does not hold it all in memory.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gongxiao.core import scoping, xlsx, xlsx_guard

MAX_IMPORT_ROWS = 200_000
REQUIRED_MARK = "*"

TRUE_WORDS = {"是", "有", "√", "✓", "y", "yes", "true", "1", "对", "t"}
FALSE_WORDS = {"否", "无", "×", "n", "no", "false", "0", "f", ""}


def header_label(ledger, name: str) -> str:
    return ledger.label(name)


# --- writing ----------------------------------------------------------------------------------


def write_workbook(
    ledger,
    rows: Iterable,
    user,
    fields: list[str],
    *,
    target,
    total: int = 0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `rows` (model instances) to an .xlsx at `target` (a path or a binary stream), with
    Chinese headers. Returns the number of rows written."""
    wb = xlsx.workbook(
        target,
        {
            "constant_memory": True,
            "in_memory": False,
            "default_date_format": "yyyy-mm-dd",
            "remove_timezone": True,
        },
    )
    ws = wb.add_worksheet(str(ledger.verbose_name_plural)[:31])
    n = write_rows(wb, ws, ledger, rows, user, fields, progress=progress)
    wb.close()
    return n


def write_rows(
    wb, ws, ledger, rows, user, fields, *, first_row=0, progress=None, as_of=None
) -> int:
    """Write a header and `rows` into worksheet `ws` from `first_row` on; returns the count.
    With `as_of` (a date), each row shows the values it had at the end of that day."""
    head = wb.add_format({"bold": True, "bg_color": "#E7EEF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    xlsx.write_row(ws, first_row, 0, [header_label(ledger, f) for f in fields], head)
    n = 0
    for n, obj in enumerate(rows, start=1):
        r = first_row + n
        then = ledger.values_as_of(obj, as_of) if as_of else {}
        for col, name in enumerate(fields):
            if name in then:
                value = then[name]
            else:
                value = ledger.display_value(obj, name, user, for_export=True)
            if isinstance(value, datetime.datetime):
                xlsx.write_cell(ws, r, col, value, dt_fmt)
            elif isinstance(value, datetime.date):
                xlsx.write_cell(ws, r, col, value, date_fmt)
            else:
                xlsx.write_cell(ws, r, col, value)
        if progress and n % 500 == 0:
            progress(n)
    xlsx.finish_sheet(
        ws,
        header_rows=first_row + 1,
        repeat_from=first_row,
        columns=len(fields),
        min_width=8,
        max_width=40,
    )
    if n:
        ws.autofilter(first_row, 0, first_row + n, len(fields) - 1)
    return n


def template_bytes(ledger) -> bytes:
    """An empty workbook with the import headers (required ones marked *) and a sheet that says
    what each column takes."""
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(str(ledger.verbose_name_plural)[:31])
    notes = wb.add_worksheet(_("Instructions"))
    head = wb.add_format({"bold": True, "bg_color": "#E7EEF7", "border": 1})
    bold = wb.add_format({"bold": True})
    xlsx.write_row(notes, 0, 0, [_("Column"), _("Required"), _("What to enter")], bold)
    for col, name in enumerate(ledger.import_field_names):
        f = ledger.field(name)
        required = _is_required(f)
        label = header_label(ledger, name) + (REQUIRED_MARK if required else "")
        xlsx.write_cell(ws, 0, col, label, head)
        ws.set_column(col, col, max(12, len(label) * 2 + 4))
        xlsx.write_row(
            notes,
            col + 1,
            0,
            [header_label(ledger, name), _("Yes") if required else _("No"), _describe(f)],
        )
    notes.set_column(0, 0, 18)
    notes.set_column(2, 2, 70)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def _is_required(f: models.Field) -> bool:
    if isinstance(f, models.BooleanField):
        return False
    return not f.blank and not f.has_default()


def _describe(f: models.Field) -> str:
    if f.choices:
        return _("One of: %(values)s") % {
            "values": "、".join(str(label) for _v, label in f.flatchoices)
        }
    if isinstance(f, models.BooleanField):
        return _("是 or 否")
    if isinstance(f, models.DateField):
        return _("A date, e.g. 2023-04-13 or 2023年4月13日")
    if f.is_relation:
        return _("The name or code of the %(what)s") % {"what": f.related_model._meta.verbose_name}
    if isinstance(f, (models.DecimalField, models.FloatField, models.IntegerField)):
        return _("A number")
    return str(f.help_text or "") or _("Text")


# --- reading ----------------------------------------------------------------------------------


@dataclass
class ImportCheck:
    """The outcome of checking a file: the rows ready to insert, or the errors that stop it."""

    total: int = 0
    errors: list[dict] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    objects: list = field(default_factory=list)
    # Rows of the file that are rows already kept (the same natural key): each an object with
    # the file's values and `_existing_pk`, and for the preview {row, pk, version, label}.
    matched: list = field(default_factory=list)
    existing: list[dict] = field(default_factory=list)
    # Columns of the export that an import does not read (a re-imported export): left aside.
    ignored_columns: list[str] = field(default_factory=list)
    updated: int = 0  # rows already kept that a commit updated

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and self.total > 0

    def as_result(self, limit: int = 500) -> dict:
        return {
            "total": self.total,
            "error_count": len(self.errors),
            "errors": self.errors[:limit],
            "file_errors": self.file_errors,
            "preview": self.preview,
            "headers": self.headers,
            "new_count": len(self.objects),
            "existing_count": len(self.existing),
            "existing": self.existing[:limit],
            # Every matched row's version when checked: an update at commit refuses a row
            # changed since (the same optimistic lock as the edit form).
            "existing_versions": {str(e["pk"]): e["version"] for e in self.existing},
            "ignored_columns": self.ignored_columns,
        }


# The reader runs in a child process (core/xlsx_guard.py) that streams the file's parts before
# the Excel library sees them; these bound what it accepts and what it may use.
MAX_IMPORT_COLUMNS = 200
# Rows x columns of the block the library holds (200,000 rows of 15 columns). Measured at 4
# million cells: the child's peak 312 MB (numbers) to 421 MB (short text), and this process holds
# the rows it returns (~90 bytes a cell); 3 million leaves a margin under 500 MB for both.
MAX_IMPORT_CELLS = 3_000_000
MAX_IMPORT_SHEETS = 50
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
READER_MEMORY_BYTES = 512 * 1024 * 1024  # the child's address space (RLIMIT_AS)
READER_TIMEOUT_SECONDS = 300
# "module:function" of another reader for the child (tests use it to crash one on purpose).
READER: str | None = None


@dataclass
class SheetData:
    rows: list[list]
    merged: list[str] = field(default_factory=list)
    merged_count: int = 0
    peak_kb: int = 0  # the child reader's peak resident memory


# The peak memory of the last child reader, for the tests and the measurements in docs.
last_read: dict = {}


def _reader_limits() -> dict:
    return {
        "rows": MAX_IMPORT_ROWS + 1,
        "columns": MAX_IMPORT_COLUMNS,
        "cells": MAX_IMPORT_CELLS,
        "sheets": MAX_IMPORT_SHEETS,
        "unpacked": MAX_UNPACKED_BYTES,
        "memory": READER_MEMORY_BYTES,
    }


def _refusal(code: str, p: dict) -> str:
    """The Chinese sentence for a refusal the child reader reports."""
    if code == "rows":
        return _(
            "The first sheet has cells down to row %(row)s (cell %(cell)s); a file may hold at "
            "most %(n)s rows. Delete the rows below the data or split the file."
        ) % {"row": p.get("row"), "cell": p.get("cell"), "n": MAX_IMPORT_ROWS}
    if code == "columns":
        return _(
            "The first sheet has cells up to column %(col)s (cell %(cell)s); an import file may "
            "have at most %(n)s columns. Delete the columns right of the data."
        ) % {"col": p.get("col"), "cell": p.get("cell"), "n": MAX_IMPORT_COLUMNS}
    if code == "cells":
        return _(
            "The first sheet spans %(rows)s rows by %(cols)s columns (to cell %(cell)s), more "
            "than one import may read (%(n)s cells); split it into several files."
        ) % {**p, "n": MAX_IMPORT_CELLS}
    if code == "formula":
        cells = "、".join(f"{c}（={f}）" for c, f in p.get("examples", []))
        return _(
            "%(n)s cells hold formulas, which an import does not read: %(cells)s. Copy the "
            "sheet, paste it as values only, and upload it again."
        ) % {"n": p.get("count"), "cells": cells}
    if code == "sheets":
        return _(
            "The workbook has %(n)s sheets; an import file may have at most %(max)s. Keep the "
            "rows in the first sheet and delete the others."
        ) % {"n": p.get("n"), "max": p.get("max")}
    if code == "unpacked":
        return _(
            "The file unpacks to more than %(mb)s MB or is packed far more tightly than any "
            "spreadsheet (a “zip bomb”); it was refused."
        ) % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
    if code == "dtd":
        return _(
            "The file contains an XML document type declaration, which Excel never writes; it "
            "was refused for safety."
        )
    if code == "encrypted":
        return _("The file is protected by a password; remove the password and upload it again.")
    if code == "memory":
        return _(
            "Reading the file needs more memory than an import may use; nothing was imported. "
            "Split it into several files."
        )
    if code == "timeout":
        return _(
            "Reading the file took longer than %(s)s seconds; nothing was imported. Split it "
            "into several files."
        ) % {"s": READER_TIMEOUT_SECONDS}
    if code == "crashed":
        return _(
            "The reader stopped while reading the file (it may be damaged or too large); "
            "nothing was imported. Save it again from Excel or split it, then upload it again."
        )
    return _("The file could not be read as an Excel workbook (.xlsx or .xls).")


class ReadRefused(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def read_sheet(data: bytes) -> SheetData:
    """The first sheet's rows, read by a child process that checks the file first (see
    core/xlsx_guard.py): a hostile or broken file costs that child, never this process.
    Raises ReadRefused (a ValueError) with the Chinese reason."""
    src = str(Path(xlsx_guard.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    with tempfile.NamedTemporaryFile(suffix=".upload") as tmp:
        Path(tmp.name).write_bytes(data)  # the upload, for the child to read
        argv = [sys.executable, "-P", "-m", "gongxiao.core.xlsx_guard", tmp.name]
        argv.append(json.dumps(_reader_limits()))
        if READER:
            argv.append(READER)
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            proc.kill()

        timer = threading.Timer(READER_TIMEOUT_SECONDS, kill)
        timer.start()
        head, rows, error, ended, child_peak = None, [], None, False, 0
        try:
            for line in proc.stdout:
                item = json.loads(line, object_hook=xlsx_guard.decode)
                if isinstance(item, list):
                    rows.append(item)
                elif head is None and "ok" in item:
                    head = item
                elif "error" in item:
                    error = item
                    child_peak = item.pop("peak_kb", 0)
                elif item.get("end"):
                    ended = True
                    child_peak = item.get("peak_kb", 0)
        except ValueError:
            error = {"error": "crashed"}
        finally:
            proc.stdout.close()
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            timer.cancel()
    # The child's own peak (VmHWM); when it died before saying, what the kernel counted for it
    # (an upper bound: that includes this process's memory it was forked from).
    peak_kb = child_peak or usage.ru_maxrss
    last_read.clear()
    last_read.update(peak_kb=peak_kb, returncode=proc.returncode)
    if timed_out.is_set():
        error = {"error": "timeout"}
    elif error is None and not ended:
        error = {"error": "crashed"}
    if error is not None:
        code = str(error.pop("error"))
        last_read["refused"] = code
        raise ReadRefused(code, _refusal(code, error))
    return SheetData(
        rows=rows,
        merged=head.get("merged", []),
        merged_count=head.get("merged_count", 0),
        peak_kb=peak_kb,
    )


def read_rows(data: bytes) -> list[list]:
    return read_sheet(data).rows


_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _coerce(f: models.Field, value, lookups: dict):
    """Turn a cell into what the form field expects; None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if f.many_to_many:
            return []
        if f.has_default() and not isinstance(f, models.BooleanField):
            # An empty cell of a column the template calls optional takes the usual value.
            return f.get_default()
        return False if isinstance(f, models.BooleanField) else ""
    if isinstance(value, str):
        value = value.strip()
    if isinstance(f, models.BooleanField):
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("write 是 or 否"))
    if f.many_to_many:
        found = []
        for key in re.split(r"[、,，;；\n]+", str(value)):
            key = key.strip()
            if not key:
                continue
            pk = lookups.get(f.name, {}).get(key)
            if pk is None:
                raise ValueError(
                    _("“%(value)s” is not a %(what)s you may record data for")
                    % {"value": key, "what": f.related_model._meta.verbose_name}
                )
            found.append(pk)
        return found
    if f.is_relation:
        key = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        found = lookups.get(f.name, {}).get(key)
        if found is None:
            raise ValueError(
                _("“%(value)s” is not a %(what)s you may record data for")
                % {"value": key, "what": f.related_model._meta.verbose_name}
            )
        return found
    if f.choices:
        choices = lookups.get(f.name, {})
        found = choices.get(str(value))
        if found is None:
            raise ValueError(_("“%(value)s” is not one of the allowed values") % {"value": value})
        return found
    if isinstance(f, models.DateField):
        if isinstance(value, datetime.datetime):
            return value.date() if not isinstance(f, models.DateTimeField) else value
        if isinstance(value, datetime.date):
            return value
        m = _DATE_RE.match(str(value))
        if m:
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
        raise ValueError(_("“%(value)s” is not a date; write e.g. 2023-04-13") % {"value": value})
    if (
        isinstance(value, float)
        and value.is_integer()
        and not isinstance(f, (models.FloatField, models.DecimalField))
    ):
        return str(int(value))
    return value


def _build_lookups(ledger, form) -> dict:
    lookups: dict[str, dict] = {}
    for name in ledger.import_field_names:
        f = ledger.field(name)
        if f.is_relation and name in form.fields:
            table = {}
            for obj in form.fields[name].queryset:
                for key in (
                    getattr(obj, "code", None),
                    getattr(obj, "short_name", None),
                    str(obj),
                    str(obj.pk),
                ):
                    if key:
                        table.setdefault(str(key), obj.pk)
            lookups[name] = table
        elif f.choices:
            table = {}
            for value, label in f.flatchoices:
                table[str(value)] = value
                table[str(label)] = value
            lookups[name] = table
    return lookups


class _KnownChoiceField(forms.Field):
    """A related field whose choices (already scoped to the user) were read once for the whole
    file: each row is checked against them in memory instead of by a query per cell."""

    def __init__(self, original, objects: dict, *, many=False):
        super().__init__(
            required=original.required, label=original.label, help_text=original.help_text
        )
        self.objects = objects
        self.many = many
        self.error_messages = original.error_messages

    def __deepcopy__(self, memo):
        # Each row's form gets its own field, sharing the one table of choices.
        result = copy.copy(self)
        result.widget = copy.copy(self.widget)
        result.error_messages = self.error_messages
        memo[id(self)] = result
        return result

    def to_python(self, value):
        if value in self.empty_values:
            return [] if self.many else None
        values = value if self.many else [value]
        found = []
        for v in values if isinstance(values, (list, tuple)) else [values]:
            obj = self.objects.get(str(getattr(v, "pk", v)))
            if obj is None:
                key = "invalid_choice" if not self.many else "invalid_pk_value"
                raise forms.ValidationError(
                    self.error_messages.get(key) or self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": v, "pk": v},
                )
            found.append(obj)
        return found if self.many else found[0]

    def validate(self, value):
        if self.required and value in ([], None):
            raise forms.ValidationError(self.error_messages["required"], code="required")


def _import_form(ledger, probe, objects: dict | None = None):
    """The ledger's form for import rows: the same fields and validation, with the related
    fields' choices (scoped by `probe`, the user's form) held in memory, and the database
    existence check of those foreign keys left out since the choices came from the database."""
    overrides, related = {}, []
    for name, form_field in probe.fields.items():
        if isinstance(form_field, forms.ModelChoiceField):
            if objects is not None and name in objects:
                known = objects[name]  # read once by the caller
            else:
                known = {str(o.pk): o for o in form_field.queryset}  # type: ignore[union-attr]
            many = isinstance(form_field, forms.ModelMultipleChoiceField)
            overrides[name] = _KnownChoiceField(form_field, known, many=many)
            if not many:
                related.append(name)

    class ImportForm(ledger.form_class):
        base_fields = {**ledger.form_class.base_fields, **overrides}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, user=None, **kwargs)

        def _get_validation_exclusions(self):
            return {*super()._get_validation_exclusions(), *related}

        def validate_unique(self):
            # Checked once the row is known to be new or one already kept (a row already kept
            # does not clash with itself): `_check_unique`.
            self.instance._import_exclude = self._get_validation_exclusions()

        def validate_constraints(self):
            self.instance._import_exclude = self._get_validation_exclusions()

    return ImportForm


def _check_unique(ledger, result: ImportCheck) -> None:
    """The unique fields and constraints of each row, against the rows kept: a new row as
    new, a row already kept as that row (its own values are no clash)."""
    for obj in [*result.objects, *result.matched]:
        exclude: set[str] = getattr(obj, "_import_exclude", set())
        saved_pk, adding = obj.pk, obj._state.adding
        if hasattr(obj, "_existing_pk"):
            obj.pk, obj._state.adding = obj._existing_pk, False
        try:
            obj.validate_unique(exclude=exclude)
            obj.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                column = header_label(ledger, name) if name in ledger.import_field_names else ""
                for m in msgs:
                    result.errors.append({"row": obj._import_row, "column": column, "message": m})
        finally:
            obj.pk, obj._state.adding = saved_pk, adding
    if result.errors:
        result.errors.sort(key=lambda e: e["row"])


def check_import(
    ledger,
    data: bytes,
    user,
    *,
    progress: Callable[[int, int], None] | None = None,
    by_row: bool = False,
) -> ImportCheck:
    """Read and validate every row of an import file; write nothing.

    The file is checked column by column (`_check_by_column`: each column coerced and cleaned
    once per distinct value, the model's own rules per row without a form); a ledger whose form
    adds rules of its own, or has a field that path does not know, is checked row by row
    through its form (`_check_by_row`), as is every ledger with `by_row`. Both give the same
    messages for the same file."""
    result = ImportCheck()
    try:
        sheet = read_sheet(data)
    except ValueError as exc:
        result.file_errors.append(str(exc))
        return result
    rows = sheet.rows
    if sheet.merged_count:
        # A merged cell keeps its value in its first cell only: the others would import blank.
        result.file_errors.append(
            _(
                "The sheet has %(n)s merged cells (%(ranges)s); unmerge them and fill in every "
                "cell, as in the template."
            )
            % {"n": sheet.merged_count, "ranges": "、".join(sheet.merged)}
        )
        return result
    while rows and not any(c not in (None, "") for c in rows[-1]):
        rows.pop()
    if not rows:
        result.file_errors.append(_("The file is empty."))
        return result
    headers = [
        str(h).strip().rstrip(REQUIRED_MARK).strip() if h is not None else "" for h in rows[0]
    ]
    result.headers = headers
    by_label = {}
    for name in ledger.import_field_names:
        by_label[header_label(ledger, name)] = name
        by_label[name] = name
        by_label[str(ledger.field(name).verbose_name)] = name
    export_only = {
        header_label(ledger, n)
        for n in ledger.export_field_names
        if n not in ledger.import_field_names
    }
    columns: dict[int, str] = {}
    unknown = []
    for i, h in enumerate(headers):
        if not h:
            continue
        if h in by_label:
            columns[i] = by_label[h]
        elif h in export_only:
            result.ignored_columns.append(h)
        else:
            unknown.append(h)
    missing = [
        header_label(ledger, n)
        for n in ledger.import_field_names
        if _is_required(ledger.field(n)) and n not in columns.values()
    ]
    if missing:
        result.file_errors.append(
            _("Row 1 lacks the required columns: %(cols)s. Download the template to see them.")
            % {"cols": "、".join(missing)}
        )
    if unknown:
        result.file_errors.append(
            _("Row 1 has columns this ledger does not know: %(cols)s.")
            % {"cols": "、".join(unknown)}
        )
    body = rows[1:]
    if len(body) > MAX_IMPORT_ROWS:
        result.file_errors.append(
            _("A file may hold at most %(n)s rows; split it into several files.")
            % {"n": MAX_IMPORT_ROWS}
        )
    if result.file_errors:
        return result

    probe = ledger.form_class(user=user, action="add")
    plan = None if by_row else _column_plan(ledger, probe)
    if plan is None:
        _check_by_row(ledger, user, probe, body, columns, headers, result, progress)
    else:
        _check_by_column(ledger, user, probe, plan, body, columns, headers, result, progress)
    if result.total == 0:
        result.file_errors.append(_("The file has headers but no rows."))
    elif not result.errors:
        _match_existing(ledger, user, result)
        _check_unique(ledger, result)
    return result


def _check_by_row(ledger, user, probe, body, columns, headers, result, progress) -> None:
    """Each row through the ledger's own form (the reference the column path must match)."""
    row_form = _import_form(ledger, probe)
    add_units = set(scoping.units_for(user, ledger.module, "add").values_list("pk", flat=True))
    absent_defaults = [
        n
        for n in ledger.import_field_names
        if n not in columns.values()
        and ledger.field(n).has_default()
        and not isinstance(ledger.field(n), models.BooleanField)
    ]
    lookups = _build_lookups(ledger, probe)
    unique_fields = _unique_fields(ledger)
    seen: dict[str, dict] = {n: {} for n in unique_fields}
    # Identical rows (the same in every column read) are refused unless the ledger allows them.
    seen_rows: dict[int, int] = {}
    cols_read = sorted(columns)
    total = len(body)
    for index, row in enumerate(body, start=2):
        if not any(c not in (None, "") for c in row):
            continue
        result.total += 1
        # Optional columns left out of the file take their usual value.
        data_in: dict = {n: ledger.field(n).get_default() for n in absent_defaults}
        row_errors = []
        if not ledger.import_allows_duplicates:
            key = hash(tuple(_same(row[c]) if c < len(row) else "" for c in cols_read))
            if key in seen_rows:
                row_errors.append(
                    {
                        "row": index,
                        "column": "",
                        "message": _("the row is the same as row %(row)s of this file")
                        % {"row": seen_rows[key]},
                    }
                )
            else:
                seen_rows[key] = index
        for col, name in columns.items():
            cell = row[col] if col < len(row) else None
            try:
                data_in[name] = _coerce(ledger.field(name), cell, lookups)
            except ValueError as exc:
                row_errors.append(
                    {"row": index, "column": header_label(ledger, name), "message": str(exc)}
                )
        form = row_form(data=data_in, action="add")
        form.user = user
        if not form.is_valid():
            for name, msgs in form.errors.items():
                if any(
                    e["column"] == header_label(ledger, name)
                    for e in row_errors
                    if name != "__all__"
                ):
                    continue  # already explained by the cell-level message
                column = header_label(ledger, name) if name != "__all__" else ""
                for m in msgs:
                    row_errors.append({"row": index, "column": column, "message": m})
        else:
            obj = form.save(commit=False)
            obj._import_m2m = {
                n: form.cleaned_data[n]
                for n in ledger.m2m_names(ledger.import_field_names)
                if n in form.cleaned_data
            }
            # The rules a form alone does not see: the row's unit (through its parent) must be
            # one the user may add to, and the parent must not be locked (a sealed meeting).
            if scoping._unit_id_of(obj) not in add_units:
                row_errors.append(
                    {
                        "row": index,
                        "column": "",
                        "message": _("You may not record data for this unit."),
                    }
                )
            elif reason := ledger.lock_reason(obj):
                row_errors.append({"row": index, "column": "", "message": reason})
            for name in unique_fields:
                value = getattr(obj, name)
                if value in (None, ""):
                    continue
                if value in seen[name]:
                    row_errors.append(
                        {
                            "row": index,
                            "column": header_label(ledger, name),
                            "message": _("the same value is already in row %(row)s of this file")
                            % {"row": seen[name][value]},
                        }
                    )
                else:
                    seen[name][value] = index
            if not row_errors:
                obj._import_row = index
                result.objects.append(obj)
        result.errors.extend(row_errors)
        if len(result.preview) < 20:
            result.preview.append(["" if c is None else str(c) for c in row[: len(headers)]])
        if progress and result.total % 500 == 0:
            progress(index - 1, total)


# --- checking by column -----------------------------------------------------------------------

# The form fields whose `clean` depends on the value alone (so a column is cleaned once per
# distinct value), and the model fields whose `clean` does not read the row it belongs to.
_PURE_FORM_FIELDS = (
    forms.CharField,
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.DateField,
    forms.BooleanField,
    forms.NullBooleanField,
    forms.TypedChoiceField,
    forms.ChoiceField,
    forms.FileField,
    forms.JSONField,
)
_PURE_MODEL_FIELDS = {
    models.CharField,
    models.TextField,
    models.SlugField,
    models.EmailField,
    models.URLField,
    models.DateField,
    models.DecimalField,
    models.FloatField,
    models.BooleanField,
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.JSONField,
}
# The hooks of a form that, overridden, add rules the column path would not apply.
_FORM_HOOKS = ("clean", "_clean_fields", "_clean_form", "_post_clean", "full_clean")


@dataclass
class _ColumnPlan:
    form_names: list[str]  # the form's fields in its order
    model_fields: list  # the model fields the form sets (construct_instance), in model order
    related: list[str]  # single related fields (left out of model validation, as the form)
    checkbox: set[str]


def _column_plan(ledger, probe) -> _ColumnPlan | None:
    """What the column path needs of this ledger's form, or None when the form (or a field)
    may hold a rule that only the form itself applies: then the ledger is checked row by row.
    Decided from the form class and its fields (no query), before any row is read."""
    # Every class of the form above the kit's own (core/forms.py, whose clean() only restores a
    # masked value of a row already kept) must leave the cleaning hooks alone.
    for klass in type(probe).__mro__:
        if klass.__module__ == "gongxiao.core.forms":
            break
        names = set(vars(klass))
        if names & set(_FORM_HOOKS) or any(n.startswith("clean_") for n in names):
            return None
    opts = ledger.model._meta
    fields = set(probe._meta.fields or ())
    model_fields = []
    for f in opts.fields:
        if not f.editable or isinstance(f, models.AutoField) or f.name not in probe.fields:
            continue
        if f.name not in fields:
            continue
        model_fields.append(f)
    related: list[str] = []
    checkbox: set[str] = set()
    for name, form_field in probe.fields.items():
        if form_field.disabled:
            return None
        if isinstance(form_field, forms.ModelChoiceField):
            if not isinstance(form_field, forms.ModelMultipleChoiceField):
                related.append(name)
        elif not isinstance(form_field, _PURE_FORM_FIELDS):
            return None
        if isinstance(form_field.widget, forms.CheckboxInput):
            checkbox.add(name)
    for f in model_fields:
        if f.name in related or f.many_to_many:
            continue
        if isinstance(f, models.FileField):
            if not f.blank:
                return None
            continue
        if type(f) not in _PURE_MODEL_FIELDS or f.generated:
            return None
    return _ColumnPlan(
        form_names=list(probe.fields),
        model_fields=model_fields,
        related=related,
        checkbox=checkbox,
    )


def _lookups_from(ledger, objects: dict) -> dict:
    """`_build_lookups` from the choices the plan already read (one read per file)."""
    lookups: dict[str, dict] = {}
    for name in ledger.import_field_names:
        f = ledger.field(name)
        if f.is_relation and name in objects:
            table: dict = {}
            for obj in objects[name].values():
                for key in (
                    getattr(obj, "code", None),
                    getattr(obj, "short_name", None),
                    str(obj),
                    str(obj.pk),
                ):
                    if key:
                        table.setdefault(str(key), obj.pk)
            lookups[name] = table
        elif f.choices:
            table = {}
            for value, label in f.flatchoices:
                table[str(value)] = value
                table[str(label)] = value
            lookups[name] = table
    return lookups


class _Failed:
    """A cell that did not clean: its ValidationError (or the coercion's message)."""

    __slots__ = ("error",)

    def __init__(self, error):
        self.error = error


_ABSENT = object()  # a value the form's data does not hold (a cell that did not coerce)


def _memo_key(value):
    if isinstance(value, (float, decimal.Decimal)):
        # 1.0 and 1.00, 0.0 and -0.0 are equal but may not clean alike (decimal places).
        return (type(value), repr(value))
    try:
        hash(value)
    except TypeError:
        if isinstance(value, list):
            return (list, tuple(_memo_key(v) for v in value))
        return None
    return (type(value), value)


def _map_column(values: list, fn: Callable) -> list:
    """`fn` over a column, once per distinct value (the functions mapped are pure)."""
    memo: dict = {}
    out: list = []
    append = out.append
    for v in values:
        key = _memo_key(v)
        if key is None:
            append(fn(v))
            continue
        hit = memo.get(key, memo)
        if hit is memo:
            hit = memo[key] = fn(v)
        append(hit)
    return out


def _check_by_column(ledger, user, probe, plan, body, columns, headers, result, progress) -> None:
    """The checks of `_check_by_row`, with the same messages in the same order, done over
    whole columns: each column coerced and cleaned (by the form's own field and then the model
    field, as a form would) once per distinct value; per row only what spans fields (the
    model's `clean()` on an instance built directly), the scope, the lock and uniqueness."""
    model = ledger.model
    opts = model._meta
    # The choices of the related fields (scoped by the user's form), read once for the file.
    objects = {
        name: {str(o.pk): o for o in field.queryset}
        for name, field in probe.fields.items()
        if isinstance(field, forms.ModelChoiceField)
    }
    form = _import_form(ledger, probe, objects=objects)(data={}, action="add")
    form_fields = form.fields
    add_units = set(scoping.units_for(user, ledger.module, "add").values_list("pk", flat=True))
    lookups = _lookups_from(ledger, objects)
    unique_fields = _unique_fields(ledger)
    seen: dict[str, dict] = {n: {} for n in unique_fields}
    seen_rows: dict[int, int] = {}
    cols_read = sorted(columns)
    total = len(body)

    # The rows the row path would check (it skips blank rows), with their numbers.
    indexes: list[int] = []
    rows: list[list] = []
    for index, row in enumerate(body, start=2):
        if any(c not in (None, "") for c in row):
            indexes.append(index)
            rows.append(row)
    n = len(rows)
    result.total = n

    # 1. Cells to form data, column by column (`_coerce`); a message where a cell does not.
    data: dict[str, list] = {}
    coerce_errors: dict[str, list] = {}  # name -> [message or None] per row
    for name in ledger.import_field_names:
        f = ledger.field(name)
        if (
            name not in columns.values()
            and f.has_default()
            and not isinstance(f, models.BooleanField)
        ):
            data[name] = [f.get_default()] * n
    for col, name in columns.items():
        f = ledger.field(name)
        cells = [row[col] if col < len(row) else None for row in rows]

        def coerce(cell, f=f):
            try:
                return _coerce(f, cell, lookups)
            except ValueError as exc:
                return _Failed(str(exc))

        values = _map_column(cells, coerce)
        if any(type(v) is _Failed for v in values):
            coerce_errors[name] = [v.error if type(v) is _Failed else None for v in values]
            values = [_ABSENT if type(v) is _Failed else v for v in values]
        data[name] = values

    # 2. The form's fields over their columns (what `form._clean_fields` does per row).
    cleaned: dict[str, list] = {}
    for name in plan.form_names:
        field = form_fields[name]
        widget = field.widget
        initial = form.get_initial_for_field(field, name)
        is_file = isinstance(field, forms.FileField)

        def clean(value, name=name, field=field, widget=widget, initial=initial, is_file=is_file):
            raw = widget.value_from_datadict({} if value is _ABSENT else {name: value}, {}, name)
            try:
                return field.clean(raw, initial) if is_file else field.clean(raw)
            except ValidationError as exc:
                return _Failed(exc)

        column = data.get(name)
        cleaned[name] = _map_column([_ABSENT] * n if column is None else column, clean)

    # 3. What construct_instance and the model's field validation would make of them.
    related = set(plan.related)
    in_form = set(plan.form_names)
    meta_fields = set(probe._meta.fields or ())
    base_exclude = {
        f.name
        for f in opts.fields
        if f.name not in in_form
        or (meta_fields and f.name not in meta_fields)
        or f.name in (probe._meta.exclude or ())
    } | related
    maybe_exclude = [
        f
        for f in plan.model_fields
        if not f.blank and not form_fields[f.name].required and f.name not in related
    ]
    model_clean: dict[str, list] = {}
    keep_default: dict[str, bool] = {}
    for f in plan.model_fields:
        name = f.name
        form_field = form_fields[name]
        omitted_absent = form_field.widget.value_omitted_from_data({}, {}, name)
        keep_default[name] = f.has_default() and omitted_absent
        if name in related or isinstance(f, models.FileField):
            continue
        default = f.get_default()

        def mclean(value, f=f):
            if f.blank and value in f.empty_values:
                return value
            try:
                return f.clean(value, None)
            except ValidationError as exc:
                return _Failed(exc)

        # The value the instance holds for this field: the form's, or the field's default
        # when the form kept it (an empty optional cell left out of the data).
        column = data.get(name)
        held = []
        for i, value in enumerate(cleaned[name]):
            if type(value) is _Failed:
                held.append(_ABSENT)
            elif (
                keep_default[name]
                and (column is None or column[i] is _ABSENT)
                and value in form_field.empty_values
            ):
                held.append(default)
            else:
                held.append(value)
        model_clean[name] = _map_column(
            held, lambda v, mclean=mclean: v if v is _ABSENT else mclean(v)
        )

    has_clean = model.clean is not models.Model.clean
    m2m_names = [n for n in ledger.m2m_names(ledger.import_field_names) if n in in_form]
    # The kit's Ledger.lock_reason locks nothing (excel may not import the registry module).
    locks = type(ledger).lock_reason.__qualname__ != "Ledger.lock_reason"
    lock_parent = getattr(ledger, "lock_parent", None)
    lock_memo: dict = {}
    file_fields = [f for f in plan.model_fields if isinstance(f, models.FileField)]
    model_names = [f.name for f in plan.model_fields if not isinstance(f, models.FileField)]

    # 4. Row by row: only what spans fields, in the order the form would report it.
    for i in range(n):
        index = indexes[i]
        row = rows[i]
        row_errors: list[dict] = []
        if not ledger.import_allows_duplicates:
            key = hash(tuple(_same(row[c]) if c < len(row) else "" for c in cols_read))
            if key in seen_rows:
                row_errors.append(
                    {
                        "row": index,
                        "column": "",
                        "message": _("the row is the same as row %(row)s of this file")
                        % {"row": seen_rows[key]},
                    }
                )
            else:
                seen_rows[key] = index
        for name, messages in coerce_errors.items():
            if messages[i] is not None:
                row_errors.append(
                    {"row": index, "column": header_label(ledger, name), "message": messages[i]}
                )
        errors: dict[str, list] | None = None
        for name in plan.form_names:
            value = cleaned[name][i]
            if type(value) is _Failed:
                if errors is None:
                    errors = {}
                errors.setdefault(name, []).extend(value.error.error_list)
        # Fields the model validation leaves out for this row (as the form decides).
        exclude = set(base_exclude)
        if errors:
            exclude.update(errors)
        for f in maybe_exclude:
            value = cleaned[f.name][i]
            if type(value) is not _Failed and value in form_fields[f.name].empty_values:
                exclude.add(f.name)
        kwargs = {}
        model_errors: dict[str, list] = {}
        for name in model_names:
            value = cleaned[name][i]
            if type(value) is _Failed:
                continue  # the instance keeps its default; the form reported the field
            kept = (
                keep_default[name]
                and (data.get(name) is None or data[name][i] is _ABSENT)
                and value in form_fields[name].empty_values
            )
            if name in exclude or name not in model_clean:
                if not kept:
                    kwargs[name] = value
                continue
            held = model_clean[name][i]
            if type(held) is _Failed:
                model_errors[name] = list(held.error.error_list)
                if not kept:
                    kwargs[name] = value
            else:
                kwargs[name] = held
        for f in file_fields:
            value = cleaned[f.name][i]
            if type(value) is not _Failed and value is not None:
                kwargs[f.name] = value or ""
        obj = model(**kwargs)
        if has_clean:
            try:
                obj.clean()
            except ValidationError as refused:
                model_errors = refused.update_error_dict(model_errors)
        if model_errors:
            merged = ValidationError(model_errors)
            if errors is None:
                errors = {}
            for name, messages in merged.error_dict.items():
                if name in form_fields:
                    overrides = form_fields[name].error_messages
                    for message in messages:
                        if isinstance(message, ValidationError) and message.code in overrides:
                            message.message = overrides[message.code]
                errors.setdefault(name, []).extend(messages)
        if errors:
            for name, messages in errors.items():
                if name != "__all__" and any(
                    e["column"] == header_label(ledger, name) for e in row_errors
                ):
                    continue  # already explained by the cell-level message
                where = header_label(ledger, name) if name != "__all__" else ""
                for m in ValidationError(messages).messages:
                    row_errors.append({"row": index, "column": where, "message": m})
        else:
            obj._import_m2m = {name: cleaned[name][i] for name in m2m_names}
            obj._import_exclude = exclude
            if scoping._unit_id_of(obj) not in add_units:
                row_errors.append(
                    {
                        "row": index,
                        "column": "",
                        "message": _("You may not record data for this unit."),
                    }
                )
            elif locks:
                if lock_parent:
                    parent = getattr(obj, ledger.field(lock_parent).attname)
                    if parent not in lock_memo:
                        lock_memo[parent] = ledger.lock_reason(obj)
                    reason = lock_memo[parent]
                else:
                    reason = ledger.lock_reason(obj)
                if reason:
                    row_errors.append({"row": index, "column": "", "message": reason})
            for name in unique_fields:
                value = getattr(obj, name)
                if value in (None, ""):
                    continue
                if value in seen[name]:
                    row_errors.append(
                        {
                            "row": index,
                            "column": header_label(ledger, name),
                            "message": _("the same value is already in row %(row)s of this file")
                            % {"row": seen[name][value]},
                        }
                    )
                else:
                    seen[name][value] = index
            if not row_errors:
                obj._import_row = index
                result.objects.append(obj)
        result.errors.extend(row_errors)
        if len(result.preview) < 20:
            result.preview.append(["" if c is None else str(c) for c in row[: len(headers)]])
        if progress and (i + 1) % 500 == 0:
            progress(index - 1, total)


def _key_value(value):
    return value.strip() if isinstance(value, str) else value


def _match_existing(ledger, user, result: ImportCheck, chunk: int = 500) -> None:
    """Set apart the checked rows that are rows already kept (the same natural key among the
    rows the user may see): they are shown in the preview, and skipped or updated at the
    user's say, never added again."""
    names = ledger.natural_key_fields
    if not names or not result.objects:
        return
    attnames = [ledger.field(n).attname for n in names]

    def key_of(obj):
        return tuple(_key_value(getattr(obj, a)) for a in attnames)

    wanted = {key_of(o) for o in result.objects}
    found: dict[tuple, tuple[int, int]] = {}
    firsts = sorted({k[0] for k in wanted}, key=repr)
    visible = ledger.model.objects.permitted(user, "view")
    for start in range(0, len(firsts), chunk):
        part = [v for v in firsts[start : start + chunk] if v is not None]
        qs = visible.filter(**{f"{attnames[0]}__in": part}) if part else visible.none()
        if None in firsts[start : start + chunk]:
            qs = qs | visible.filter(**{f"{attnames[0]}__isnull": True})
        for pk, version, *values in qs.order_by("pk").values_list("pk", "version", *attnames):
            key = tuple(_key_value(v) for v in values)
            if key in wanted:
                found.setdefault(key, (pk, version))
    if not found:
        return
    fresh = []
    labels = dict(
        ledger.model.objects.filter(pk__in=[pk for pk, _v in found.values()]).in_bulk().items()
    )
    for obj in result.objects:
        hit = found.get(key_of(obj))
        if hit is None:
            fresh.append(obj)
            continue
        obj._existing_pk, version = hit
        result.matched.append(obj)
        result.existing.append(
            {
                "row": obj._import_row,
                "pk": obj._existing_pk,
                "version": version,
                "label": str(labels.get(obj._existing_pk, obj._existing_pk)),
            }
        )
    result.objects = fresh


def _same(cell) -> str:
    """A cell as compared for identical rows: 1 and 1.0, " a" and "a" are the same."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _unique_fields(ledger) -> list[str]:
    names = []
    for name in ledger.import_field_names:
        f = ledger.field(name)
        if f.unique and not f.primary_key:
            names.append(name)
    for c in ledger.model._meta.constraints:
        if (
            isinstance(c, models.UniqueConstraint)
            and len(c.fields) == 1
            and c.fields[0] in ledger.import_field_names
            and c.fields[0] not in names
        ):
            names.append(c.fields[0])
    return names


class GenericImporter:
    """Rows in the template's layout, validated by the ledger's form, inserted in bulk."""

    name = ""

    def __init__(self, ledger):
        self.ledger = ledger

    def check(self, data: bytes, user, *, progress=None) -> ImportCheck:
        return check_import(self.ledger, data, user, progress=progress)

    def commit(
        self, check: ImportCheck, user, *, existing: str = "skip", versions: dict | None = None
    ) -> int:
        """Insert the new rows; rows already kept are skipped, or with `existing="update"`
        updated through the ledger's own update (its rules, locks and history), each refused
        if it changed since the check (`versions`: pk → version then). Returns the count
        inserted; `check.updated` counts the updated."""
        from gongxiao.core.services import bulk_create_rows, set_m2m

        check.updated = 0
        if existing == "update" and check.matched:
            check.updated = self._update_existing(check, user, versions or {})
        m2m_names = self.ledger.m2m_names(self.ledger.import_field_names)
        if self.ledger.custom_create:
            # Rows that start a workflow go one by one through the ledger's own service.
            for obj in check.objects:
                self.ledger.create(
                    obj, user, source="import", m2m=getattr(obj, "_import_m2m", None)
                )
            return len(check.objects)
        created = bulk_create_rows(
            model=self.ledger.model, objs=check.objects, user=user, source="import"
        )
        if m2m_names:
            for obj in created:
                set_m2m(obj=obj, values=obj._import_m2m, user=user, source="import")
        return len(created)

    def _update_existing(self, check: ImportCheck, user, versions: dict) -> int:
        ledger = self.ledger
        plain = [n for n in ledger.import_field_names if not ledger.field(n).many_to_many]
        for obj in check.matched:
            stored = ledger.model.objects.permitted(user, "change").filter(pk=obj._existing_pk)
            row = stored.first()
            if row is None:
                raise ImportRefused(
                    _("Row %(row)s: you may not change the record it matches.")
                    % {"row": obj._import_row}
                )
            seen = versions.get(str(row.pk))
            if seen is not None and seen != row.version:
                raise ImportRefused(
                    _(
                        "Row %(row)s: the record it matches was changed by someone since the "
                        "check; check the file again."
                    )
                    % {"row": obj._import_row}
                )
            if reason := ledger.lock_reason(row):
                raise ImportRefused(
                    _("Row %(row)s: %(reason)s") % {"row": obj._import_row, "reason": reason}
                )
            for name in plain:
                attname = ledger.field(name).attname
                setattr(row, attname, getattr(obj, attname))
            m2m = getattr(obj, "_import_m2m", None)
            ledger.update(row, user, expected_version=row.version, source="import", m2m=m2m)
        return len(check.matched)


class ImportRefused(ValueError):
    """A commit that cannot go ahead; nothing is written (the whole import is one transaction)."""
