"""End-to-end: the People ledger driven through Debian's Chromium by Playwright.

Log in, open the ledger, create a row, meet an edit conflict, export the list, import a file
with a bad row (refused, nothing written) and a good one (previewed, confirmed, written).

Run separately: `pytest src/gongxiao/core/tests/test_browser.py -m browser`. Needs
/usr/bin/chromium (apt's `chromium`); the tests are skipped when it is missing.
"""

from __future__ import annotations

import io
import random
import re

import pytest
import xlsxwriter
from django.utils import translation
from python_calamine import CalamineWorkbook

from gongxiao.core.excel import REQUIRED_MARK
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import ChangeRecord, Job
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.org.demo import make_id_number
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

LEDGER = get_ledger("org", "people")
LIST_PATH = "/ledgers/org/people/"
DETAIL_RE = re.compile(r"/ledgers/org/people/(\d+)/$")
JOB_RE = re.compile(r"/jobs/[0-9a-f-]{36}/$")
CJK = re.compile(r"[\u4e00-\u9fff]")

# No skip when Chromium is missing: scripts/test installs it, and a silent skip would hide a
# broken browser run.
pytestmark = [pytest.mark.browser]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def party(site, federation):
    """Party-affairs user of county A: add/change/import/export on the People ledger there."""
    return user_with(Role.PARTY, federation.county_a, username="party_a")


# --- helpers ----------------------------------------------------------------------------------


def open_people(page, site):
    """Open the People ledger from the sidebar, as a person would."""
    page.locator(f'nav a.nav-link[href="{LIST_PATH}"]').click()
    expect(page).to_have_url(f"{site}{LIST_PATH}")
    expect(page.locator("#ledger-table")).to_be_visible()


def labels(names):
    """The product's own labels for these fields, in the interface language."""
    with translation.override("zh-hans"):
        return [LEDGER.label(n) for n in names]


def read_download(download, tmp_path, name) -> list[list]:
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    target = tmp_path / name
    download.save_as(target)
    return CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()


