"""Tests that pin the rules of report figures: the rows a working paper lists are those the
figure counts, narrowing (本专项) included; frozen figures are for those whose rights reach all
of them, and so are the issued files (issue 13, item 11)."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from python_calamine import CalamineWorkbook

from gongxiao.org.models import RoleAssignment
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification.models import RectificationItem
from gongxiao.rectification.tests.factories import ItemFactory
from gongxiao.reports import services

from .conftest import YEAR
from .factories import DraftFactory, SectionFactory


def _workbook(data: bytes):
    z = zipfile.ZipFile(io.BytesIO(data))
    xlsx = next(n for n in z.namelist() if n.endswith(".xlsx"))
    return CalamineWorkbook.from_filelike(io.BytesIO(z.read(xlsx)))


def _figures(wb):
    """{figure id: (filters, value, rows listed, titles of the rows listed)} from the papers."""
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    head = next(i for i, r in enumerate(rows) if r and r[0] in ("编号", "No."))
    out = {}
    for r in rows[head + 1 :]:
        if not (r and r[0]):
            continue
        fid, _label, _key, _measure, _unit, _period, filters, value, listed, sheet = r[:10]
        sheet_rows = wb.get_sheet_by_name(sheet).to_python()
        header_at = next(i for i, s in enumerate(sheet_rows) if i > 11 and s and s[0])
        headers = sheet_rows[header_at]
        col = next(i for i, h in enumerate(headers) if h in ("问题", "problem"))
        titles = sorted(s[col] for s in sheet_rows[header_at + 1 :] if any(c != "" for c in s))
        out[fid] = (filters, int(float(value)), int(float(listed)), titles)
    return out


def _titles(qs):
    return sorted(qs.values_list("title", flat=True))


def test_a_narrowed_figure_lists_only_the_rows_it_counts(ledgers):
    f = ledgers.f
    # County A's own rows: one in the campaign, one not (so a narrowing lost on the own rows
    # of the table shows).
    ItemFactory(unit=f.county_a, found_date=datetime.date(YEAR, 5, 5), title="县社本级非专项")
    draft = DraftFactory(unit=f.county_a, period=str(YEAR), campaign=ledgers.campaign)
    SectionFactory(
        draft=draft,
        body=(
            "本专项问题{{ rectification.items.found | 本专项 }}个，"
            "全部问题{{ rectification.items.found }}个。\n"
            "{{ 表: rectification.items.found | 本专项 }}"
        ),
    )
    _name, data = services.export_zip(draft=draft, user=ledgers.leader_a)
    figures = _figures(_workbook(data))
    year_items = RectificationItem.objects.filter(
        found_date__year=YEAR, unit__path__startswith=f.county_a.path
    )
    in_campaign = year_items.filter(campaign=ledgers.campaign)
    assert (year_items.count(), in_campaign.count()) == (8, 4)
    by_value = {}
    for fid, (filters, value, listed, titles) in figures.items():
        # Every figure, in the text or in a table cell, lists exactly the rows it counts.
        assert value == listed == len(titles), fid
        narrowed = "campaign" in filters or "专项" in filters  # filters are read in words
        by_value.setdefault((narrowed, value), []).append(titles)
    assert by_value[(True, 4)][0] == _titles(in_campaign)  # the narrowed total
    assert by_value[(False, 8)][0] == _titles(year_items)
    # The table's cells: county A's own rows, a1's and a2's subtrees, each narrowed.
    for unit, n in ((f.county_a, 1), (f.a1, 2), (f.a2, 1)):
        expect = in_campaign.filter(unit__path__startswith=unit.path)
        if unit == f.county_a:
            expect = in_campaign.filter(unit=unit)
        assert expect.count() == n
        assert _titles(expect) in by_value[(True, n)], unit


@pytest.fixture
def final(ledgers):
    """County A's report, finalised by its leader with 7 problems found; one more found since."""
    draft = DraftFactory(unit=ledgers.f.county_a, period=str(YEAR))
    SectionFactory(draft=draft, body="发现问题{{ rectification.items.found }}个。")
    services.finalise(draft=draft, user=ledgers.leader_a, expected_version=draft.version)
    draft.refresh_from_db()
    ItemFactory(unit=ledgers.f.a1, found_date=datetime.date(YEAR, 12, 1), title="定稿后发现")
    return draft


def _text(document):
    return "".join(b.text for b in document.blocks)


def test_frozen_figures_are_not_shown_to_a_viewer_of_partial_reach(ledgers, final):
    # Reads the county's reports (finance), but reaches rectification in a1 only.
    partial = user_with(Role.FINANCE, ledgers.f.county_a)
    RoleAssignment.objects.create(user=partial, unit=ledgers.f.a1, role=Role.DATA_ENTRY)
    assert not services.may_see_final(final, partial)
    assert "发现问题4个" in _text(services.document_for(final, partial))  # a1's own, live
    c = Client()
    c.force_login(partial)
    html = c.get(f"/ledgers/reports/drafts/{final.pk}/").content.decode()
    assert "发现问题7个" not in html and 'id="partial-view"' in html
    # The one who finalised it, and anyone reaching the whole county, read the frozen figure.
    assert services.may_see_final(final, ledgers.leader_a)
    assert "发现问题7个" in _text(services.document_for(final, ledgers.leader_a))
    assert "发现问题7个" in _text(services.document_for(final, ledgers.city_leader))


def test_a_finalised_report_is_not_exported_by_a_role_that_cannot_export_all_its_figures(
    ledgers, final
):
    # Finance may export reports but has no rectification rights at all.
    finance = user_with(Role.FINANCE, ledgers.f.county_a)
    # With a read-only role too, he sees every figure over the county but may export none.
    reader = user_with(Role.FINANCE, ledgers.f.county_a)
    RoleAssignment.objects.create(user=reader, unit=ledgers.f.county_a, role=Role.READ_ONLY)
    assert services.may_see_final(final, reader)
    assert not services.may_see_final(final, reader, "export")
    for user in (finance, reader):
        with pytest.raises(PermissionDenied):
            services.export_zip(draft=final, user=user)
        c = Client()
        c.force_login(user)
        for field in ("final_docx", "final_workpapers"):
            url = f"/ledgers/reports/drafts/{final.pk}/file/{field}/"
            assert c.get(url).status_code in (403, 404), (user, field)
    # Who reaches every figure with the right to export gets the issued files.
    name, data = services.export_zip(draft=final, user=ledgers.leader_a)
    assert name.endswith(".zip") and _figures(_workbook(data))
