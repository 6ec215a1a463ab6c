"""Formula injection: every Excel file the product writes stores a user's text as text.

A matter titled `=HYPERLINK("http://evil.example/x","点击查看")` must reach the supervising body
as those characters, not as a live link. Each export below is produced through its real page or
service from rows whose text (and whose unit's name) holds one of PAYLOADS; the file is then read
as XML: no cell may carry a formula (<f>) or a hyperlink, and each payload must read back as the
literal text. A last test fails when a module calls XlsxWriter outside gongxiao.core.xlsx, the one
writer that guarantees this.
"""

from __future__ import annotations

import ast
import datetime
import io
import pathlib
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import pytest
from django.db import models
from django.test import Client, override_settings
from django.urls import reverse

from gongxiao.core import excel
from gongxiao.core.ledgers import all_ledgers, get_ledger
from gongxiao.core.models import Job
from gongxiao.core.testing import row_factory
from gongxiao.org.models import RoleAssignment
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import UnitFactory, user_with

from .helpers import ledger_url, response_bytes

PAYLOADS = [
    '=HYPERLINK("http://evil.example/x","点击查看")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "=1+1",
    "  =1+1",
    "\t=SUM(1,2)",
    "\r=2+2",
    "{=1+1}",
    "http://evil.example/x",
]
YEAR = 2024
DAY = datetime.date(YEAR, 5, 6)
LEDGERS = all_ledgers()

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


# --- reading the file as Excel stores it ------------------------------------------------------


@dataclass
class Cells:
    texts: list[str]
    formulas: list[str]
    links: int


def _text(el) -> str:
    raw = "".join(t.text or "" for t in el.iter(f"{{{M}}}t"))
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), raw)


def read_cells(data: bytes) -> Cells:
    """Every cell's text, every formula and the number of hyperlinks in an .xlsx, read from its
    XML (shared and inline strings alike)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    shared = []
    if "xl/sharedStrings.xml" in names:
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))  # noqa: S314 - the product's own file
        shared = [_text(si) for si in sst]
    texts, formulas, links = [], [], 0
    for name in names:
        if name.startswith("xl/worksheets/_rels/") and b"/hyperlink" in z.read(name):
            links += 1
        if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
            continue
        root = ET.fromstring(z.read(name))  # noqa: S314 - the product's own file
        links += len(list(root.iter(f"{{{M}}}hyperlink")))
        for c in root.iter(f"{{{M}}}c"):
            f = c.find(f"{{{M}}}f")
            if f is not None:
                formulas.append(f.text or "")
            kind = c.get("t")
            if kind == "s":
                texts.append(shared[int(c.findtext(f"{{{M}}}v"))])
            elif kind == "inlineStr":
                texts.append(_text(c.find(f"{{{M}}}is")))
            elif kind == "str":
                texts.append(c.findtext(f"{{{M}}}v") or "")
    return Cells(texts, formulas, links)


def assert_text_only(data, *, exact=(), prefix=(), contains=(), formulas=()):
    """No formula (but those matching `formulas`, written by code), no link, and each expected
    string read back as a cell's text."""
    cells = read_cells(data)
    bad = [f for f in cells.formulas if not any(re.fullmatch(p, f) for p in formulas)]
    assert not bad, f"cells written as formulas: {bad}"
    assert cells.links == 0, "cells written as hyperlinks"
    for p in exact:
        assert p in cells.texts, f"{p!r} is not a cell's text"
    for p in prefix:
        assert any(t.startswith(p) for t in cells.texts), f"no cell starts with {p!r}"
    for p in contains:
        assert any(p in t for t in cells.texts), f"no cell holds {p!r}"
    return cells


# --- rows whose text is a payload -------------------------------------------------------------


def _text_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not f.choices
        and not f.primary_key
    ]


def plant(obj, payload: str) -> list[str]:
    """Put `payload` in every free-text field of `obj` (cut to the field's length, as a form
    would refuse longer); returns the values stored."""
    values = {
        f.name: payload[: f.max_length] if f.max_length else payload
        for f in _text_fields(type(obj))
    }
    type(obj)._base_manager.filter(pk=obj.pk).update(**values)
    return list(values.values())


@dataclass
class World:
    federation: object
    user: object
    client: Client
    units: list  # (unit, payload)

    def context(self, unit, period=str(YEAR)):
        self.client.post("/context/", {"unit": unit.pk, "period": period})


@pytest.fixture
def world(federation):
    # The exporter's own name is printed in the working papers: a payload too.
    user = user_with(Role.SYSADMIN, federation.city, first_name="@SUM(A1)", last_name="")
    RoleAssignment.objects.create(user=user, unit=federation.city, role=Role.DISCIPLINE)
    units = [
        (UnitFactory(code=f"P{i}", name=p, parent=federation.county_a), p)
        for i, p in enumerate(PAYLOADS)
    ]
    c = Client()
    c.force_login(user)
    return World(federation, user, c, units)


def _rows(world, model, **dates):
    make = row_factory(model)
    objs = []
    for unit, p in world.units:
        obj = make(unit)
        plant(obj, p)
        if dates:
            type(obj)._base_manager.filter(pk=obj.pk).update(**dates)
        objs.append(obj)
    return objs


