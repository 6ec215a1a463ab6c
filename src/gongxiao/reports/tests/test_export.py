"""The Word file in the layout of GB/T 9704-2012 (SPEC §5) read back, its working papers, and
finalisation. Every figure printed equals its metric and the rows listed for it."""

import datetime
import io
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from python_calamine import CalamineWorkbook

from gongxiao.core import metrics
from gongxiao.core.models import RecordLocked
from gongxiao.core.periods import parse_period
from gongxiao.core.services import StaleEdit
from gongxiao.core.tests.helpers import docx_east_asian_language, docx_header_repeats
from gongxiao.rectification.tests.factories import ItemFactory
from gongxiao.reports import services
from gongxiao.reports.models import Kind, ReportDraft, ReportSection
from gongxiao.reports.skeletons import skeleton

from .conftest import YEAR
from .factories import SectionFactory

MM = Mm(1)


def _governance(ledgers, **kw):
    draft = ReportDraft(
        unit=ledgers.f.city,
        kind=Kind.GOVERNANCE,
        period=str(YEAR),
        doc_number=f"湘供党〔{YEAR + 1}〕3号",
        issue_date=datetime.date(YEAR + 1, 1, 5),
        **kw,
    )
    return services.create_draft(draft=draft, user=ledgers.city_discipline)


def _unzip(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    docx = next(n for n in names if n.endswith(".docx"))
    xlsx = next(n for n in names if n.endswith(".xlsx"))
    return Document(io.BytesIO(z.read(docx))), CalamineWorkbook.from_filelike(
        io.BytesIO(z.read(xlsx))
    )


def _east_asia(run):
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def _index(wb):
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    head = next(i for i, r in enumerate(rows) if r and r[0] in ("编号", "No."))
    return {r[0]: r for r in rows[head + 1 :] if r and r[0]}


def test_the_word_file_follows_gbt_9704(ledgers):
    draft = _governance(ledgers)
    SectionFactory(draft=draft, level=3, heading="第三层标题", body="")
    SectionFactory(draft=draft, level=4, heading="第四层标题", body="")
    _name, data = services.export_zip(draft=draft, user=ledgers.city_discipline)
    doc, _wb = _unzip(data)

    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < MM and abs(section.page_height - Mm(297)) < MM
    assert abs(section.top_margin - Mm(37)) < MM
    assert abs(section.bottom_margin - Mm(35)) < MM
    assert abs(section.left_margin - Mm(28)) < MM
    assert abs(section.right_margin - Mm(26)) < MM
    # 22 lines of 28 characters in the 156 × 225 mm text block (as rendered: test_render.py).
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    line_pitch = int(grid.get(qn("w:linePitch")))
    assert line_pitch * 22 <= height < line_pitch * 23  # 22 lines fit, 23 do not
    pitch = Pt(16).pt + int(grid.get(qn("w:charSpace"))) / 4096
    assert abs(pitch * 28 - Mm(156).pt) < 0.2
    # Laid out on the grid without snapping to it: exact lines, condensed characters.
    normal = doc.styles["Normal"]
    assert normal.paragraph_format.line_spacing.twips == line_pitch
    assert normal.paragraph_format.space_before == normal.paragraph_format.space_after == 0
    assert normal.element.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    spacing = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")))  # 1/20 pt
    assert 28 * (16 + spacing / 20) < Mm(156).pt - 2 and 29 * (16 + spacing / 20) > Mm(156).pt

    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[0].text == f"湘供党〔{YEAR + 1}〕3号"
    title = paragraphs[1]
    assert (
        title.text == f"市社关于{parse_period(str(YEAR)).label}全面从严治党（治社）工作情况的报告"
    )
    assert _east_asia(title.runs[0]) == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22)  # 二号
    assert paragraphs[2].text == "市纪委监委："

    headings = {1: [], 2: [], 3: [], 4: []}
    for p in doc.paragraphs:
        if p.style.name.startswith("GB Heading"):
            headings[int(p.style.name[-1])].append(p)
    # Numbered in order, one per first-level heading of the skeleton (modules add their own).
    tops = sum(1 for level, *_ in skeleton(Kind.GOVERNANCE)["sections"] if level == 1)
    assert tops >= 6
    assert [p.text[:2] for p in headings[1]] == [f"{n}、" for n in "一二三四五六七八九十"[:tops]]
    # The page number sits below the text block: the footer is within the bottom margin.
    assert section.footer_distance < Mm(35 - 7)
    assert headings[2][0].text.startswith("（一）") and headings[2][0].text[3] not in "、.，"
    assert headings[3][0].text == "1.第三层标题" and headings[4][0].text == "（1）第四层标题"
    fonts = {1: "黑体", 2: "楷体_GB2312", 3: "仿宋_GB2312", 4: "仿宋_GB2312"}
    for level, font in fonts.items():
        for p in headings[level]:
            assert _east_asia(p.runs[0]) == font
            assert p.runs[0].font.size == Pt(16)
    # Headings carry an outline level, so Word's navigation pane shows them.
    assert headings[1][0].style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "0"

    body = [
        p for p in paragraphs if p.style.name == "Normal" and p.paragraph_format.first_line_indent
    ]
    assert body, "narrative paragraphs"
    for p in body:
        assert _east_asia(p.runs[0]) == "仿宋_GB2312"
        assert p.runs[0].font.size == Pt(16)  # 三号
        assert p.paragraph_format.first_line_indent == Pt(32)  # two characters

    # Signature and a date with the full year and no zero padding.
    assert paragraphs[-2].text == "市社"
    assert paragraphs[-1].text == f"{YEAR + 1}年1月5日"

    # Page numbers "— 1 —" in 宋体 四号, outer side: odd pages right, even pages left.
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for p, align in ((odd, 2), (even, 0)):
        assert p.alignment == align
        xml = p._p.xml
        assert "PAGE" in xml and p.text.startswith("— ") and p.text.endswith(" —")
        assert {_east_asia(r) for r in p.runs} == {"宋体"}
        assert p.runs[0].font.size == Pt(14)
    # No font is embedded.
    assert doc.settings.element.find(qn("w:embedTrueTypeFonts")) is None


