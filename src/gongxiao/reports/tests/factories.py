import datetime

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from gongxiao.core.testing import factory_for, prepares
from gongxiao.reports.demo import template_docx
from gongxiao.reports.models import Kind, ReportDraft, ReportSection, ReportTemplate


class DraftFactory(DjangoModelFactory):
    class Meta:
        model = ReportDraft

    title = factory.Sequence(lambda n: f"{{{{ 单位 }}}}工作报告{n:03d}")
    kind = Kind.BLANK
    period = factory.LazyFunction(lambda: str(datetime.date.today().year))


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = ReportSection

    order = factory.Sequence(lambda n: (n + 1) * 10)
    level = ReportSection.Level.ONE
    heading = factory.Sequence(lambda n: f"工作情况{n}")
    body = "发现问题{{ rectification.items.found }}个。"


class TemplateFactory(DjangoModelFactory):
    class Meta:
        model = ReportTemplate

    name = factory.Sequence(lambda n: f"报告模板{n}")
    file = factory.LazyFunction(lambda: ContentFile(template_docx(), name="template.docx"))


@factory_for(ReportDraft)
def make_draft(unit, **overrides):
    return DraftFactory(unit=unit, **overrides)


@factory_for(ReportSection)
def make_section(unit, **overrides):
    overrides.setdefault("draft", DraftFactory(unit=unit))
    return SectionFactory(**overrides)


@factory_for(ReportTemplate)
def make_template(unit, **overrides):
    return TemplateFactory(unit=unit, **overrides)


# --- rows ready for each action (core/tests/test_actions.py) ------------------------------


@prepares("reports.drafts", "finalise")
def draft_to_finalise(unit):
    draft = DraftFactory(unit=unit)
    SectionFactory(draft=draft)
    return draft


@prepares("reports.sections", "move_up")
def second_section(unit):
    draft = DraftFactory(unit=unit)
    SectionFactory(draft=draft)
    return SectionFactory(draft=draft)


@prepares("reports.sections", "move_down")
def first_section(unit):
    draft = DraftFactory(unit=unit)
    first = SectionFactory(draft=draft)
    SectionFactory(draft=draft)
    return first