def _header_payload(lg, name):
    """Headers are the code's labels, but a translation is text too: give them payloads."""
    names = list(dict.fromkeys([*lg.export_field_names, *lg.import_field_names, name]))
    return PAYLOADS[names.index(name) % len(PAYLOADS)] + lg.label(name)


# --- the exports ------------------------------------------------------------------------------


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda lg: lg.key)
def test_every_ledger_list_export_writes_text_as_text(world, ledger, monkeypatch):
    monkeypatch.setattr(excel, "header_label", _header_payload)
    _rows(world, ledger.model)
    world.context(world.federation.county_a)
    data = response_bytes(world.client.get(ledger_url(ledger, "export")))
    exported = [n for n in ledger.export_field_names if n not in ledger.computed]
    # A text field too short for the longest payload holds it cut, not as it was sent.
    longest = max(len(p) for p in PAYLOADS)
    has_text = any(
        f.name in exported and (f.max_length is None or f.max_length >= longest)
        for f in _text_fields(ledger.model)
    )
    # Without text of its own, the unit column names the payload unit; a list of figures
    # under its parent (a lease's rent schedule) carries no user text but its headers.
    has_unit = "unit" in exported
    assert_text_only(
        data,
        exact=PAYLOADS if has_text else (),
        contains=() if has_text or not has_unit else PAYLOADS,
        prefix=[_header_payload(ledger, n) for n in ledger.export_field_names[:3]],
    )


@override_settings(GONGXIAO_SYNC_ROW_LIMIT=1)
def test_a_large_list_exported_in_the_background_writes_text_as_text(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from gongxiao.org.models import Person

    ledger = get_ledger("org", "people")
    monkeypatch.setattr(excel, "header_label", _header_payload)
    _rows(world, Person)
    world.context(world.federation.county_a)
    with django_capture_on_commit_callbacks(execute=True):
        world.client.get(ledger_url(ledger, "export"))
    job = Job.objects.get(user=world.user, kind=Job.Kind.EXPORT)
    assert job.status == Job.Status.DONE, job.message
    data = response_bytes(world.client.get(f"/jobs/{job.pk}/download/"))
    assert_text_only(data, exact=PAYLOADS, prefix=[_header_payload(ledger, "name")])


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda lg: lg.key)
def test_every_ledger_import_template_writes_text_as_text(world, ledger, monkeypatch):
    monkeypatch.setattr(excel, "header_label", _header_payload)
    data = response_bytes(world.client.get(ledger_url(ledger, "template")))
    assert_text_only(data, prefix=[_header_payload(ledger, n) for n in ledger.import_field_names])


def test_filing_list_writes_text_as_text(world):
    from gongxiao.decisions.models import Matter, Meeting

    _rows(world, Matter)
    Meeting.objects.update(date=DAY)
    world.context(world.federation.county_a)
    data = response_bytes(world.client.get(reverse("decisions:filing-xlsx")))
    assert_text_only(data, exact=PAYLOADS)
    for unit, p in world.units:  # the title names the working unit
        world.context(unit)
        assert_text_only(
            response_bytes(world.client.get(reverse("decisions:filing-xlsx"))), prefix=[p]
        )


def test_the_three_rectification_lists_write_text_as_text(world):
    from gongxiao.rectification.models import RectificationItem

    _rows(world, RectificationItem, found_date=DAY)
    for kind in ("problems", "rectification", "responsibility"):
        world.context(world.federation.county_a)
        data = response_bytes(world.client.get(reverse("rectification:list-export", args=[kind])))
        assert_text_only(data, prefix=PAYLOADS, exact=PAYLOADS if kind == "responsibility" else ())
        for unit, p in world.units:
            world.context(unit)
            data = response_bytes(
                world.client.get(reverse("rectification:list-export", args=[kind]))
            )
            assert_text_only(data, prefix=[p])


def test_rectification_import_template_writes_text_as_text(world, monkeypatch):
    from gongxiao.rectification import lists

    monkeypatch.setattr(lists, "IMPORT_COLUMNS", PAYLOADS)
    data = response_bytes(world.client.get(reverse("rectification:list-template")))
    assert_text_only(data, exact=PAYLOADS)


def test_quarterly_talk_summary_writes_text_as_text(world):
    from gongxiao.supervision.models import Talk

    _rows(world, Talk, date=DAY)
    for unit, p in world.units:
        world.context(unit)
        resp = world.client.get(
            reverse("supervision:talk-summary"), {"period": f"{YEAR}Q2", "format": "xlsx"}
        )
        cells = assert_text_only(
            response_bytes(resp), prefix=[p], formulas=[r"SUM\([A-Z]+3:[A-Z]+\d+\)"]
        )
        assert cells.formulas, "the totals are still formulas"