def xlsx_file(tmp_path, name, headers, rows) -> str:
    """An import file with `headers` as row 1; every cell written as text, as a person types."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    wb.close()
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return str(path)


def bad_check_digit(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


def upload(page, site, path):
    page.set_input_files("#import-file", path)
    page.click("#btn-upload")
    expect(page).to_have_url(JOB_RE)
    status = page.locator("#job-status")
    expect(status).to_have_attribute("data-status", re.compile("^(done|failed)$"))
    return status


# --- the scenario -----------------------------------------------------------------------------


def test_create_a_row_then_meet_an_edit_conflict(site, federation, party, new_context):
    other = user_with(Role.PARTY, federation.county_a, username="party_a2")
    rng = random.Random(1)
    id_number = make_id_number(rng, "430302", female=True)

    # Log in and open the ledger.
    page = log_in(new_context(), site, party.username)
    open_people(page, site)

    # Create a row.
    page.click("#btn-new")
    expect(page.locator("#ledger-form")).to_be_visible()
    page.select_option("#id_unit", str(federation.a1.pk))
    page.fill("#id_name", "王小红")
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", "13900001111")
    page.fill("#id_post", "会计")
    page.check("#id_is_cadre")
    page.click("#btn-save")
    expect(page).to_have_url(DETAIL_RE)
    pk = int(DETAIL_RE.search(page.url).group(1))

    person = Person.objects.get(pk=pk)
    assert (person.unit_id, person.name, person.id_number) == (
        federation.a1.pk,
        "王小红",
        id_number,
    )
    assert (person.phone, person.post, person.is_cadre) == ("13900001111", "会计", True)
    assert person.gender == "F" and person.birth_date is not None  # derived from the ID number
    assert (person.version, person.created_by_id) == (1, party.pk)
    assert ChangeRecord.objects.filter(object_pk=str(pk), kind="create").count() == 1

    # Its detail page shows it, with one history entry and an edit button.
    expect(page.locator("h1")).to_have_text("王小红")
    expect(page.locator("main dl")).to_contain_text(id_number)  # party may see the ID number
    expect(page.locator("main dl")).to_contain_text("13900001111")
    expect(page.locator("#history > li")).to_have_count(1)
    expect(page.locator("#btn-edit")).to_be_visible()

    # Two people open the edit form of the same row, each in their own browser session.
    page.click("#btn-edit")
    expect(page.locator("#ledger-form")).to_be_visible()
    page2 = log_in(new_context(), site, other.username)
    page2.goto(f"{site}{LIST_PATH}{pk}/")
    page2.click("#btn-edit")
    expect(page2.locator("#ledger-form")).to_be_visible()
    expect(page2.locator("#id_phone")).to_have_value("13900001111")

    # The first saves.
    page.fill("#id_phone", "13900002222")
    page.click("#btn-save")
    expect(page).to_have_url(f"{site}{LIST_PATH}{pk}/")
    expect(page.locator("#history > li")).to_have_count(2)
    person.refresh_from_db()
    assert (person.phone, person.version, person.updated_by_id) == ("13900002222", 2, party.pk)

    # The second saves his stale form: refused, with the other person's values beside his own.
    page2.fill("#id_phone", "13900003333")
    page2.fill("#id_post", "出纳")
    with page2.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/{pk}/edit/")
    ) as answer:
        page2.click("#btn-save")
    assert answer.value.status == 409
    expect(page2).to_have_url(f"{site}{LIST_PATH}{pk}/edit/")
    errors = page2.locator("#form-errors")
    expect(errors).to_be_visible()
    expect(errors).to_have_text(CJK)  # the message is in Chinese
    conflict = page2.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("13900002222")  # what the first person saved
    expect(conflict).to_contain_text("会计")
    # His typed input stays in the form.
    expect(page2.locator("#id_phone")).to_have_value("13900003333")
    expect(page2.locator("#id_post")).to_have_value("出纳")
    expect(page2.locator("#id_name")).to_have_value("王小红")

    # The database keeps the first save.
    person.refresh_from_db()
    assert (person.phone, person.post, person.version) == ("13900002222", "会计", 2)
    assert person.updated_by_id == party.pk
    assert ChangeRecord.objects.filter(object_pk=str(pk), kind="update").count() == 1

    # Having seen the other values, he may submit again knowingly; now it is saved.
    page2.click("#btn-save")
    expect(page2).to_have_url(f"{site}{LIST_PATH}{pk}/")
    person.refresh_from_db()
    assert (person.phone, person.post, person.version) == ("13900003333", "出纳", 3)
    assert person.updated_by_id == other.pk
    expect(page2.locator("#history > li")).to_have_count(3)


def test_export_holds_exactly_the_rows_the_user_can_see(
    site, federation, party, new_context, tmp_path
):
    mine = [
        PersonFactory(unit=federation.a1, name="甲一张三"),
        PersonFactory(unit=federation.a1, name="甲一李四"),
        PersonFactory(unit=federation.a2, name="甲二王五"),
        PersonFactory(unit=federation.county_a, name="甲县赵六"),
    ]
    PersonFactory(unit=federation.b1, name="乙一孙七")  # county B: out of reach

    page = log_in(new_context(), site, party.username)
    open_people(page, site)
    shown = page.locator("#ledger-table tbody tr td:first-child a")
    expect(shown).to_have_count(len(mine))
    assert sorted(shown.all_inner_texts()) == sorted(p.name for p in mine)

    with page.expect_download() as info:
        page.click("#btn-export")
    rows = read_download(info.value, tmp_path, "export.xlsx")

    fields = LEDGER.export_field_names
    assert rows[0] == labels(fields)
    body = rows[1:]
    assert len(body) == len(mine)
    by_name = {row[fields.index("name")]: row for row in body}
    assert set(by_name) == {p.name for p in mine}
    assert "乙一孙七" not in by_name
    for p in mine:
        row = by_name[p.name]
        assert row[fields.index("unit")] == p.unit.name
        assert row[fields.index("id_number")] == p.id_number  # party sees it unmasked
        assert row[fields.index("phone")] == p.phone


def test_import_refuses_a_bad_file_and_writes_a_good_one(
    site, federation, party, new_context, tmp_path
):
    PersonFactory(unit=federation.a1, name="已有人员")
    before = Person.objects.count()
    rng = random.Random(1)

    page = log_in(new_context(), site, party.username)
    open_people(page, site)
    page.click("#btn-import")
    expect(page).to_have_url(f"{site}{LIST_PATH}import/")

    # The template's first row names the columns; required ones end with "*".
    with page.expect_download() as info:
        page.click("#template-link")
    headers = [str(h) for h in read_download(info.value, tmp_path, "template.xlsx")[0]]
    names = LEDGER.import_field_names
    assert [h.rstrip(REQUIRED_MARK) for h in headers] == labels(names)
    required = {n for n, h in zip(names, headers, strict=True) if h.endswith(REQUIRED_MARK)}
    assert {"unit", "name"} <= required

    def row(**values):
        return [values.get(n, "") for n in names]

    # A file with one bad row (wrong check digit of the ID number): errors, nothing written.
    bad_id = bad_check_digit(make_id_number(rng, "430302"))
    bad = xlsx_file(
        tmp_path,
        "bad.xlsx",
        headers,
        [
            row(unit="A1", name="导入甲", id_number=make_id_number(rng, "430302")),
            row(unit="A1", name="导入乙", id_number=bad_id),
        ],
    )
    status = upload(page, site, bad)
    expect(status).to_have_attribute("data-status", "done")
    expect(page.locator("#job-message")).to_be_visible()
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("3")  # sheet row 3: the second row
    expect(errors.first.locator("td").nth(1)).to_have_text(labels(["id_number"])[0])
    expect(page.locator("#btn-confirm-import")).to_have_count(0)
    assert Person.objects.count() == before
    assert not Person.objects.filter(name__startswith="导入").exists()
    assert Job.objects.get(kind="import_check", user=party).result["ok"] is False

    # A good file: preview, confirm, rows written. The unit column takes a name or a code.
    good_ids = [make_id_number(rng, "430302") for _ in range(3)]
    good = xlsx_file(
        tmp_path,
        "good.xlsx",
        headers,
        [
            row(
                unit="A1", name="导入丙", id_number=good_ids[0], phone="13700000001", is_cadre="是"
            ),
            row(
                unit="甲二基层社",
                name="导入丁",
                id_number=good_ids[1],
                post="保管员",
                is_party_member="是",
            ),
            row(unit=federation.county_a.name, name="导入戊", id_number=good_ids[2], is_cadre="否"),
        ],
    )
    page.goto(f"{site}{LIST_PATH}import/")
    upload(page, site, good)
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#import-errors")).to_have_count(0)
    preview = page.locator("#import-preview tbody tr")
    expect(preview).to_have_count(3)
    expect(preview.nth(1)).to_contain_text("导入丁")
    assert Person.objects.count() == before  # a check writes nothing

    page.click("#btn-confirm-import")
    expect(page).to_have_url(JOB_RE)
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#job-message")).to_contain_text("3")

    assert Person.objects.count() == before + 3
    written = {p.name: p for p in Person.objects.filter(name__startswith="导入")}
    assert set(written) == {"导入丙", "导入丁", "导入戊"}
    assert written["导入丙"].unit_id == federation.a1.pk
    assert (written["导入丙"].id_number, written["导入丙"].phone) == (good_ids[0], "13700000001")
    assert written["导入丙"].is_cadre is True
    assert written["导入丁"].unit_id == federation.a2.pk
    assert (written["导入丁"].post, written["导入丁"].is_party_member) == ("保管员", True)
    assert written["导入戊"].unit_id == federation.county_a.pk
    assert written["导入戊"].is_cadre is False
    for p in written.values():
        assert (p.version, p.created_by_id) == (1, party.pk)
        assert p.gender in ("M", "F") and p.birth_date is not None
    assert (
        ChangeRecord.objects.filter(
            kind="create", source="import", object_pk__in=[str(p.pk) for p in written.values()]
        ).count()
        == 3
    )

    # The list now shows them.
    page.goto(f"{site}{LIST_PATH}")
    expect(page.locator("#ledger-table tbody tr td:first-child a")).to_have_count(before + 3)

    # Its export imported again: every row is one already kept, listed in the preview, and
    # confirming without a choice adds none.
    with page.expect_download() as info:
        page.click("#btn-export")
    exported = tmp_path / "export.xlsx"
    info.value.save_as(exported)
    page.goto(f"{site}{LIST_PATH}import/")
    upload(page, site, str(exported))
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#import-existing tbody tr")).to_have_count(before + 3)
    expect(page.locator("#existing-skip")).to_be_checked()
    page.click("#btn-confirm-import")
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    assert Person.objects.count() == before + 3


def test_search_from_the_top_bar_and_a_long_person_list_filtered_as_one_types(
    site, federation, new_context
):
    """The top bar's search finds a person by a two-character word and never one of the other
    county; the 谈话对象 list of a talk narrows as one types, each name with its unit."""
    mine = PersonFactory(unit=federation.a1, name="王小红")
    PersonFactory(unit=federation.b1, name="李小红")
    for i in range(12):
        PersonFactory(unit=federation.a2, name=f"甲二职工{i:02d}")
    user_with(Role.DISCIPLINE, federation.county_a, username="discipline_a")
    page = log_in(new_context(), site, "discipline_a")
    page.fill("#top-search-q", "小红")
    page.press("#top-search-q", "Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    hits = page.locator('[data-ledger="org.people"] a.search-hit')
    expect(hits).to_have_count(1)
    expect(hits.first).to_have_text("王小红")
    expect(page.locator("main")).not_to_contain_text("李小红")
    hits.first.click()
    expect(page).to_have_url(f"{site}{LIST_PATH}{mine.pk}/")

    page.goto(f"{site}/ledgers/supervision/talks/new/")
    box = page.locator("#id_talked_to-filter")
    expect(box).to_be_visible()
    options = page.locator("#id_talked_to option")
    expect(page.locator("#id_talked_to option", has_text="王小红（甲一基层社）")).to_have_count(1)
    total = options.count()
    assert total >= 13
    box.fill("小红")
    visible = page.locator("#id_talked_to option:not([hidden])")
    expect(visible).to_have_count(1)
    expect(visible.first).to_have_text("王小红（甲一基层社）")
    page.select_option("#id_talked_to", label="王小红（甲一基层社）")
    box.fill("职工0")
    expect(visible).to_have_count(11)  # ten matches, and the one chosen stays in view
    expect(page.locator("#id_talked_to-chosen")).to_have_text(f"1 / {total}")
