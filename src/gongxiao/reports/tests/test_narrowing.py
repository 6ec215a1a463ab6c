"""Figures that say exactly what the sentence says: narrowing by a dimension, conditional text,
zero figures marked, rates printed alike, the campaign named, 截至 for past periods."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from gongxiao.core import metrics
from gongxiao.decisions.models import Body
from gongxiao.decisions.tests.factories import MeetingFactory
from gongxiao.reports import placeholders as ph
from gongxiao.reports import services, workpapers
from gongxiao.reports.models import Kind, ReportDraft
from gongxiao.reports.skeletons import all_skeletons
from gongxiao.supervision import models as sm
from gongxiao.supervision.tests.factories import make_inspection, make_talk

from .conftest import YEAR
from .factories import DraftFactory, SectionFactory
from .test_pages import _count_on_list, client_for

PARTY = "召开{{ decisions.meetings.held | 会议类型=党组会 }}次党组会议"


@pytest.fixture
def meetings(ledgers):
    f = ledgers.f
    for i in range(18):
        MeetingFactory(
            unit=f.city if i % 2 else f.a1,
            body=Body.PARTY_GROUP,
            date=datetime.date(YEAR, 1 + i % 12, 5),
        )
    for i in range(5):
        MeetingFactory(unit=f.city, body=Body.BOARD, date=datetime.date(YEAR, 2 + i, 9))
    MeetingFactory(unit=f.city, body=Body.PARTY_GROUP, date=datetime.date(YEAR - 1, 6, 1))
    return ledgers


def _paragraph(doc):
    return next(b for b in doc.blocks if b.kind == "paragraph")


def test_party_group_meetings_print_18_when_the_board_also_met(meetings):
    draft = DraftFactory(unit=meetings.f.city, period=str(YEAR))
    SectionFactory(draft=draft, body=PARTY + "，共召开会议{{ decisions.meetings.held }}次。")
    doc = ph.build(draft, meetings.city_leader)
    assert not doc.errors
    assert _paragraph(doc).text == "召开18次党组会议，共召开会议23次。"
    narrowed, everything = doc.figures
    assert narrowed.filters == {"body": Body.PARTY_GROUP}
    assert narrowed.rows.count() == 18 and set(narrowed.rows.values_list("body", flat=True)) == {
        Body.PARTY_GROUP
    }
    assert narrowed.narrowing == "会议类型：党组会"
    # The drill-down link lists exactly the 18.
    c = client_for(meetings.city_leader)
    assert "body=party_group" in narrowed.url
    assert _count_on_list(c, narrowed.url) == 18
    assert _count_on_list(c, everything.url) == 23
    # The preview shows the narrowing.
    html = c.get(f"/ledgers/reports/drafts/{draft.pk}/").content.decode()
    assert 'data-narrowing="会议类型：党组会"' in html


@pytest.mark.parametrize(
    "written",
    [
        "会议类型=党组会",
        "body=party_group",
        "会议类型=Party group meeting (党组会)",
        "党组会",
        "body = 党组会",
    ],
)
def test_a_dimension_is_named_by_label_or_code(meetings, written):
    draft = DraftFactory(unit=meetings.f.city, period=str(YEAR))
    SectionFactory(draft=draft, body="{{ decisions.meetings.held | " + written + " }}")
    doc = ph.build(draft, meetings.city_leader)
    assert not doc.errors
    assert _paragraph(doc).text == "18"


@pytest.mark.parametrize(
    "text,says",
    [
        ("{{ decisions.meetings.held | 会议类型=茶话会 }}", "不是“召开会议次数”可以限定的取值"),
        ("{{ decisions.meetings.held | 颜色=红 }}", "可按以下维度限定：会议类型"),
        ("{{ decisions.meetings.held | =党组会 }}", "维度=值"),
        ("{{ 表: decisions.meetings.held | 党组会 }}", "表格只能使用修饰词"),
        ("{{ 若 decisions.meetings.held 党组会 }}", "若 指标: 文字"),
    ],
)
def test_a_wrong_narrowing_says_what_is_wrong(text, says):
    with translation.override("zh-hans"):
        (ref,) = ph.references(text)
        assert isinstance(ref, ph.BadRef) and says in ref.message, ref.message


def test_unannounced_inspections_and_admonishment_talks_only(ledgers):
    f = ledgers.f
    for method in ("unannounced", "unannounced", "routine"):
        make_inspection(f.a1, method=method, start_date=datetime.date(YEAR, 3, 3))
    for kind in ("admonishment", "reminder", "reminder"):
        talk = make_talk(f.a1, kind=kind, date=datetime.date(YEAR, 4, 4))
        talk.talked_to.add(talk.talker)
    draft = DraftFactory(unit=f.city, period=str(YEAR))
    SectionFactory(
        draft=draft,
        body="检查{{ supervision.inspections.count }}次，其中四不两直"
        "{{ supervision.inspections.count | 检查方式=四不两直 }}次；"
        "诫勉谈话{{ supervision.talks.persons | 谈话类型=诫勉谈话 }}人次。",
    )
    doc = ph.build(draft, ledgers.city_leader)
    assert not doc.errors
    assert _paragraph(doc).text == "检查3次，其中四不两直2次；诫勉谈话1人次。"


def test_working_papers_list_exactly_the_narrowed_rows_and_say_the_filters_in_words(meetings):
    draft = DraftFactory(unit=meetings.f.city, period=str(YEAR))
    SectionFactory(draft=draft, body=PARTY)
    doc = ph.build(draft, meetings.city_leader)
    buf = io.BytesIO()
    counts = workpapers.write(doc, draft, meetings.city_leader, buf)
    assert counts == {"F01": 18}
    book = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue()))
    index = book.get_sheet_by_index(0).to_python()
    row = next(r for r in index if r and r[0] == "F01")
    filters = row[6]
    assert "会议类型：党组会" in filters and f"期间（日期）：{YEAR}年" in filters
    assert "__" not in filters and "=" not in filters
    sheet = book.get_sheet_by_index(1).to_python()
    assert len([r for r in sheet[14:] if any(r)]) == 18  # after the header line
    assert index[0][1] == f"{meetings.f.city.name}工作报告" + draft.title[-3:]


def test_a_conditional_prints_only_when_its_figure_is_not_zero(ledgers):
    f = ledgers.f
    draft = DraftFactory(unit=f.city, period=str(YEAR))
    SectionFactory(
        draft=draft,
        body="征求意见{{ supervision.opinions.count }}条"
        "{{ 若 supervision.opinions.raised: "
        "，其中{{ supervision.opinions.raised }}条已纳入整改台账 }}"
        "{{ 若无 supervision.opinions.raised: ，尚未纳入整改台账 }}。",
    )
    doc = ph.build(draft, ledgers.city_leader)
    assert not doc.errors
    assert _paragraph(doc).text == "征求意见0条，尚未纳入整改台账。"
    lm = sm.LifeMeeting.objects.create(
        unit=f.city, kind="democratic", date=datetime.date(YEAR, 5, 5)
    )
    sm.Opinion.objects.create(life_meeting=lm, text="意见一", item=ledgers.items[-1])
    sm.Opinion.objects.create(life_meeting=lm, text="意见二")
    doc = ph.build(draft, ledgers.city_leader)
    assert _paragraph(doc).text == "征求意见2条，其中1条已纳入整改台账。"


def test_a_zero_figure_is_marked_not_blocked(ledgers):
    draft = DraftFactory(unit=ledgers.f.city, period=str(YEAR))
    SectionFactory(draft=draft, body="签订责任书{{ supervision.letters.signed }}份。")
    doc = ph.build(draft, ledgers.city_leader)
    assert not doc.errors
    seg = _paragraph(doc).segments[1]
    assert seg.text == "0" and seg.warning
    assert doc.warnings and "F01" in doc.warnings[0]
    html = client_for(ledgers.city_leader).get(f"/ledgers/reports/drafts/{draft.pk}/").content
    html = html.decode()
    assert 'id="draft-warnings"' in html and 'data-warning="F01"' in html
    assert 'id="step-finalise"' in html and "disabled" not in re.search(
        r'<button[^>]*id="step-finalise"[^>]*>', html
    ).group(0)


def test_rates_print_alike_and_nothing_to_divide_prints_a_word(ledgers):
    assert metrics.display(Decimal("100.0"), "%") == "100%"
    assert metrics.display(Decimal("96.55"), "%") == "96.6%"
    assert metrics.display(Decimal("50"), "%") == "50%"
    assert metrics.display(None, "%") == "无"
    assert metrics.display(Decimal("12.50"), "万元") == "12.5"
    draft = DraftFactory(unit=ledgers.f.city, period=str(YEAR - 5))
    # Written the old way, with a % after the placeholder: printed once.
    SectionFactory(draft=draft, body="完成率{{ rectification.items.closeout_rate }}%。")
    doc = ph.build(draft, ledgers.city_leader)
    assert _paragraph(doc).text == "完成率无。"
    assert _paragraph(doc).segments[1].warning
    draft = DraftFactory(unit=ledgers.f.city, period=str(YEAR))
    SectionFactory(draft=draft, body="完成率{{ rectification.items.closeout_rate }}。")
    doc = ph.build(draft, ledgers.city_leader)
    (used,) = doc.figures
    assert _paragraph(doc).text == f"完成率{used.text}。" and used.text.endswith("%")
    c = client_for(ledgers.city_leader)
    for url in (
        f"/reports/metrics/rectification.items.closeout_rate/?period={YEAR}",
        f"/reports/metrics/?period={YEAR}",
        f"/reports/?period={YEAR}",
    ):
        html = c.get(url).content.decode()
        assert used.text in html, url
        assert "—%" not in html and "%%" not in html


def test_a_campaign_report_names_its_campaign_and_a_past_period_is_not_so_far(ledgers):
    c = client_for(ledgers.city_leader)
    resp = c.post(
        "/ledgers/reports/drafts/new/",
        {
            "unit": ledgers.f.city.pk,
            "kind": Kind.CAMPAIGN,
            "period": f"{YEAR}年",
            "campaign": ledgers.campaign.pk,
        },
    )
    assert resp.status_code == 302
    draft = ReportDraft.objects.get()
    assert draft.period == str(YEAR)
    doc = services.document_for(draft, ledgers.city_leader)
    assert not doc.errors, doc.errors
    title = "".join(s.text for s in doc.title)
    assert ledgers.campaign.name in title
    text = "".join(b.text for b in doc.blocks)
    assert f"截至{YEAR}年12月31日" in text and "截至目前" not in text
    assert ph.plain_title(draft) == title
    current = DraftFactory(unit=ledgers.f.city, period=str(datetime.date.today().year))
    SectionFactory(draft=current, body="{{ 截至 }}，已销号。")
    assert _paragraph(ph.build(current, ledgers.city_leader)).text == "截至目前，已销号。"


def test_title_placeholders_are_resolved_in_the_list_and_file_names(ledgers):
    draft = DraftFactory(
        unit=ledgers.f.county_a, period=str(YEAR), title="{{ 单位 }}{{ 期间 }}报告"
    )
    html = client_for(ledgers.leader_a).get("/ledgers/reports/drafts/").content.decode()
    assert f"{ledgers.f.county_a.name}{YEAR}年报告" in html and "{{ 单位 }}" not in html
    SectionFactory(draft=draft, body="文字。")
    name, data = services.export_zip(draft=draft, user=ledgers.leader_a)
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"{ledgers.f.county_a.name}{YEAR}年报告-数据底稿.xlsx" in names
    assert not any(re.search(r"[A-Za-z]{3,}", n.rsplit(".", 1)[0]) for n in names)


def test_every_skeleton_resolves_without_errors_and_claims_nothing_unbacked(meetings):
    for skel in all_skeletons():
        text = skel["title"] + "".join(s[1] + s[2] for s in skel["sections"])
        assert "均已建立台账" not in text and "全部纳入整改台账" not in text
        assert "截至目前" not in text and "}}%" not in text
        for part in [skel["title"], *(s[2] for s in skel["sections"])]:
            assert not [r for r in ph.references(part) if isinstance(r, ph.BadRef)], part
    draft = services.create_draft(
        draft=ReportDraft(unit=meetings.f.city, kind=Kind.GOVERNANCE, period=str(YEAR)),
        user=meetings.city_leader,
    )
    doc = ph.build(draft, meetings.city_leader)
    assert not doc.errors, doc.errors
    text = "".join(b.text for b in doc.blocks)
    assert "其中党组会议18次、理事会会议5次" in text


def test_a_word_template_narrows_a_figure_as_the_text_does(meetings):
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from docx import Document

    from gongxiao.reports.models import ReportTemplate
    from gongxiao.reports.templating import check_template

    from .test_pages import _docx_with

    good = _docx_with("召开{{ figures['decisions.meetings.held | 会议类型=党组会'] }}次党组会议")
    assert check_template(SimpleUploadedFile("t.docx", good)) == []
    bad = _docx_with("{{ figures['decisions.meetings.held | 会议类型=茶话会'] }}")
    assert check_template(SimpleUploadedFile("t.docx", bad))
    tpl = ReportTemplate(unit=meetings.f.city, name="党组会模板")
    tpl.file.save("t.docx", ContentFile(good), save=False)
    tpl.save()
    draft = DraftFactory(unit=meetings.f.city, period=str(YEAR), template=tpl)
    _name, data = services.export_zip(draft=draft, user=meetings.city_leader)
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(data))
    docx = next(n for n in z.namelist() if n.endswith(".docx"))
    text = "".join(p.text for p in Document(io.BytesIO(z.read(docx))).paragraphs)
    assert "召开18次党组会议" in text


def test_every_figure_sheet_says_its_filters_in_words(meetings):
    from django.utils import translation

    draft = DraftFactory(unit=meetings.f.city, period=str(YEAR))
    SectionFactory(
        draft=draft,
        body="{{ rectification.items.closed }}{{ decisions.matters.count | 会议类型=党组会 }}"
        "{{ rectification.items.overdue }}{{ 表: rectification.items.found }}",
    )
    with translation.override("zh-hans"):
        doc = ph.build(draft, meetings.city_leader)
        words = {u.id: workpapers._filters_text(u, meetings.city_leader) for u in doc.figures}
    assert words["F01"] == f"销号期间：{YEAR}年", words
    assert f"期间（日期）：{YEAR}年" in words["F02"]
    assert "会议类型：党组会" in words["F02"]
    for text in words.values():
        assert "__" not in text and "=" not in text and "_on" not in text