def test_statistical_table_writes_text_as_text(world, django_capture_on_commit_callbacks):
    from gongxiao.rectification.models import RectificationItem

    _rows(world, RectificationItem, found_date=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        world.client.post(
            reverse("reports:statistics"),
            {
                "unit": world.federation.county_a.pk,
                "period": str(YEAR),
                "metric": ["rectification.items.found"],
                "compare": "on",
            },
        )
    job = Job.objects.get(user=world.user, kind=Job.Kind.STATISTICS)
    assert job.status == Job.Status.DONE, job.message
    data = response_bytes(world.client.get(f"/jobs/{job.pk}/download/"))
    assert_text_only(data, exact=PAYLOADS)  # a row per payload unit, named by it


def test_working_papers_write_text_as_text(world):
    from gongxiao.rectification.models import RectificationItem
    from gongxiao.reports import services
    from gongxiao.reports.models import Kind, ReportDraft
    from gongxiao.reports.tests.factories import SectionFactory

    _rows(world, RectificationItem, found_date=DAY)
    make = row_factory(ReportDraft)
    for unit, p in world.units:
        draft = make(unit, title=p, kind=Kind.BLANK, period=str(YEAR))
        SectionFactory(draft=draft, body="发现问题{{ rectification.items.found }}个")
        _name, data = services.export_zip(draft=draft, user=world.user)
        z = zipfile.ZipFile(io.BytesIO(data))
        xlsx = z.read(next(n for n in z.namelist() if n.endswith(".xlsx")))
        # The title, the exporter's name, and the rows behind the figure.
        # The title, the exporter's name, the unit in the index and the rows behind the figure
        # (the item's title, description and lead department).
        cells = assert_text_only(xlsx, exact=[p, "@SUM(A1)"], prefix=[f"{p}及"])
        assert cells.texts.count(p) >= 5


# --- one writer -------------------------------------------------------------------------------

SRC = pathlib.Path(__file__).resolve().parents[3]  # src/
WRITER = SRC / "gongxiao" / "core" / "xlsx.py"
# XlsxWriter's worksheet methods that put data in a cell.
CELL_WRITES = {
    "write",
    "write_string",
    "write_number",
    "write_blank",
    "write_boolean",
    "write_datetime",
    "write_formula",
    "write_array_formula",
    "write_dynamic_array_formula",
    "write_url",
    "write_rich_string",
    "write_row",
    "write_column",
    "merge_range",
}


def _product_modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if "tests" in rel.parts or path.name == "conftest.py" or path == WRITER:
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _violations(rel, tree):
    imported = set()  # names bound by imports: `stats.write(...)` calls a module's function
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                imported.add((a.asname or a.name).split(".")[0])
                if a.name.split(".")[0] in ("xlsxwriter", "openpyxl"):
                    yield f"{rel}:{node.lineno} imports {a.name}"
        elif isinstance(node, ast.ImportFrom):
            imported.update(a.asname or a.name for a in node.names)
            if (node.module or "").split(".")[0] in ("xlsxwriter", "openpyxl"):
                yield f"{rel}:{node.lineno} imports from {node.module}"
    # A module that holds worksheets: the plain `.write(` of one of them is a sheet's.
    sheets = "add_worksheet" in ast.unparse(tree) or {"xlsx", "excel"} & imported
    # `with cursor.copy(...) as c:` — a database COPY, whose `c.write_row(` is no sheet's.
    copies = {
        item.optional_vars.id
        for node in ast.walk(tree)
        if isinstance(node, ast.With)
        for item in node.items
        if isinstance(item.context_expr, ast.Call)
        and isinstance(item.context_expr.func, ast.Attribute)
        and item.context_expr.func.attr == "copy"
        and isinstance(item.optional_vars, ast.Name)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        if isinstance(fn, ast.Name) and fn.id == "Workbook":
            yield f"{rel}:{node.lineno} calls Workbook("
        if isinstance(fn, ast.Attribute) and fn.attr == "Workbook":
            yield f"{rel}:{node.lineno} calls .Workbook("
        if not isinstance(fn, ast.Attribute) or fn.attr not in CELL_WRITES:
            continue
        if fn.attr == "write" and not sheets:  # a file's or a stream's write, not a sheet's
            continue
        receiver = ast.unparse(fn.value)
        if receiver in imported or receiver in copies:
            continue
        if receiver in ("self.stdout", "self.stderr", "sys.stdout"):
            continue
        yield f"{rel}:{node.lineno} calls {receiver}.{fn.attr}( — use gongxiao.core.xlsx"


def test_excel_is_written_only_through_the_one_writer():
    # The guard itself sees a direct write (and leaves a command's stdout alone) ...
    planted = ast.parse(
        "import xlsxwriter\nwb = xlsxwriter.Workbook(b)\nws = wb.add_worksheet()\n"
        "ws.write(0, 0, title)\nself.stdout.write('ok')\n"
        "with cur.copy('COPY t FROM STDIN') as cp:\n    cp.write_row(row)\n"
    )
    assert [v.split(" ", 1)[1] for v in _violations("x.py", planted)] == [
        "imports xlsxwriter",
        "calls .Workbook(",
        "calls ws.write( — use gongxiao.core.xlsx",
    ]
    # ... and finds none in the product.
    found = [v for rel, tree in _product_modules() for v in _violations(rel, tree)]
    assert not found, "\n".join(found)
