"""Roll-up over the unit tree, comparison with last year and trends, from the metric registry."""

from decimal import Decimal

from gongxiao.core import metrics
from gongxiao.core.periods import parse_period

from .conftest import YEAR

FOUND = "rectification.items.found"
CLOSED = "rectification.items.closed"
RATE = "rectification.items.closeout_rate"


def test_a_units_figure_covers_its_subtree(ledgers):
    f, user, year = ledgers.f, ledgers.city_leader, parse_period(str(YEAR))
    assert metrics.compute(FOUND, user, f.city, year).value == 11
    assert metrics.compute(FOUND, user, f.county_a, year).value == 7
    assert metrics.compute(FOUND, user, f.a1, year).value == 4  # with its outlet
    assert metrics.compute(CLOSED, user, f.city, year).value == 5


def test_rollup_splits_the_figure_into_own_rows_and_each_childs_subtree(ledgers):
    f, user, year = ledgers.f, ledgers.city_leader, parse_period(str(YEAR))
    rows = metrics.rollup(FOUND, user, f.city, year)
    assert [(r.unit, r.own, r.figure.value) for r in rows] == [
        (f.city, True, 1),
        (f.county_a, False, 7),
        (f.county_b, False, 3),
    ]
    assert sum(r.figure.value for r in rows) == metrics.compute(FOUND, user, f.city, year).value
    for r in rows:
        # Each number counts exactly the rows its link lists.
        assert r.figure.rows.count() == r.figure.value
    assert "unit_only=" in rows[0].figure.url
    assert f"unit={f.county_a.pk}" in rows[1].figure.url


def test_an_additive_rollup_is_one_grouped_query(ledgers, django_assert_max_num_queries):
    f, user, year = ledgers.f, ledgers.city_leader, parse_period(str(YEAR))
    metrics.rollup(FOUND, user, f.city, year)  # warm the user's role cache
    with django_assert_max_num_queries(2):
        metrics.rollup(FOUND, user, f.city, year)


def test_a_rate_rolls_up_unit_by_unit(ledgers):
    f, user, year = ledgers.f, ledgers.city_leader, parse_period(str(YEAR))
    rows = metrics.rollup(RATE, user, f.city, year)
    by_unit = {r.unit: r.figure.value for r in rows}
    assert by_unit[f.county_a] == Decimal("42.9")  # 3 of 7
    assert by_unit[f.county_b] == Decimal("33.3")  # 1 of 3
    assert by_unit[f.city] == Decimal("100.0")  # its own item, closed


def test_rollup_with_a_filter_and_for_a_county_user(ledgers):
    f, year = ledgers.f, parse_period(str(YEAR))
    rows = metrics.rollup(
        FOUND, ledgers.leader_a, f.county_a, year, {"campaign": ledgers.campaign.pk}
    )
    assert [(r.unit, r.figure.value) for r in rows] == [(f.county_a, 1), (f.a1, 2), (f.a2, 1)]
    # The sibling county is no child the county user can see.
    assert f.county_b not in {r.unit for r in rows}


def test_comparison_with_the_same_period_last_year(ledgers):
    f, user = ledgers.f, ledgers.city_leader
    c = metrics.compare(FOUND, user, f.city, parse_period(str(YEAR)))
    assert (c.current.value, c.previous.value) == (11, 2)
    assert c.change == 9
    assert c.change_rate == Decimal("450.0")
    assert metrics.compare(RATE, user, f.city, parse_period(str(YEAR))).change_rate is None


def test_trend_by_quarter(ledgers):
    f, user = ledgers.f, ledgers.city_leader
    quarters = [parse_period(f"{YEAR}Q{q}") for q in (1, 2, 3, 4)]
    values = [fig.value for _p, fig in metrics.trend(FOUND, user, f.city, quarters)]
    assert values == [3, 3, 3, 2]
    assert sum(values) == 11
