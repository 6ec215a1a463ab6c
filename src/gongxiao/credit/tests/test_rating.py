"""Credit rating: the scorecard as versioned data, the grade bands and the rounding rule, the
four eyes (rater ≠ approver), the edition a rating keeps, the yearly re-rating due and credit
villages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from gongxiao.agri.tests.factories import make_member
from gongxiao.core import actions
from gongxiao.core.ledgers import _registry as registry
from gongxiao.core.metrics import compute
from gongxiao.core.periods import parse_period
from gongxiao.credit import models as m
from gongxiao.credit import services
from gongxiao.credit.tests import factories as f
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

D = datetime.date
BASE = ["h1", "h2", "h3", "h4", "f1", "f2", "f3", "c1"]
MAX = {"h1": 10, "h2": 10, "h3": 10, "h4": 10, "f1": 20, "f2": 15, "f3": 15, "c1": 10}


def scores_for(total) -> dict:
    """Base scores adding up to `total` (≤ 100), filled item by item."""
    left, out = Decimal(str(total)), {}
    for code in BASE:
        take = min(left, Decimal(MAX[code]))
        out[code] = str(take)
        left -= take
    return out


@pytest.fixture
def people(federation):
    return {
        "rater": user_with(Role.SERVICE, federation.county_a, username="rater"),
        "approver": user_with(Role.SERVICE, federation.county_a, username="approver"),
        "other_county": user_with(Role.SERVICE, federation.county_b, username="other"),
    }


def _rating(federation, **kw):
    card = kw.pop("scorecard", None) or f.builtin_card(federation.county_a)
    member = kw.pop("member", None) or make_member(federation.a1, kind="farmer")
    return m.CreditRating.objects.create(
        unit=member.unit,
        member=member,
        year=kw.pop("year", 2023),
        scorecard=card,
        edition=card.edition,
    )


RATED_ON = D(2024, 1, 5)


def _score(rating, user, scores, on=RATED_ON, **kw):
    return services.score_rating(rating=rating, user=user, on=on, scores=scores, **kw)


def test_the_builtin_scorecard_follows_spec_5_and_is_usable(federation):
    admin = user_with(Role.SYSADMIN, federation.city)
    card = services.create_builtin_scorecard(
        unit=federation.city, user=admin, valid_from=D(2023, 1, 1)
    )
    base = {s.title: s.points for s in card.sections.filter(kind="base")}
    assert base == {"家庭基本情况": 40, "家庭经济状况": 50, "信用记录": 10}
    assert {s.kind for s in card.sections.all()} == {"base", "bonus", "deduction"}
    assert {b.grade: b.min_score for b in card.bands.all()} == {"AAA": 80, "AA": 70, "A": 60}
    assert services.scorecard_problems(card) == []


# The rounding rule (services.py, docs/credit.md): the exact total, never rounded up.
@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("59.5", ""),
        ("59.99", ""),
        ("60", "A"),
        ("69.99", "A"),
        ("70", "AA"),
        ("79.99", "AA"),
        ("80", "AAA"),
        ("100", "AAA"),
    ],
)
def test_grade_boundaries_compare_the_exact_total(federation, people, total, grade):
    rating = _rating(federation)
    rating = _score(rating, people["rater"], scores_for(total))
    assert rating.total == Decimal(total)
    assert rating.grade == grade
    assert services.grade_for(Decimal(total), services.BUILTIN_BANDS) == grade


def test_a_score_with_more_than_two_decimals_is_refused_not_rounded(federation, people):
    rating = _rating(federation)
    scores = scores_for(69)
    scores["f2"] = "9.995"
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        _score(rating, people["rater"], scores)
    assert "9.995" in str(exc.value) and "两位小数" in str(exc.value)
    rating.refresh_from_db()
    assert (rating.status, rating.total, rating.scores.count()) == ("draft", None, 0)


def test_a_score_above_the_item_maximum_or_a_missing_item_is_refused(federation, people):
    rating = _rating(federation)
    too_much = scores_for(50) | {"h1": "10.5"}
    with pytest.raises(ValidationError):
        _score(rating, people["rater"], too_much)
    missing = scores_for(50)
    del missing["c1"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        _score(rating, people["rater"], missing)
    assert "借贷及还款记录" in str(exc.value)
    with pytest.raises(ValidationError):
        _score(rating, people["rater"], scores_for(50) | {"zz": "1"})
    assert m.RatingScore.objects.count() == 0


def test_bonus_and_deduction_are_capped_and_the_total_stays_within_0_and_100(federation, people):
    card = f.builtin_card(federation.county_a)
    bonus = card.sections.get(kind="bonus")
    # A second bonus item: both together still add no more than the section's 5.
    f.make_item(federation.county_a, section=bonus, code="b2", points=Decimal(5))
    r = _score(
        _rating(federation, scorecard=card),
        people["rater"],
        scores_for(78) | {"b1": "4", "b2": "4"},
    )
    assert (r.total, r.grade) == (Decimal(83), "AAA")
    r = _score(_rating(federation, scorecard=card), people["rater"], scores_for(99) | {"b1": "5"})
    assert r.total == 100
    r = _score(_rating(federation, scorecard=card), people["rater"], scores_for(15) | {"d1": "20"})
    assert (r.total, r.grade) == (Decimal(0), "")
    r = _score(
        _rating(federation, scorecard=card), people["rater"], scores_for(85) | {"d1": "12.5"}
    )
    assert (r.total, r.grade) == (Decimal("72.5"), "AA")
    scores = {s.item_code: s.score for s in r.scores.all()}
    assert scores["d1"] == Decimal("12.5") and scores["b1"] == 0 and scores["b2"] == 0


def test_the_rater_cannot_approve_his_own_rating(federation, people):
    rating = _score(_rating(federation), people["rater"], scores_for(75))
    ledger = registry["credit.ratings"]
    approve = actions.get_action(ledger, "approve")
    with translation.override("zh-hans"):
        refusal = approve.refusal(rating, people["rater"])
        assert refusal and "评分人" in refusal and "审批" in refusal
        with pytest.raises(services.CreditRefused) as exc:
            actions.perform(ledger, approve, rating, people["rater"], {}, rating.version)
        assert "评分人" in str(exc.value)
    rating.refresh_from_db()
    assert (rating.status, rating.approved_by) == ("scored", None)
    done = actions.perform(
        ledger, approve, rating, people["approver"], {"on": "2024-01-08"}, rating.version
    )
    assert (done.status, done.approved_by, done.approved_on) == (
        "approved",
        people["approver"],
        D(2024, 1, 8),
    )
    assert done.rated_by == people["rater"]


def test_an_approved_rating_no_longer_changes_and_approval_follows_the_rating(federation, people):
    rating = _score(_rating(federation), people["rater"], scores_for(75), on=D(2024, 1, 5))
    with pytest.raises(ValidationError):
        services.approve_rating(rating=rating, user=people["approver"], on=D(2024, 1, 4))
    services.approve_rating(rating=rating, user=people["approver"], on=D(2024, 1, 6))
    rating.refresh_from_db()
    with pytest.raises(services.CreditRefused):
        _score(rating, people["rater"], scores_for(90))
    assert registry["credit.ratings"].lock_reason(rating)


def test_a_returned_rating_is_scored_again(federation, people):
    rating = _score(_rating(federation), people["rater"], scores_for(75))
    rating = services.return_rating(
        rating=rating, user=people["approver"], on=D(2024, 1, 6), reason="收入证明缺失"
    )
    assert (rating.status, rating.returned_reason) == ("draft", "收入证明缺失")
    with pytest.raises(services.CreditRefused):
        services.approve_rating(rating=rating, user=people["approver"], on=D(2024, 1, 6))
    rating = _score(rating, people["approver"], scores_for(81))
    assert (rating.grade, rating.rated_by, rating.returned_reason) == (
        "AAA",
        people["approver"],
        "",
    )
    # Scored again: one line per item, the old ones gone.
    assert rating.scores.count() == 10  # the eight scored items, the bonus and the deduction


def test_a_scorecard_edited_after_ratings_leaves_them_unchanged(federation, people, client):
    card = f.builtin_card(federation.county_a)
    rating = _score(
        _rating(federation, scorecard=card),
        people["rater"],
        scores_for(69.5),
        evidence={"f1": "村委证明"},
    )
    services.approve_rating(rating=rating, user=people["approver"], on=D(2024, 1, 8))
    before = (rating.total, rating.grade, rating.edition)
    lines = sorted(
        rating.scores.values_list("item_code", "item_title", "max_points", "score", "evidence")
    )

    # The edition used is frozen: its page, its items and bands refuse an edit.
    for key, obj in [
        ("credit.scorecards", card),
        ("credit.score-items", card.sections.first().items.first()),
        ("credit.grade-bands", card.bands.first()),
        ("credit.score-sections", card.sections.first()),
    ]:
        assert registry[key].lock_reason(obj), key
    client.force_login(user_with(Role.SYSADMIN, federation.city))
    band = card.bands.get(grade="A")
    resp = client.post(
        f"/ledgers/credit/grade-bands/{band.pk}/edit/",
        {"scorecard": card.pk, "grade": "A", "min_score": "65", "version": band.version},
    )
    assert resp.status_code in (302, 403, 409)
    band.refresh_from_db()
    assert band.min_score == 60

    # A new edition takes the change: A from 65, the income item renamed and worth less.
    new = services.new_edition(scorecard=card, user=people["approver"], on=D(2024, 2, 1))
    assert (new.edition, new.previous) == (2, card)
    assert registry["credit.grade-bands"].lock_reason(new.bands.get(grade="A")) is None
    new.bands.filter(grade="A").update(min_score=Decimal(65))
    new_item = m.ScoreItem.objects.get(section__scorecard=new, code="f1")
    new_item.title = "家庭年纯收入（新）"
    new_item.save()
    # Even the old item itself changed behind the kit's back changes no past rating.
    m.ScoreItem.objects.filter(section__scorecard=card, code="h1").update(
        title="改过的标题", points=5
    )

    rating.refresh_from_db()
    assert (rating.total, rating.grade, rating.edition) == before == (Decimal("69.5"), "A", 1)
    assert (
        sorted(
            rating.scores.values_list("item_code", "item_title", "max_points", "score", "evidence")
        )
        == lines
    )
    assert ("h1", "家庭人口及劳动力状况", Decimal(10), Decimal(10), "") in lines
    # 62 points: A on the old edition, no grade on the new one.
    later = _rating(federation, scorecard=new, year=2024)
    assert later.edition == 2
    assert _score(later, people["rater"], scores_for(62), on=D(2024, 3, 1)).grade == ""
    assert services.grade_for(Decimal(62), card.bands.all()) == "A"
    with pytest.raises(services.CreditRefused):
        services.check_may_copy(card)


def test_an_unusable_scorecard_says_why(federation):
    card = f.make_scorecard(federation.county_a)
    f.make_section(federation.county_a, scorecard=card, kind="base", points=Decimal(90))
    with translation.override("zh-hans"):
        problems = services.scorecard_problems(card)
    assert any("90" in p for p in problems)
    item = f.make_item(federation.county_a, section=card.sections.get(), code="h1")
    twin = m.ScoreItem(section=item.section, code="h1", title="重复", points=Decimal(1))
    with pytest.raises(ValidationError) as exc:
        twin.full_clean()
    assert "code" in exc.value.message_dict
    assert any("评定等级" in p or "等级" in p for p in problems)


def test_opening_a_rating_checks_the_member_and_the_scorecard(federation, people):
    card = f.builtin_card(federation.county_a, valid_from=D(2023, 1, 1))
    member = make_member(federation.a1, kind="farmer", joined_on=D(2022, 6, 1))
    ok = services.open_rating(
        rating=m.CreditRating(unit=federation.a1, member=member, year=2023, scorecard=card),
        user=people["rater"],
    )
    assert (ok.status, ok.edition) == ("draft", 1)
    bad = [
        # a second rating of the same year
        m.CreditRating(unit=federation.a1, member=member, year=2023, scorecard=card),
        # the member's unit is another
        m.CreditRating(unit=federation.a2, member=member, year=2024, scorecard=card),
        # before the member joined
        m.CreditRating(unit=federation.a1, member=member, year=2021, scorecard=card),
        # before the edition was in use
        m.CreditRating(unit=federation.a1, member=member, year=2022, scorecard=card),
        # a scorecard without content
        m.CreditRating(
            unit=federation.a1,
            member=member,
            year=2024,
            scorecard=f.make_scorecard(federation.county_a),
        ),
    ]
    for rating in bad:
        with pytest.raises(ValidationError):
            services.open_rating(rating=rating, user=people["rater"])
    assert m.CreditRating.objects.count() == 1


def test_another_countys_rating_is_out_of_reach(federation, people):
    rating = _score(_rating(federation), people["rater"], scores_for(75))
    other = people["other_county"]
    assert not m.CreditRating.objects.visible_to(other).exists()
    ledger = registry["credit.ratings"]
    from django.http import Http404

    with pytest.raises(Http404):
        actions.perform(
            ledger, actions.get_action(ledger, "approve"), rating, other, {}, rating.version
        )


def _approved(federation, people, member, year, total, on):
    card = f.builtin_card(federation.county_a)
    r = _rating(federation, member=member, year=year, scorecard=card)
    _score(r, people["rater"], scores_for(total), on=on)
    return services.approve_rating(rating=r, user=people["approver"], on=on)


def test_the_yearly_re_rating_due_list(federation, people):
    a, b, c = (make_member(federation.a1, kind="farmer", joined_on=D(2020, 1, 1)) for _ in range(3))
    ra = _approved(federation, people, a, 2023, 75, D(2023, 6, 1))
    rb = _approved(federation, people, b, 2023, 82, D(2023, 6, 1))
    _approved(federation, people, b, 2024, 85, D(2024, 3, 1))  # re-rated in 2024
    rc = _approved(federation, people, c, 2023, 65, D(2023, 6, 1))
    c.left_on = D(2024, 2, 1)
    c.save()
    rows = m.CreditRating.objects.visible_to(people["rater"])
    assert set(services.due_for_rerating(rows, 2024)) == {ra}
    # As of the end of February, b was not yet re-rated.
    assert set(services.due_for_rerating(rows, 2024, D(2024, 2, 29))) == {ra, rb}
    fig = compute("credit.ratings.due", people["rater"], federation.county_a, parse_period("2024"))
    assert fig.value == 1 and set(fig.rows) == {ra}
    assert "due_in=2024" in fig.url
    assert rc not in set(fig.rows)


def test_credit_villages_use_the_share_setting(federation, people):
    # a1: 4 households, 3 rated A or better (75%); a2: 2 households, 1 rated (50%).
    a1 = [make_member(federation.a1, kind="farmer", joined_on=D(2020, 1, 1)) for _ in range(4)]
    a2 = [
        make_member(federation.a2, kind="grain_grower", joined_on=D(2020, 1, 1)) for _ in range(2)
    ]
    make_member(federation.a1, kind="cooperative", joined_on=D(2020, 1, 1))  # not a household
    for member, total in zip(a1[:3], (61, 72, 90), strict=True):
        _approved(federation, people, member, 2023, total, D(2023, 5, 1))
    _approved(federation, people, a1[3], 2023, 55, D(2023, 5, 1))  # rated, below A
    _approved(federation, people, a2[0], 2023, 88, D(2023, 5, 1))
    year = parse_period("2023")
    fig = compute("credit.villages", people["rater"], federation.county_a, year)
    assert fig.value == 1
    assert {r.member_id for r in fig.rows} == {x.pk for x in a1[:3]}
    # The figure opens the same rows in the ratings list.
    assert "credit_village_on=2023-12-31" in fig.url
    from gongxiao.credit.ledgers import _credit_village_on

    listed = _credit_village_on(
        m.CreditRating.objects.visible_to(people["rater"]), "", D(2023, 12, 31)
    )
    assert set(listed) == set(fig.rows)
    with override_settings(GONGXIAO_CREDIT_VILLAGE_SHARE=50):
        assert compute("credit.villages", people["rater"], federation.county_a, year).value == 2
    with override_settings(GONGXIAO_CREDIT_VILLAGE_GRADE="AA"):
        assert compute("credit.villages", people["rater"], federation.county_a, year).value == 0
    rated = compute("credit.ratings.rated", people["rater"], federation.county_a, year)
    assert rated.value == 5
    assert (
        compute(
            "credit.ratings.rated", people["rater"], federation.county_a, year, {"grade": "AAA"}
        ).value
        == 2
    )
    # Rated before the end of April: nobody yet.
    assert (
        compute(
            "credit.ratings.rated", people["rater"], federation.county_a, parse_period("2023-04")
        ).value
        == 0
    )
