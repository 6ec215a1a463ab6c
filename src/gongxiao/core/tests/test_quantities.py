"""Quantities carry their measure (SPEC §4): 亩 and 亩次, 吨 and 件 are never added or compared,
by a quantity or by the metric layer; kg and t, 亩 and m², 元 and 万元 add after conversion. The
metric-layer tests register metrics of their own, so the rule holds for every module, present
and future."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from gongxiao.core import metrics, quantities
from gongxiao.core.metrics import Metric, register_metric
from gongxiao.core.periods import parse_period
from gongxiao.core.quantities import MeasureMismatch, Quantity
from gongxiao.org.models import Unit
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def Q(value, measure):
    return Quantity(Decimal(value), measure)


def test_tonnes_and_kilograms_add_after_conversion():
    assert (Q("1.5", "t") + Q("500", "kg")).same_as(Q("2", "t"))
    assert (Q("500", "kg") + Q("1.5", "t")).value == Decimal("2000")
    # The Chinese names of the same measures are the same measures.
    assert (Q("1", "吨") + Q("250", "千克")).value == Decimal("1.25")
    assert Q("2", "t") > Q("1999", "kg")


def test_mu_and_square_metres_convert_by_the_standard_factor():
    # 1 亩 = 10000/15 m² (SPEC §5); 15 亩 make a hectare.
    assert Q("15", "亩").to("公顷").value == Decimal(1)
    assert Q("3", "亩").to("m²").value == Decimal(2000)


def test_mu_and_mu_times_never_add():
    with pytest.raises(MeasureMismatch):
        Q("10", "亩") + Q("10", "亩次")
    with pytest.raises(MeasureMismatch):
        Q("10", "亩次") - Q("10", "亩")
    with pytest.raises(MeasureMismatch):
        Q("10", "亩") < Q("10", "亩次")  # noqa: B015 - the comparison itself must be refused


def test_tonnes_and_pieces_never_add():
    with pytest.raises(MeasureMismatch):
        quantities.total([Q("1", "t"), Q("300", "件")])


def test_ten_thousand_mu_times_are_mu_times():
    assert (Q("1.2", "万亩次") + Q("3000", "亩次")).to("亩次").value == Decimal(15000)


def test_rates_add_to_nothing_not_even_to_rates():
    with pytest.raises(MeasureMismatch):
        Q("90", "%") + Q("80", "%")


def test_an_undeclared_measure_adds_only_to_itself():
    assert (Q("2", "箱") + Q("3", "箱")).value == 5
    with pytest.raises(MeasureMismatch):
        Q("2", "箱") + Q("3", "件")


def test_counts_of_different_things_never_add():
    with pytest.raises(MeasureMismatch):
        Q("3", "场") + Q("300", "户")
    with pytest.raises(MeasureMismatch):
        Q("3", "人") + Q("3", "人次")


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        Quantity(1.5, "t")  # type: ignore[arg-type]


def test_the_refusal_says_why_in_chinese():
    with translation.override("zh-hans"), pytest.raises(MeasureMismatch) as exc:
        Q("1", "亩") + Q("1", "亩次")
    assert "亩" in str(exc.value) and "亩次" in str(exc.value)
    assert "不能" in str(exc.value)


# --- the metric layer ------------------------------------------------------------------------


@pytest.fixture
def figures():
    """Four metrics of a module that does not exist: land (亩), services (亩次), inputs in t and
    in kg. Removed again after the test."""
    made = []

    def fixed(key, measure, value):
        metric = Metric(
            key=key,
            label=key,
            measure=measure,
            module="agri",
            rows=lambda user, unit, period: Unit.objects.none(),
            value=lambda rows, *a: Decimal(value),
        )
        register_metric(metric)
        made.append(key)

    fixed("test.land", "亩", "1200")
    fixed("test.services", "亩次", "5000")
    fixed("test.inputs_t", "吨", "3.5")
    fixed("test.inputs_kg", "千克", "1500")
    yield
    for key in made:
        metrics._metrics.pop(key)


def test_the_metric_layer_refuses_to_add_mu_and_mu_times(db, figures):
    unit = Unit.objects.create(code="Q1", name="县社", kind=Unit.Kind.COUNTY)
    user = user_with(Role.SERVICE, unit)
    with pytest.raises(MeasureMismatch):
        metrics.total(["test.land", "test.services"], user, unit, parse_period("2022"))
    with pytest.raises(MeasureMismatch):
        metrics.check_addable(["test.inputs_t", "test.services"])


def test_the_metric_layer_adds_tonnes_and_kilograms(db, figures):
    unit = Unit.objects.create(code="Q1", name="县社", kind=Unit.Kind.COUNTY)
    user = user_with(Role.SERVICE, unit)
    total, figs = metrics.total(
        ["test.inputs_t", "test.inputs_kg"], user, unit, parse_period("2022")
    )
    assert total.same_as(Q("5", "吨"))
    assert total.measure == "吨"
    assert [f.metric.key for f in figs] == ["test.inputs_t", "test.inputs_kg"]
    in_kg, _figs = metrics.total(
        ["test.inputs_t", "test.inputs_kg"], user, unit, parse_period("2022"), measure="千克"
    )
    assert in_kg.value == Decimal(5000)


def test_a_figure_knows_its_quantity(db, figures):
    unit = Unit.objects.create(code="Q1", name="县社", kind=Unit.Kind.COUNTY)
    user = user_with(Role.SERVICE, unit)
    fig = metrics.compute("test.land", user, unit, parse_period("2022"))
    assert fig.quantity.same_as(Q("1200", "亩"))
    with pytest.raises(MeasureMismatch):
        fig.quantity + metrics.compute("test.services", user, unit, parse_period("2022")).quantity


def test_rates_compare_with_rates_but_not_with_counts():
    assert Q("90", "%") > Q("80", "%")
    with pytest.raises(MeasureMismatch):
        Q("90", "%") > Q("80", "条")  # noqa: B015