def test_the_word_file_is_chinese_and_its_tables_repeat_their_headers(ledgers):
    draft = _governance(ledgers)
    SectionFactory(
        draft=draft, body="{{ 表: rectification.items.found, rectification.items.closed }}"
    )
    _name, data = services.export_zip(draft=draft, user=ledgers.city_discipline)
    doc, _wb = _unzip(data)
    assert docx_east_asian_language(doc) == "zh-CN"
    assert doc.tables and all(docx_header_repeats(t) for t in doc.tables)


def test_each_figure_equals_its_metric_and_the_rows_in_the_working_papers(ledgers):
    draft = _governance(ledgers)
    user = ledgers.city_discipline
    _name, data = services.export_zip(draft=draft, user=user)
    doc, wb = _unzip(data)
    text = "\n".join(p.text for p in doc.paragraphs)
    index = _index(wb)
    assert len(index) >= 30  # the yearly report prints some fifty figures

    year = parse_period(str(YEAR))
    found = metrics.compute("rectification.items.found", user, ledgers.f.city, year).value
    closed = metrics.compute("rectification.items.closed", user, ledgers.f.city, year).value
    assert (found, closed) == (11, 5)
    assert f"全年梳理发现问题{found}个，已整改销号{closed}个，整改完成率45.5%" in text

    for fid, row in index.items():
        _no, _label, key, _measure, unit_name, period_label, _filters, value, listed, sheet = row
        metric = metrics.get_metric(key)
        sheet_rows = wb.get_sheet_by_name(sheet).to_python()
        meta = {r[0]: r[1] for r in sheet_rows[:12] if r and r[0]}
        assert meta.get("指标键", meta.get("Metric key")) == key
        assert str(value) == meta.get("数值", meta.get("Value"))
        header_at = next(i for i, r in enumerate(sheet_rows) if i > 11 and r and r[0])
        data_rows = [r for r in sheet_rows[header_at + 1 :] if any(c != "" for c in r)]
        assert len(data_rows) == int(listed), fid
        if metric.value is None:  # a count: the figure is the number of rows behind it
            assert int(float(value)) == int(listed), fid

    # The table by unit: own rows, each county, total, as the roll-up gives them.
    table = doc.tables[0]
    cells = [[c.text for c in r.cells] for r in table.rows]
    assert cells[1][0].startswith("市社") and cells[1][1] == "1"
    assert cells[2][0] == "甲县社" and cells[2][1] == "7"
    assert cells[3][0] == "乙县社" and cells[3][1] == "3"
    assert cells[-1][1] == "11"


def test_the_same_draft_for_the_same_period_gives_the_same_figures(ledgers):
    draft = _governance(ledgers)
    user = ledgers.city_discipline

    def values():
        _n, data = services.export_zip(draft=draft, user=user)
        doc, wb = _unzip(data)
        return [p.text for p in doc.paragraphs], {k: r[7] for k, r in _index(wb).items()}

    assert values() == values()


