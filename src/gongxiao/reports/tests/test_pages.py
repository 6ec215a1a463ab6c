"""The pages of the reports module: catalogue, drill-down, dashboard, statistical tables, draft
preview, export and finalisation, and Word templates; each within the user's scope."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from gongxiao.core.models import Job
from gongxiao.core.periods import parse_period
from gongxiao.core.tests.helpers import response_bytes
from gongxiao.reports.demo import template_docx
from gongxiao.reports.models import Kind, ReportDraft, ReportTemplate

from .conftest import YEAR
from .factories import DraftFactory, SectionFactory


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _rows_on(client, url):
    html = client.get(url).content.decode()
    return len(re.findall(r"<tr[^>]*data-row", html)) or html.count('class="row-link"')


def _count_on_list(client, url):
    html = client.get(url).content.decode()
    m = re.search(r'id="row-count">\D*(\d+)', html)
    return int(m.group(1))


def test_the_catalogue_lists_every_figure_and_each_links_to_exactly_its_rows(ledgers):
    c = client_for(ledgers.city_leader)
    html = c.get(f"/reports/metrics/?period={YEAR}").content.decode()
    assert "rectification.items.found" in html and "decisions.meetings.held" in html
    # The four forms are the discipline office's alone.
    assert "discipline.actions.count" not in html
    links = re.findall(r'<a href="([^"]+)" class="figure" data-metric="([^"]+)">([^<]+)</a>', html)
    assert len(links) > 20
    for url, key, value in links:
        if key.startswith("rectification.items.found"):
            assert _count_on_list(c, url.replace("&amp;", "&")) == int(value) == 11


def test_a_metric_drills_down_by_unit_dimension_and_quarter(ledgers):
    c = client_for(ledgers.city_leader)
    resp = c.get(f"/reports/metrics/rectification.items.found/?period={YEAR}")
    html = resp.content.decode()
    assert resp.status_code == 200
    by_unit = html.split('id="by-unit"')[1].split("</table>")[0]
    assert ">7</a>" in by_unit and ">3</a>" in by_unit and ">11</a>" in by_unit
    assert 'id="charts-data"' in html  # the trend chart's data, read by charts.js
    assert c.get("/reports/metrics/no.such.metric/").status_code == 404
    assert c.get("/reports/metrics/discipline.actions.count/").status_code == 404
    assert (
        client_for(ledgers.city_discipline)
        .get("/reports/metrics/discipline.actions.count/")
        .status_code
        == 200
    )


def test_the_dashboard_shows_figures_charts_and_tables_with_links(ledgers):
    c = client_for(ledgers.leader_a)
    html = c.get(f"/reports/?period={YEAR}").content.decode()
    tile = re.search(
        r'href="([^"]+)" data-metric="rectification.items.found" data-value="(\d+)"', html
    )
    assert tile and tile.group(2) == "7"
    assert _count_on_list(c, tile.group(1).replace("&amp;", "&")) == 7
    for chart in ("chart-trend", "chart-units", "chart-rectification-items-found-status"):
        assert f'id="{chart}"' in html
    assert "甲一基层社" in html and "乙县社" not in html
    assert "echarts.min.js" in html and "charts.js" in html


def test_report_pages_stay_within_the_users_scope(ledgers):
    f = ledgers.f
    c = client_for(ledgers.leader_a)
    for url in ("/reports/", "/reports/metrics/", "/reports/metrics/rectification.items.found/"):
        assert c.get(f"{url}?unit={f.county_b.pk}").status_code == 404
        assert c.get(f"{url}?unit={f.city.pk}").status_code == 404
        assert c.get(f"{url}?unit=abc").status_code == 404
    # A data-entry clerk has no reports.
    clerk = client_for(ledgers.clerk_a1)
    assert clerk.get("/reports/").status_code == 403
    assert clerk.get("/reports/metrics/").status_code == 403
    assert clerk.get("/reports/statistics/").status_code == 403


def test_a_wrong_period_is_explained_and_the_working_period_kept(ledgers):
    c = client_for(ledgers.leader_a)
    resp = c.get("/reports/metrics/?period=2024Q5")
    assert resp.status_code == 200
    assert "2024Q5" in resp.content.decode()


def test_statistical_table_of_units_by_metrics(ledgers, django_capture_on_commit_callbacks):
    c = client_for(ledgers.city_leader)
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(
            "/reports/statistics/",
            {
                "unit": ledgers.f.city.pk,
                "period": str(YEAR),
                "metric": ["rectification.items.found", "rectification.items.closed"],
                "compare": "on",
            },
        )
    job = Job.objects.get(user=ledgers.city_leader, kind=Job.Kind.STATISTICS)
    assert resp.status_code == 302 and job.status == Job.Status.DONE, job.message
    data = response_bytes(c.get(f"/jobs/{job.pk}/download/"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    body = [r for r in rows[4:] if r and r[0]]
    assert [r[0] for r in body][1:] == ["甲县社", "乙县社", *body[-1:][0][:1]]
    assert [r[1] for r in body] == [1, 7, 3, 11]  # found: own, A, B, total
    assert body[-1][2] == 2  # the same period last year
    assert [r[4] for r in body] == [1, 3, 1, 5]  # closed


def test_statistics_refuse_a_unit_outside_scope_and_an_empty_choice(ledgers):
    c = client_for(ledgers.leader_a)
    found = "rectification.items.found"
    c.post("/reports/statistics/", {"unit": ledgers.f.county_b.pk, "metric": [found]})
    c.post("/reports/statistics/", {"unit": ledgers.f.city.pk, "metric": [found]})
    c.post("/reports/statistics/", {"unit": "x", "metric": [found]})
    c.post("/reports/statistics/", {"unit": ledgers.f.county_a.pk})
    c.post("/reports/statistics/", {"unit": ledgers.f.county_a.pk, "metric": ["no.such"]})
    c.post(
        "/reports/statistics/", {"unit": ledgers.f.county_a.pk, "metric": [found], "period": "0001"}
    )
    assert not Job.objects.filter(user=ledgers.leader_a).exists()


def test_a_draft_from_a_skeleton_previews_with_linked_figures_and_exports(
    ledgers, django_capture_on_commit_callbacks
):
    c = client_for(ledgers.city_discipline)
    resp = c.post(
        "/ledgers/reports/drafts/new/",
        {"unit": ledgers.f.city.pk, "kind": Kind.GOVERNANCE, "period": str(YEAR)},
    )
    errors = re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)', resp.content.decode())
    assert resp.status_code == 302, errors
    draft = ReportDraft.objects.get()
    assert draft.sections.count() > 10
    html = c.get(f"/ledgers/reports/drafts/{draft.pk}/").content.decode()
    assert 'id="report-preview"' in html and 'data-figure="F01"' in html
    assert "全面从严治党（治社）工作情况的报告" in html
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/reports/drafts/{draft.pk}/export/")
    job = Job.objects.get(kind=Job.Kind.REPORT)
    assert job.status == Job.Status.DONE, job.message
    z = zipfile.ZipFile(io.BytesIO(response_bytes(c.get(f"/jobs/{job.pk}/download/"))))
    assert sorted(n.rsplit(".", 1)[1] for n in z.namelist()) == ["docx", "xlsx"]


def test_finalise_through_the_page_then_the_draft_is_locked(
    ledgers, django_capture_on_commit_callbacks
):
    draft = DraftFactory(unit=ledgers.f.county_a, period=str(YEAR))
    section = SectionFactory(draft=draft)
    c = client_for(ledgers.leader_a)
    finalise = f"/ledgers/reports/drafts/{draft.pk}/actions/finalise/"
    for version in ("abc", draft.version + 5):  # missing or stale: refused in the request
        resp = c.post(finalise, {"version": version}, follow=True)
        assert any(m.level_tag == "error" for m in resp.context["messages"])
    assert not Job.objects.exists()
    draft.refresh_from_db()
    assert not draft.is_final and not draft.final_docx
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(finalise, {"version": draft.version})
    assert resp.status_code == 302 and resp.url.startswith("/jobs/")
    draft.refresh_from_db()
    assert draft.is_final
    job = Job.objects.get(status=Job.Status.DONE, kind=Job.Kind.ACTION)
    z = zipfile.ZipFile(io.BytesIO(response_bytes(c.get(f"/jobs/{job.pk}/download/"))))
    assert sorted(n.rsplit(".", 1)[1] for n in z.namelist()) == ["docx", "xlsx"]
    html = c.get(f"/ledgers/reports/drafts/{draft.pk}/").content.decode()
    assert 'id="final-docx"' in html and 'id="step-finalise"' not in html
    resp = c.get(f"/ledgers/reports/sections/{section.pk}/edit/")
    assert resp.status_code == 302  # back to the row, with the reason
    resp = c.post(
        "/ledgers/reports/sections/new/",
        {"draft": draft.pk, "level": 1, "heading": "补充", "body": "", "order": 0},
    )
    assert draft.sections.count() == 1
    assert c.get(f"/ledgers/reports/drafts/{draft.pk}/file/final_docx/").status_code == 200


def test_draft_actions_refuse_another_countys_draft(ledgers):
    theirs = DraftFactory(unit=ledgers.f.county_b, period=str(YEAR))
    section = SectionFactory(draft=theirs)
    c = client_for(ledgers.leader_a)
    assert c.post(f"/reports/drafts/{theirs.pk}/export/").status_code == 404
    finalise = f"/ledgers/reports/drafts/{theirs.pk}/actions/finalise/"
    assert c.post(finalise, {"version": 1}).status_code == 404
    move = f"/ledgers/reports/sections/{section.pk}/actions/move_up/"
    assert c.post(move, {"version": section.version}).status_code == 404
    assert not Job.objects.exists()
    theirs.refresh_from_db()
    assert not theirs.is_final
    # A read-only role may look but not finalise.
    from gongxiao.org.roles import Role
    from gongxiao.org.tests.factories import user_with

    reader = client_for(user_with(Role.READ_ONLY, ledgers.f.county_b))
    assert reader.get(f"/ledgers/reports/drafts/{theirs.pk}/").status_code == 200
    resp = reader.post(finalise, {"version": 1}, follow=True)
    assert any("不允许" in str(m) or m.level_tag == "error" for m in resp.context["messages"])
    assert not Job.objects.exists()
    theirs.refresh_from_db()
    assert not theirs.is_final


def test_section_moves_on_the_page(ledgers):
    draft = DraftFactory(unit=ledgers.f.county_a, period=str(YEAR))
    a, b = SectionFactory(draft=draft), SectionFactory(draft=draft)
    c = client_for(ledgers.leader_a)
    resp = c.post(f"/ledgers/reports/sections/{b.pk}/actions/move_up/", {"version": b.version})
    assert resp.status_code == 302 and resp.url.endswith(f"#section-{b.pk}")
    assert list(draft.sections.all()) == [b, a]
    # The first one goes no higher: refused with a message, nothing renumbered.
    b.refresh_from_db()
    resp = c.post(
        f"/ledgers/reports/sections/{b.pk}/actions/move_up/", {"version": b.version}, follow=True
    )
    assert any("第一" in str(m) for m in resp.context["messages"])
    assert list(draft.sections.all()) == [b, a]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.txt", b"hello", "Word"),
        ("broken.docx", b"not a zip", "cannot be read"),
    ],
)
def test_a_bad_word_template_is_refused_with_a_reason(ledgers, name, content, expected):
    from django.utils import translation

    c = client_for(ledgers.city_leader)
    with translation.override("en"):
        resp = c.post(
            "/ledgers/reports/templates/new/",
            {"unit": ledgers.f.city.pk, "name": "模板", "file": SimpleUploadedFile(name, content)},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert resp.status_code == 200
    assert expected in resp.content.decode()
    assert not ReportTemplate.objects.exists()


def _docx_with(*lines):
    from docx import Document

    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_template_placeholders_are_checked(ledgers):
    from gongxiao.reports.templating import check_template

    def check(data):
        f = SimpleUploadedFile("t.docx", data)
        return check_template(f)

    assert check(template_docx()) == []
    assert check(_docx_with("{{ secret }}"))  # an unknown name
    assert check(_docx_with("{{ figures['no.such.metric'] }}"))
    assert check(_docx_with("{% for x in %}"))  # a syntax error
    # Templates are users' text: no reaching into objects or Python's internals.
    assert check(_docx_with("{{ figures.resolver.user.password }}"))
    assert check(_docx_with("{{ figures.__init__.__globals__ }}"))
    assert check(_docx_with("{{ ''.__class__.__mro__[1].__subclasses__() }}"))
    assert check(_docx_with("{{ sections[0].__class__ }}"))


def test_a_template_that_slipped_past_the_check_still_cannot_reach_beyond_its_values(ledgers):
    from django.core.files.base import ContentFile
    from docx import Document

    from gongxiao.reports import services
    from gongxiao.reports.models import ReportTemplate

    evil = ReportTemplate(unit=ledgers.f.city, name="坏模板")
    evil.file.save(
        "evil.docx",
        ContentFile(
            _docx_with(
                "[{{ figures.resolver }}]",
                "{{ figures['rectification.items.found'] }}",
                "{{ title.__class__.__mro__ }}",
            )
        ),
        save=False,
    )
    evil.save()
    draft = DraftFactory(unit=ledgers.f.city, period=str(YEAR), template=evil)
    with pytest.raises(ValueError):  # the sandbox refuses the dunder
        services.export_zip(draft=draft, user=ledgers.city_leader)
    evil.file.save(
        "evil2.docx",
        ContentFile(
            _docx_with("[{{ figures.resolver }}]", "{{ figures['rectification.items.found'] }}")
        ),
        save=True,
    )
    with pytest.raises(ValueError):  # the figures are a plain dict: it has no resolver
        services.export_zip(draft=draft, user=ledgers.city_leader)
    evil.file.save(
        "good.docx",
        ContentFile(_docx_with("{{ figures['rectification.items.found'] }}")),
        save=True,
    )
    _name, data = services.export_zip(draft=draft, user=ledgers.city_leader)
    z = zipfile.ZipFile(io.BytesIO(data))
    docx = next(n for n in z.namelist() if n.endswith(".docx"))
    text = [p.text for p in Document(io.BytesIO(z.read(docx))).paragraphs]
    assert text[0] == "11"


def test_a_draft_on_a_users_word_template(ledgers):
    from docx import Document

    from gongxiao.reports import services
    from gongxiao.reports.tests.factories import TemplateFactory

    template = TemplateFactory(unit=ledgers.f.city)
    draft = DraftFactory(
        unit=ledgers.f.city, period=str(YEAR), template=template, addressee="市社党组"
    )
    SectionFactory(draft=draft, heading="整改情况", body="销号{{ rectification.items.closed }}个")
    _name, data = services.export_zip(draft=draft, user=ledgers.city_leader)
    z = zipfile.ZipFile(io.BytesIO(data))
    docx = next(n for n in z.namelist() if n.endswith(".docx"))
    text = "\n".join(p.text for p in Document(io.BytesIO(z.read(docx))).paragraphs)
    assert "共发现问题11个，整改销号5个（上年同期0个）" in text
    assert "一、整改情况" in text and "销号5个" in text
    assert "市社党组：" in text


def test_breakdown_labels_do_not_name_rows_outside_scope(ledgers):
    import datetime

    from gongxiao.rectification.tests.factories import CampaignFactory, ItemFactory

    secret = CampaignFactory(unit=ledgers.f.county_a, name="甲县内部专项")
    ItemFactory(unit=ledgers.f.b1, found_date=datetime.date(YEAR, 5, 5), campaign=secret)
    c = client_for(ledgers.leader_b)
    html = c.get(f"/reports/metrics/rectification.items.found/?period={YEAR}").content.decode()
    assert "甲县内部专项" not in html
    # The city, which sees the campaign, gets its name.
    html = client_for(ledgers.city_leader).get(
        f"/reports/metrics/rectification.items.found/?period={YEAR}"
    )
    assert "甲县内部专项" in html.content.decode()


def test_a_finalised_report_is_for_those_whose_rights_reach_its_figures(
    ledgers, django_capture_on_commit_callbacks
):
    from gongxiao.core.models import ChangeRecord
    from gongxiao.org.roles import Role
    from gongxiao.org.tests.factories import user_with
    from gongxiao.reports import services

    draft = DraftFactory(unit=ledgers.f.county_a, period=str(YEAR))
    SectionFactory(
        draft=draft,
        body="发现问题{{ rectification.items.found }}个，谈话{{ supervision.talks.count }}次。",
    )
    services.finalise(draft=draft, user=ledgers.leader_a, expected_version=draft.version)
    url = f"/ledgers/reports/drafts/{draft.pk}/"
    assert client_for(ledgers.leader_a).get(f"{url}file/final_docx/").status_code == 200
    # An asset officer of the county may read reports but not supervision: no frozen figures,
    # no issued files.
    asset = client_for(user_with(Role.ASSET, ledgers.f.county_a))
    html = asset.get(url).content.decode()
    assert 'id="partial-view"' in html and 'id="final-docx"' not in html
    for field in ("final_docx", "final_workpapers"):
        assert asset.get(f"{url}file/{field}/").status_code == 403
    # A leader of one grassroots co-op does not reach the county's whole subtree.
    a1_leader = client_for(user_with(Role.LEADER, ledgers.f.a1))
    assert a1_leader.get(url).status_code == 404  # the county's draft is above him
    # The frozen figures are not in the history every viewer reads.
    record = ChangeRecord.objects.filter(object_pk=str(draft.pk)).latest("at")
    assert "snapshot" not in (record.after or {})


def test_a_finalised_report_cannot_be_deleted_or_its_sections_moved(ledgers):
    from rest_framework.test import APIClient

    from gongxiao.reports import services
    from gongxiao.reports.models import ReportSection

    final = DraftFactory(unit=ledgers.f.county_a, period=str(YEAR))
    kept = SectionFactory(draft=final)
    services.finalise(draft=final, user=ledgers.leader_a, expected_version=final.version)
    open_draft = DraftFactory(unit=ledgers.f.county_a, period=str(YEAR))
    loose = SectionFactory(draft=open_draft)
    c = client_for(ledgers.leader_a)
    c.post(f"/ledgers/reports/drafts/{final.pk}/delete/")
    c.post(f"/ledgers/reports/sections/{kept.pk}/delete/")
    c.post(
        f"/ledgers/reports/sections/{loose.pk}/edit/",
        {
            "draft": final.pk,
            "level": 1,
            "heading": "塞进定稿",
            "body": "",
            "order": 1,
            "version": loose.version,
        },
    )
    assert ReportDraft.objects.filter(pk=final.pk).exists()
    assert list(final.sections.all()) == [kept]
    api = APIClient()
    api.force_authenticate(ledgers.leader_a)
    resp = api.patch(
        f"/api/reports/sections/{kept.pk}/",
        {"draft": open_draft.pk, "version": kept.version},
        format="json",
    )
    assert resp.status_code in (400, 409)
    assert ReportSection.objects.get(pk=kept.pk).draft_id == final.pk


def test_odd_input_is_refused_with_a_reason_not_a_crash(ledgers):
    c = client_for(ledgers.city_leader)
    for url in ("/reports/", "/reports/metrics/", "/reports/metrics/rectification.items.found/"):
        for period in ("0001", "0000", "2100Q4", "1949", "abc"):
            assert c.get(f"{url}?period={period}").status_code == 200, (url, period)
    resp = c.post(
        "/ledgers/reports/drafts/new/",
        {"unit": ledgers.f.city.pk, "kind": Kind.BLANK, "period": "0001", "title": "x"},
    )
    assert resp.status_code == 200 and not ReportDraft.objects.exists()
    draft = DraftFactory(unit=ledgers.f.city, period=str(YEAR))
    resp = c.post(
        "/ledgers/reports/sections/new/",
        {"draft": draft.pk, "level": 1, "heading": "标题\x07", "body": "", "order": 0},
    )
    assert resp.status_code == 200 and not draft.sections.exists()
    # A table in a heading is an error to correct, not a crash.
    SectionFactory(draft=draft, heading="{{ 表: rectification.items.found }}", body="")
    html = c.get(f"/ledgers/reports/drafts/{draft.pk}/").content.decode()
    assert 'id="draft-errors"' in html


def test_tables_line_up_when_a_closed_unit_has_rows_in_one_figure_only(ledgers):
    """A closed grassroots co-op with a problem found but none closed: every column of the table
    and of the statistics keeps it on the same row."""
    import datetime

    from gongxiao.org.models import Unit
    from gongxiao.rectification.tests.factories import ItemFactory
    from gongxiao.reports import placeholders
    from gongxiao.reports import stats as stats_mod

    f = ledgers.f
    closed_unit = Unit.objects.create(
        code="A3", name="甲三基层社（已撤销）", parent=f.county_a, status="closed"
    )
    ItemFactory(unit=closed_unit, found_date=datetime.date(YEAR, 4, 4))
    draft = DraftFactory(unit=f.county_a, period=str(YEAR))
    SectionFactory(
        draft=draft,
        body="{{ 表: rectification.items.closed, rectification.items.found, "
        "rectification.items.closeout_rate }}",
    )
    doc = placeholders.build(draft, ledgers.leader_a)
    assert not doc.errors
    table = next(b.table for b in doc.blocks if b.kind == "table")
    rows = {r[0].text: [c.text for c in r[1:]] for r in table.rows}
    assert rows.get("甲三基层社（已撤销）") == ["0", "1", "0%"], rows
    assert rows["甲一基层社"] == ["2", "4", "50%"]
    buf = io.BytesIO()
    stats_mod.write(
        user=ledgers.leader_a,
        unit=f.county_a,
        period=parse_period(str(YEAR)),
        keys=["rectification.items.closed", "rectification.items.closeout_rate"],
        compare=True,
        target=buf,
    )
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue())).get_sheet_by_index(0)
    body = {r[0]: r[1:] for r in sheet.to_python()[4:] if r and r[0]}
    assert body["甲三基层社（已撤销）"][0] == 0 and body["甲三基层社（已撤销）"][3] == 0
    assert body["甲一基层社"][0] == 2 and body["甲一基层社"][3] == 50
    html = client_for(ledgers.leader_a).get(f"/reports/?period={YEAR}").content.decode()
    assert "甲三基层社（已撤销）" in html
