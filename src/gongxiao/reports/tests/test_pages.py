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
    c.post("/reports/statistics/", {"unit": ledgers.f.county_b.pk, "metric": ["x"]})
    c.post("/reports/statistics/", {"unit": ledgers.f.county_a.pk})
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


def test_finalise_through_the_page_then_the_draft_is_locked(ledgers):
    draft = DraftFactory(unit=ledgers.f.county_a, period=str(YEAR))
    section = SectionFactory(draft=draft)
    c = client_for(ledgers.leader_a)
    c.post(f"/reports/drafts/{draft.pk}/finalise/", {"version": draft.version + 5})
    draft.refresh_from_db()
    assert not draft.is_final  # a stale version is refused
    c.post(f"/reports/drafts/{draft.pk}/finalise/", {"version": draft.version})
    draft.refresh_from_db()
    assert draft.is_final
    html = c.get(f"/ledgers/reports/drafts/{draft.pk}/").content.decode()
    assert 'id="final-docx"' in html and 'id="btn-finalise"' not in html
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
    assert c.post(f"/reports/drafts/{theirs.pk}/finalise/", {"version": 1}).status_code == 404
    assert c.post(f"/reports/sections/{section.pk}/move/", {"direction": "up"}).status_code == 404
    assert not Job.objects.exists()
    theirs.refresh_from_db()
    assert not theirs.is_final
    # A read-only role may look but not finalise.
    from gongxiao.org.roles import Role
    from gongxiao.org.tests.factories import user_with

    reader = client_for(user_with(Role.READ_ONLY, ledgers.f.county_b))
    assert reader.get(f"/ledgers/reports/drafts/{theirs.pk}/").status_code == 200
    assert reader.post(f"/reports/drafts/{theirs.pk}/finalise/", {"version": 1}).status_code == 404


def test_section_moves_on_the_page(ledgers):
    draft = DraftFactory(unit=ledgers.f.county_a, period=str(YEAR))
    a, b = SectionFactory(draft=draft), SectionFactory(draft=draft)
    c = client_for(ledgers.leader_a)
    resp = c.post(f"/reports/sections/{b.pk}/move/", {"direction": "up"})
    assert resp.status_code == 302
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
