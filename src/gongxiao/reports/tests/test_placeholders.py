"""Placeholders: how a draft's text names figures and tables, and how headings are numbered."""

import pytest

from gongxiao.core.periods import parse_period
from gongxiao.reports import placeholders as ph
from gongxiao.reports.models import ReportSection

from .conftest import YEAR
from .factories import DraftFactory, SectionFactory


def test_text_splits_into_strings_and_references():
    parts = ph.parse(
        "谈话{{ supervision.talks.persons }}人次，同比{{supervision.talks.persons|同比}}。"
    )
    assert parts[0] == "谈话"
    assert parts[1] == ph.FigureRef("supervision.talks.persons")
    assert parts[2] == "人次，同比"
    assert parts[3] == ph.FigureRef("supervision.talks.persons", frozenset({"yoy"}))
    assert parts[4] == "。"


def test_modifiers_tables_and_names():
    (ref,) = ph.references("{{ rectification.items.found | 上年 | 本专项 }}")
    assert ref.modifiers == {"last_year", "campaign"}
    (table,) = ph.references("{{ 表: rectification.items.found，rectification.items.closed }}")
    assert table == ph.TableRef(("rectification.items.found", "rectification.items.closed"))
    (table,) = ph.references("{{ 表: rectification.items.found | 本专项 }}")
    assert table.modifiers == {"campaign"}
    assert ph.references("{{ 单位 }}{{ 期间 }}") == [ph.Special("unit"), ph.Special("period")]


@pytest.mark.parametrize(
    "text",
    [
        "{{ no.such.metric }}",
        "{{ rectification.items.found | 环比 }}",
        "{{ 表: rectification.items.found, nothing.here }}",
        "{{ 表: }}",
        "{{ 表: rectification.items.found | 同比 }}",
    ],
)
def test_a_wrong_reference_says_what_is_wrong(text):
    (ref,) = ph.references(text)
    assert isinstance(ref, ph.BadRef)
    assert ref.message


def test_figures_print_without_needless_decimals():
    from decimal import Decimal

    assert ph.fmt(None) == "—"
    assert ph.fmt(12) == "12"
    assert ph.fmt(Decimal("28075.00")) == "28075"
    assert ph.fmt(Decimal("88.90")) == "88.9"
    assert ph.fmt(0.5) == "0.5"


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三")]
)
def test_chinese_numbers(n, text):
    assert ph.chinese_number(n) == text


def test_headings_are_numbered_by_level_and_restart_below_a_new_parent(federation):
    draft = DraftFactory(unit=federation.city, period=str(YEAR))
    for level in (0, 1, 2, 2, 3, 4, 4, 1, 2, 3):
        SectionFactory(draft=draft, level=level, heading="" if level == 0 else "标题", body="")
    doc = ph.build(draft, None)
    numbers = [b.number for b in doc.blocks if b.kind == "heading"]
    # 一、 （一） 1. （1）: no punctuation after the bracketed forms (GB/T 9704-2012).
    assert numbers == ["一、", "（一）", "（二）", "1.", "（1）", "（2）", "二、", "（一）", "1."]


def test_names_of_unit_and_period_resolve(federation):
    draft = DraftFactory(unit=federation.county_a, period=f"{YEAR}H1")
    SectionFactory(
        draft=draft, level=ReportSection.Level.TEXT, heading="", body="{{ 单位 }}：{{ 期间 }}"
    )
    doc = ph.build(draft, None)
    assert doc.blocks[0].text == f"甲县社：{parse_period(f'{YEAR}H1').label}"
    assert ph.plain_title(DraftFactory(unit=federation.city, title="{{ 单位 }}报告{{ x.y }}")) == (
        "市社报告"
    )


def test_document_numbers_take_hexagonal_brackets(federation):
    from gongxiao.reports.models import ReportDraft

    for typed in (
        "湘供发[2023]15号",
        "湘供发（2023）15号",
        "湘供发(2023)15号",
        "湘供发〔2023〕15号",
    ):
        draft = ReportDraft(unit=federation.city, period="2023", title="t", doc_number=typed)
        draft.clean()
        assert draft.doc_number == "湘供发〔2023〕15号"


def test_breakdown_labels_follow_the_path_to_the_field():
    from gongxiao.decisions.models import Matter
    from gongxiao.reports.labels import choice_label, field_label

    assert field_label(Matter, "meeting__body") != "meeting__body"
    body = Matter._meta.get_field("meeting").related_model._meta.get_field("body")
    value, label = body.choices[0]
    assert choice_label(Matter, "meeting__body", value, None) == str(label)


def test_a_money_figure_may_ask_for_its_unit():
    (ref,) = ph.references("{{ agri.supply.value | 亿元 }}")
    assert ref == ph.FigureRef("agri.supply.value", frozenset({"to:亿元"}))
    (ref,) = ph.references("{{ agri.supply.value | 元 }}")
    assert ref.modifiers == {"to:元"}


@pytest.mark.parametrize(
    "text",
    [
        "{{ agri.deliveries.count | 亿元 }}",  # counted in 场, not money
        "{{ agri.supply.value | 亿元 | 万元 }}",  # two units
        "{{ agri.supply.value | 同比 | 亿元 }}",  # a change is a percentage
        "{{ 表: agri.supply.value | 亿元 }}",  # tables print in the metric's measure
    ],
)
def test_a_unit_of_money_that_does_not_fit_is_refused(text):
    (ref,) = ph.references(text)
    assert isinstance(ref, ph.BadRef)
    assert ref.message


def test_a_money_figure_prints_in_the_unit_asked_without_rounding(federation):
    from decimal import Decimal

    from gongxiao.agri.tests.factories import make_sale
    from gongxiao.org.roles import Role
    from gongxiao.org.tests.factories import user_with

    make_sale(federation.a1, month=parse_period(str(YEAR)).start, value=Decimal("12345.6789"))
    user = user_with(Role.LEADER, federation.county_a)
    draft = DraftFactory(unit=federation.county_a, period=str(YEAR))
    SectionFactory(
        draft=draft,
        body="销售{{ agri.supply.value }}万元，即{{ agri.supply.value | 亿元 }}亿元、"
        "{{ agri.supply.value | 元 }}元。",
    )
    doc = ph.build(draft, user)
    assert not doc.errors
    text = "".join(b.text for b in doc.blocks)
    assert "销售12345.6789万元，即1.23456789亿元、123456789元。" in text
    # The working paper keeps the figure in its own measure.
    (used,) = doc.figures
    assert used.value == Decimal("12345.6789") and used.metric.measure == "万元"
