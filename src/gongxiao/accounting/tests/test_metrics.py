"""The accounting figures: units in the centre at the period's end (seed 004: 2 units now, at
least 6 planned), vouchers posted, income, expenses, surplus, assets and liabilities, within
the unit subtree and the user's reach; and the work-summary sentence that uses them."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from gongxiao.core.metrics import compute, rollup
from gongxiao.core.periods import parse_period
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .factories import make_book_in, make_voucher, posted_voucher

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(federation):
    a1 = make_book_in(federation.a1, centre_from=datetime.date(2023, 7, 1))
    a2 = make_book_in(federation.a2, centre_from=datetime.date(2024, 6, 1))
    make_book_in(federation.b1, centre_from=datetime.date(2023, 1, 1))
    # a unit that left the centre in 2024
    make_book_in(
        federation.a1_outlet,
        centre_from=datetime.date(2023, 1, 1),
        centre_until=datetime.date(2024, 3, 1),
    )
    posted_voucher(
        federation.a1,
        book=a1,
        lines=[("1002", "5000", "0"), ("5001", "0", "5000")],
    )
    posted_voucher(
        federation.a2,
        book=a2,
        date=datetime.date(2024, 6, 3),
        lines=[("5602", "1200.50", "0"), ("1002", "0", "1200.50")],
    )
    make_voucher(a1, [("1002", "999", "0"), ("5001", "0", "999")])  # a draft counts nowhere
    return federation


def test_units_in_the_centre_as_of_the_periods_end(centre):
    user = user_with(Role.LEADER, centre.county_a)
    assert (
        compute("accounting.units.in_centre", user, centre.county_a, parse_period("2023")).value
        == 2
    )
    assert (
        compute("accounting.units.in_centre", user, centre.county_a, parse_period("2024Q1")).value
        == 1
    )
    assert (
        compute("accounting.units.in_centre", user, centre.county_a, parse_period("2024")).value
        == 2
    )
    city = user_with(Role.LEADER, centre.city)
    assert compute("accounting.units.in_centre", city, centre.city, parse_period("2024")).value == 3


def test_vouchers_income_expenses_surplus_assets_and_liabilities(centre):
    user = user_with(Role.FINANCE, centre.county_a)
    year = parse_period("2024")

    def v(key):
        return compute(key, user, centre.county_a, year).value

    assert v("accounting.vouchers.posted") == 2
    assert v("accounting.income") == D("5000.00")
    assert v("accounting.expenses") == D("1200.50")
    assert v("accounting.surplus") == D("3799.50")
    assert v("accounting.assets") == D("3799.50")
    assert v("accounting.liabilities") == 0
    rows = {
        r.unit.pk: r.figure.value for r in rollup("accounting.income", user, centre.county_a, year)
    }
    assert rows[centre.a1.pk] == D("5000.00") and rows[centre.a2.pk] == 0
    # Another county's figures are not in reach.
    other = user_with(Role.FINANCE, centre.county_b)
    assert compute("accounting.income", other, centre.city, year).value == 0


def test_the_work_summary_sentence_names_the_units_in_the_centre(centre):
    import json
    from pathlib import Path

    import gongxiao.reports as reports

    skeleton = json.loads(
        (Path(reports.__file__).parent / "skeletons" / "work_summary.json").read_text("utf-8")
    )
    text = "".join(s[2] for s in skeleton["sections"])
    assert "{{ accounting.units.in_centre }}家基层单位实现集中核算" in text
    assert "{{ accounting.vouchers.posted }}" in text