def test_finalising_freezes_the_figures_and_keeps_the_files(ledgers):
    draft = _governance(ledgers)
    user = ledgers.city_discipline
    with pytest.raises(StaleEdit):
        services.finalise(draft=draft, user=user, expected_version=draft.version - 1)
    services.finalise(draft=draft, user=user, expected_version=draft.version)
    draft.refresh_from_db()
    assert draft.is_final and draft.final_docx and draft.final_workpapers
    before = _unzip(services.export_zip(draft=draft, user=user)[1])[0]

    # A new problem found afterwards does not change the issued report.
    ItemFactory(unit=ledgers.f.a1, found_date=datetime.date(YEAR, 12, 1))
    doc = services.document_for(draft, user)
    text = "".join(b.text for b in doc.blocks)
    assert "全年梳理发现问题11个" in text
    after = _unzip(services.export_zip(draft=draft, user=user)[1])[0]
    assert [p.text for p in after.paragraphs] == [p.text for p in before.paragraphs]

    with pytest.raises(RecordLocked):
        services.add_section(section=ReportSection(draft=draft, level=1, heading="补充"), user=user)
    section = draft.sections.first()
    with pytest.raises(RecordLocked):
        services.move_section(section=section, user=user, up=False)
    with pytest.raises(RecordLocked):
        services.finalise(draft=draft, user=user, expected_version=draft.version)


def test_a_wrong_placeholder_stops_the_export_and_says_where(ledgers):
    draft = _governance(ledgers)
    SectionFactory(draft=draft, body="共{{ rectification.items.foud }}个")
    with pytest.raises(services.ReportError) as exc:
        services.export_zip(draft=draft, user=ledgers.city_discipline)
    assert "rectification.items.foud" in exc.value.messages[0]
    with pytest.raises(services.ReportError):
        services.finalise(draft=draft, user=ledgers.city_discipline, expected_version=draft.version)
    draft.refresh_from_db()
    assert not draft.is_final


def test_a_figure_the_user_may_not_see_is_refused_not_printed(ledgers):
    draft = _governance(ledgers)
    SectionFactory(draft=draft, body="处理{{ discipline.actions.count }}人次")
    doc = services.document_for(draft, ledgers.city_leader)
    assert any("discipline.actions.count" in e for e in doc.errors)
    # The discipline officer may see it.
    assert not services.document_for(draft, ledgers.city_discipline).errors


def test_a_special_campaign_report_counts_the_campaigns_items(ledgers):
    draft = services.create_draft(
        draft=ReportDraft(
            unit=ledgers.f.county_a, kind=Kind.CAMPAIGN, period=str(YEAR), campaign=ledgers.campaign
        ),
        user=ledgers.leader_a,
    )
    doc = services.document_for(draft, ledgers.leader_a)
    assert not doc.errors
    text = "".join(b.text for b in doc.blocks if b.kind != "table")
    assert "共查摆问题4个" in text  # county A's campaign items, not all 7 of its items
    assert "已整改销号2个" in text
    # Without a campaign, 本专项 cannot apply.
    draft.campaign = None
    draft.kind = Kind.BLANK
    doc = services.document_for(draft, ledgers.leader_a)
    assert doc.errors


def test_sections_move_and_new_ones_go_last(ledgers):
    draft = _governance(ledgers)
    user = ledgers.city_discipline
    first, second = list(draft.sections.all())[:2]
    services.move_section(section=second, user=user, up=True)
    assert list(draft.sections.all())[:2] == [second, first]
    new = services.add_section(
        section=ReportSection(draft=draft, level=1, heading="新增"), user=user
    )
    assert list(draft.sections.all())[-1] == new


def test_skeletons_name_only_real_metrics():
    from gongxiao.reports import placeholders
    from gongxiao.reports.skeletons import all_skeletons

    for skel in all_skeletons():
        for _level, heading, body in skel["sections"]:
            for ref in placeholders.references(heading + body):
                assert not isinstance(ref, placeholders.BadRef), (skel["kind"], ref)
    assert {s["kind"] for s in all_skeletons()} == set(Kind.values)


def test_working_paper_sheet_names_are_valid():
    from gongxiao.reports.workpapers import sheet_name

    class U:
        id = "F01"
        label = "a/b:c*d?[e]" + "长" * 40

    name = sheet_name(U)
    assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)


def test_an_export_of_a_finalised_report_beyond_the_users_reach_says_why(
    ledgers, django_capture_on_commit_callbacks
):
    """The job of a user whose roles do not reach the finalised figures fails with that reason,
    not with the message of an unexpected failure."""
    from django.test import Client

    from gongxiao.core.models import Job

    draft = _governance(ledgers)
    SectionFactory(draft=draft, body="处理{{ discipline.actions.count }}人次")
    services.finalise(draft=draft, user=ledgers.city_discipline, expected_version=draft.version)
    c = Client()
    c.force_login(ledgers.city_leader)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/reports/drafts/{draft.pk}/export/")
    job = Job.objects.get(kind=Job.Kind.REPORT)
    assert job.status == Job.Status.FAILED
    assert "不能导出" in job.message or "cannot be exported" in job.message, job.message
