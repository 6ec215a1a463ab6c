"""Guarantees: the count and balance in force (在保笔数, 在保余额) on any day come from the dated
events, checked against a table computed by hand; the events' rules and refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongxiao.agri.tests.factories import make_member
from gongxiao.core import actions
from gongxiao.core.ledgers import _registry as registry
from gongxiao.core.metrics import compute
from gongxiao.core.periods import Period, parse_period
from gongxiao.credit import models as m
from gongxiao.credit import services
from gongxiao.credit.tests import factories as f
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

D = datetime.date
W = Decimal


@pytest.fixture
def officer(federation):
    return user_with(Role.SERVICE, federation.county_a)


@pytest.fixture
def book(federation, officer):
    """Four guarantees of county A (and one of county B that no figure of A counts):

    G1 100 万元, agricultural, from 2023-03-01; 40 released 2023-06-30, the rest 2023-12-31.
    G2 200 万元, not agricultural, from 2023-05-15; compensated 150 on 2023-09-10,
       recovered 30 on 2023-11-20 and 50 on 2024-02-01.
    G3 50 万元, agricultural, from 2023-08-01 to 2024-07-31; never released (overdue later).
    G4 80 万元, agricultural, from 2024-01-10.
    """
    a1, a2 = federation.a1, federation.a2
    g1 = f.make_guarantee(a1, amount=W(100), start_date=D(2023, 3, 1), end_date=D(2024, 2, 28))
    g2 = f.make_guarantee(
        a2, amount=W(200), sector="other", start_date=D(2023, 5, 15), end_date=D(2024, 5, 14)
    )
    g3 = f.make_guarantee(a1, amount=W(50), start_date=D(2023, 8, 1), end_date=D(2024, 7, 31))
    g4 = f.make_guarantee(a2, amount=W(80), start_date=D(2024, 1, 10), end_date=D(2025, 1, 9))
    f.make_guarantee(federation.b1, amount=W(999), start_date=D(2023, 1, 1))
    services.release(guarantee=g1, user=officer, on=D(2023, 6, 30), amount=W(40))
    services.release(guarantee=g1, user=officer, on=D(2023, 12, 31))
    services.compensate(guarantee=g2, user=officer, on=D(2023, 9, 10), amount=W(150))
    services.recover(guarantee=g2, user=officer, on=D(2023, 11, 20), amount=W(30))
    services.recover(guarantee=g2, user=officer, on=D(2024, 2, 1), amount=W(50))
    return {"g1": g1, "g2": g2, "g3": g3, "g4": g4}


# Worked out by hand from the fixture's story:
#   day          in force       count  balance  agricultural count, balance
TABLE = [
    (D(2023, 2, 28), [], 0, W(0), 0, W(0)),  # before any start
    (D(2023, 3, 1), ["g1"], 1, W(100), 1, W(100)),  # G1's first day
    (D(2023, 6, 29), ["g1", "g2"], 2, W(300), 1, W(100)),
    (D(2023, 6, 30), ["g1", "g2"], 2, W(260), 1, W(60)),  # 40 of G1 released
    (D(2023, 8, 31), ["g1", "g2", "g3"], 3, W(310), 2, W(110)),
    (D(2023, 9, 10), ["g1", "g3"], 2, W(110), 2, W(110)),  # G2 compensated: out of 在保
    (D(2023, 12, 30), ["g1", "g3"], 2, W(110), 2, W(110)),
    (D(2023, 12, 31), ["g3"], 1, W(50), 1, W(50)),  # G1 released in full
    (D(2024, 1, 10), ["g3", "g4"], 2, W(130), 2, W(130)),
    (D(2024, 12, 31), ["g3", "g4"], 2, W(130), 2, W(130)),  # G3 past its end: still 在保
]


@pytest.mark.parametrize(("day", "names", "count", "balance", "agri_count", "agri_balance"), TABLE)
def test_in_force_on_any_day_equals_the_table_worked_by_hand(
    federation, officer, book, day, names, count, balance, agri_count, agri_balance
):
    rows = m.Guarantee.objects.visible_to(officer)
    force = services.outstanding_on(rows, day)
    assert {g.pk for g in force} == {book[n].pk for n in names}
    assert force.count() == count
    assert sum((g.balance for g in force), W(0)) == balance
    # The same from the metrics, for a period that ends that day …
    period = Period(f"{day}", D(day.year, 1, 1), day)
    unit = federation.county_a
    assert compute("credit.guarantees.outstanding", officer, unit, period).value == count
    assert W(compute("credit.guarantees.balance", officer, unit, period).value) == balance
    agri = {"sector": "agri"}
    assert compute("credit.guarantees.outstanding", officer, unit, period, agri).value == agri_count
    assert (
        W(compute("credit.guarantees.balance", officer, unit, period, agri).value) == agri_balance
    )
    # … and guarantee by guarantee, from its own events.
    for name, g in book.items():
        pos = services.position(g, day)
        assert pos.in_force == (name in names), (name, day)


def test_a_past_figure_stays_the_same_when_events_are_entered_later(federation, officer, book):
    year = parse_period("2023")
    before = compute("credit.guarantees.balance", officer, federation.county_a, year).value
    # G3 released in March 2024, entered now: 2023 still reads the same, 2024 changes.
    services.release(guarantee=book["g3"], user=officer, on=D(2024, 3, 1))
    assert compute("credit.guarantees.balance", officer, federation.county_a, year).value == before
    assert (
        W(
            compute(
                "credit.guarantees.balance", officer, federation.county_a, parse_period("2024")
            ).value
        )
        == 80
    )


def test_the_position_of_a_compensated_guarantee(book):
    g2 = book["g2"]
    pos = services.position(g2, D(2023, 12, 31))
    assert (pos.balance, pos.compensated, pos.recovered, pos.unrecovered) == (0, 150, 30, 120)
    assert pos.compensated_on == D(2023, 9, 10) and not pos.in_force
    assert services.position(g2, D(2024, 2, 1)).unrecovered == 70
    assert services.position(g2, D(2023, 9, 9)).balance == 200


def test_guarantees_arranged_in_a_period_with_the_agricultural_part(federation, officer, book):
    year = parse_period("2023")
    unit = federation.county_a
    assert compute("credit.guarantees.arranged", officer, unit, year).value == 3
    assert compute("credit.guarantees.amount", officer, unit, year).value == W(350)
    agri = {"sector": "agri"}
    assert compute("credit.guarantees.arranged", officer, unit, year, agri).value == 2
    assert compute("credit.guarantees.amount", officer, unit, year, agri).value == W(150)
    # The city sees county B's as well.
    city = user_with(Role.LEADER, federation.city)
    assert compute("credit.guarantees.amount", city, federation.city, year).value == W(1349)


def test_the_events_refuse_what_the_rules_do_not_allow(federation, officer, book):
    g1, g2, g3 = book["g1"], book["g2"], book["g3"]
    with pytest.raises(services.CreditRefused):  # released in full
        services.release(guarantee=g1, user=officer, on=D(2024, 1, 5))
    with pytest.raises(services.CreditRefused):  # compensated: no longer in force
        services.release(guarantee=g2, user=officer, on=D(2024, 1, 5))
    with pytest.raises(services.CreditRefused):  # nothing compensated
        services.recover(guarantee=g3, user=officer, on=D(2024, 1, 5), amount=W(1))
    with pytest.raises(ValidationError):  # more than the balance
        services.release(guarantee=g3, user=officer, on=D(2024, 1, 5), amount=W(51))
    with pytest.raises(ValidationError):  # more than the compensation left to recover
        services.recover(guarantee=g2, user=officer, on=D(2024, 3, 1), amount=W("70.0001"))
    with pytest.raises(ValidationError):  # before the start
        services.compensate(guarantee=g3, user=officer, on=D(2023, 7, 31), amount=W(10))
    with pytest.raises(ValidationError):  # before the last event
        services.recover(guarantee=g2, user=officer, on=D(2024, 1, 31), amount=W(10))
    with pytest.raises(ValidationError):  # in the future
        services.release(
            guarantee=g3, user=officer, on=datetime.date.today() + datetime.timedelta(days=1)
        )
    assert m.GuaranteeEvent.objects.count() == 5


def test_the_actions_record_events_and_lock_the_guarantee(federation, officer):
    g = f.make_guarantee(federation.a1, amount=W(30), start_date=D(2023, 3, 1))
    ledger = registry["credit.guarantees"]
    assert ledger.lock_reason(g) is None
    act = actions.get_action(ledger, "compensate")
    actions.perform(ledger, act, g, officer, {"on": "2023-10-01", "amount": "30"}, g.version)
    g.refresh_from_db()
    assert g.version == 2
    assert list(g.events.values_list("kind", "date", "amount")) == [
        ("compensation", D(2023, 10, 1), W(30))
    ]
    assert ledger.lock_reason(g)
    assert actions.get_action(ledger, "release").refusal(g, officer)


def test_a_member_of_another_unit_is_refused(federation):
    member = make_member(federation.a1)
    g = m.Guarantee(
        unit=federation.a2,
        member=member,
        lender="农商银行",
        guarantor="市农担公司",
        amount=W(10),
        start_date=D(2023, 1, 1),
        end_date=D(2023, 12, 31),
    )
    with pytest.raises(ValidationError) as exc:
        g.full_clean()
    assert "member" in exc.value.message_dict
    g.unit = federation.a1
    g.end_date = D(2022, 12, 31)
    with pytest.raises(ValidationError) as exc:
        g.full_clean()
    assert "end_date" in exc.value.message_dict


def test_loans_and_agreements_add_up(federation, officer):
    f.make_agreement(federation.county_a, credit_line=W(800), signed_on=D(2023, 5, 13))
    f.make_loan(federation.a1, amount=W(250), lent_on=D(2023, 6, 1))
    f.make_loan(federation.a2, amount=W("150.5"), lent_on=D(2023, 7, 1), sector="other")
    f.make_loan(federation.b1, amount=W(999), lent_on=D(2023, 7, 1))
    f.make_credit_line(federation.a1, amount=W(60), granted_on=D(2023, 4, 1))
    year, unit = parse_period("2023"), federation.county_a
    assert compute("credit.agreements.credit_line", officer, unit, year).value == W(800)
    assert compute("credit.loans.count", officer, unit, year).value == 2
    assert compute("credit.loans.amount", officer, unit, year).value == W("400.5")
    assert compute("credit.loans.amount", officer, unit, year, {"sector": "agri"}).value == W(250)
    assert compute("credit.credit_lines.amount", officer, unit, year).value == W(60)
