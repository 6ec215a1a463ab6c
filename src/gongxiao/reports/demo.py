"""Reports in the demo federation: the city's yearly 全面从严治党 report for last year and its
half-year party-building summary, both finalised; last year's work summary being drafted, one on
the city's own Word template; a county's special-campaign report and its own yearly report in
progress; another county's two half-year summaries of last year, finalised. Written through the
services, as users would."""

from __future__ import annotations

import datetime
import io

from django.core.files.base import ContentFile

from gongxiao.core import services as kit
from gongxiao.rectification.models import Campaign

from . import services
from .models import Kind, ReportDraft, ReportSection, ReportTemplate


def template_docx() -> bytes:
    """A plain Word template with docxtpl placeholders, as a city office would make one."""
    from gongxiao.core.wordfile import new_document

    doc = new_document()
    doc.add_paragraph("{{ title }}")
    doc.add_paragraph("{{ addressee }}：")
    doc.add_paragraph(
        "{{ period }}，{{ unit }}共发现问题{{ figures['rectification.items.found'] }}个，"
        "整改销号{{ figures['rectification.items.closed'] }}个（上年同期"
        "{{ last_year['rectification.items.closed'] }}个）。"
    )
    doc.add_paragraph("{% for s in sections %}")
    doc.add_paragraph("{{ s.number }}{{ s.heading }}")
    doc.add_paragraph("{% for p in s.paragraphs %}")
    doc.add_paragraph("{{ p }}")
    doc.add_paragraph("{% endfor %}")
    doc.add_paragraph("{% endfor %}")
    doc.add_paragraph("{{ issuer }}")
    doc.add_paragraph("{{ date }}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _draft(user, **fields) -> ReportDraft:
    return services.create_draft(draft=ReportDraft(**fields), user=user, source="demo")


def build(ctx) -> None:
    today, users = ctx.today, ctx.users
    last_year = today.year - 1
    city, county = ctx.city, ctx.counties[0]
    discipline, leader, admin = users["city_discipline"], users["city_leader"], users["admin"]

    governance = _draft(
        discipline,
        unit=city,
        kind=Kind.GOVERNANCE,
        period=str(last_year),
        doc_number=f"湘供党〔{today.year}〕3号",
        issue_date=datetime.date(today.year, 1, 20),
    )
    services.finalise(draft=governance, user=discipline, expected_version=governance.version)

    half = parse_half(today)
    party = _draft(leader, unit=city, kind=Kind.PARTY_HALF, period=half, issue_date=_half_end(half))
    if _half_end(half) < today:
        services.finalise(draft=party, user=leader, expected_version=party.version)

    summary = _draft(admin, unit=city, kind=Kind.WORK_SUMMARY, period=str(last_year))
    # An office clerk has begun to fill in the plan for next year.
    plan = summary.sections.filter(heading="持续加强党的建设").first()
    if plan is not None:
        plan.body = (
            "坚持把党的政治建设摆在首位，全年召开决策会议不少于"
            "{{ decisions.meetings.held | 上年 }}次，推动问题整改完成率稳步提高。"
        )
        kit.update_row(obj=plan, expected_version=plan.version, user=admin, source="demo")

    template = ReportTemplate(unit=city, name="市社简版报告模板", description="一页纸简报")
    template.file.save("simple-report.docx", ContentFile(template_docx()), save=False)
    kit.create_row(obj=template, user=admin, source="demo")
    _draft(
        admin,
        unit=city,
        kind=Kind.BLANK,
        period=str(today.year),
        title="{{ 单位 }}{{ 期间 }}问题整改简报",
        template=template,
        addressee="市社党组",
    )

    campaign = Campaign.objects.filter(unit=city).order_by("-start_date").first()
    county_leader = users[f"{county.slug}_leader"]
    if campaign is not None:
        _draft(
            county_leader,
            unit=county,
            kind=Kind.CAMPAIGN,
            period=str(today.year),
            campaign=campaign,
            title=f"{county.name}关于{campaign.name}开展情况的报告",
        )
    county_report = _draft(
        users[f"{county.slug}_discipline"],
        unit=county,
        kind=Kind.GOVERNANCE,
        period=str(today.year),
        addressee="县纪委监委",
    )
    kit.create_row(
        obj=ReportSection(
            draft=county_report,
            order=5,
            level=ReportSection.Level.TEXT,
            body="（初稿，待年底数据更新后定稿）",
        ),
        user=users[f"{county.slug}_discipline"],
        source="demo",
    )
    # The second county filed its half-year summaries for last year.
    other = ctx.counties[1]
    other_party = users[f"{other.slug}_party"]
    for half in ("H1", "H2"):
        code = f"{last_year}{half}"
        summary = _draft(
            other_party, unit=other, kind=Kind.PARTY_HALF, period=code, issue_date=_half_end(code)
        )
        services.finalise(draft=summary, user=other_party, expected_version=summary.version)
    ctx.counts["report drafts"] = ReportDraft.objects.count()


def parse_half(today: datetime.date) -> str:
    """The latest half-year that has ended (or the current one early in the year)."""
    if today.month >= 7:
        return f"{today.year}H1"
    return f"{today.year - 1}H2"


def _half_end(code: str) -> datetime.date:
    year, half = int(code[:4]), code[-1]
    return datetime.date(year, 6, 30) if half == "1" else datetime.date(year, 12, 31)
