"""Each scoring rule at its edges, the weights that must total exactly 100, and the ranking."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from gongxiao.assessment import rules


def test_manual_points_within_zero_and_the_maximum():
    assert rules.points("manual", D(10), {}, "0") == D("0.00")
    assert rules.points("manual", D(10), {}, "10") == D("10.00")
    assert rules.points("manual", D(10), {}, "7.5") == D("7.50")
    with pytest.raises(ValidationError, match="10"):
        rules.points("manual", D(10), {}, "10.01")
    with pytest.raises(ValidationError):
        rules.points("manual", D(10), {}, "-0.01")


def test_ladder_gives_the_points_of_the_highest_threshold_reached():
    params = rules.check_params("ladder", D(10), {"steps": [[1, 4], [3, 7], [5, 10]]})
    assert rules.points("ladder", D(10), params, 0) == D(0)
    assert rules.points("ladder", D(10), params, "0.99") == D(0)
    assert rules.points("ladder", D(10), params, 1) == D(4)
    assert rules.points("ladder", D(10), params, "2.99") == D(4)
    assert rules.points("ladder", D(10), params, 3) == D(7)
    assert rules.points("ladder", D(10), params, 5) == D(10)
    assert rules.points("ladder", D(10), params, 500) == D(10)


def test_a_ladder_is_refused_when_its_steps_fall_or_exceed_the_weight():
    with pytest.raises(ValidationError):
        rules.check_params("ladder", D(10), {"steps": [[3, 4], [1, 7]]})
    with pytest.raises(ValidationError):
        rules.check_params("ladder", D(10), {"steps": [[1, 11]]})
    with pytest.raises(ValidationError):
        rules.check_params("ladder", D(10), {"steps": []})


def test_proportion_of_a_target_is_capped():
    params = rules.check_params("proportion", D(20), {})
    assert rules.points("proportion", D(20), params, 0, target=5) == D(0)
    assert rules.points("proportion", D(20), params, 4, target=5) == D(16)
    assert rules.points("proportion", D(20), params, 5, target=5) == D(20)
    assert rules.points("proportion", D(20), params, 9, target=5) == D(20)  # capped
    capped = rules.check_params("proportion", D(20), {"cap": 18})
    assert rules.points("proportion", D(20), capped, 9, target=5) == D(18)
    with pytest.raises(ValidationError):
        rules.points("proportion", D(20), params, 4, target=0)
    with pytest.raises(ValidationError):
        rules.check_params("proportion", D(20), {"cap": 21})


def test_deduction_per_occurrence_stops_at_its_floor():
    params = rules.check_params("deduction", D(10), {"per": 2, "floor": 3})
    assert rules.points("deduction", D(10), params, 0) == D(10)
    assert rules.points("deduction", D(10), params, 1) == D(8)
    assert rules.points("deduction", D(10), params, 3) == D(4)
    assert rules.points("deduction", D(10), params, "3.5") == D(3)
    assert rules.points("deduction", D(10), params, 100) == D(3)
    with pytest.raises(ValidationError):
        rules.check_params("deduction", D(10), {"per": 0})
    with pytest.raises(ValidationError):
        rules.check_params("deduction", D(10), {"per": 1, "floor": 10})


def test_bonus_per_occurrence_stops_at_its_cap_and_carries_no_weight():
    params = rules.check_params("bonus", D(0), {"per": 1, "cap": 5})
    assert rules.points("bonus", D(0), params, 0) == D(0)
    assert rules.points("bonus", D(0), params, 4) == D(4)
    assert rules.points("bonus", D(0), params, 5) == D(5)
    assert rules.points("bonus", D(0), params, 6) == D(5)
    with pytest.raises(ValidationError):
        rules.check_params("bonus", D(5), {"per": 1, "cap": 5})
    with pytest.raises(ValidationError):
        rules.points("bonus", D(0), params, -1)


def test_weights_must_total_exactly_100_and_the_difference_is_named():
    assert rules.weight_problem([D(60), D(40)]) is None
    assert rules.weight_problem([D("33.33"), D("33.33"), D("33.34")]) is None
    short = rules.weight_problem([D(60), D(35)]) or ""
    assert "95" in short and "5" in short
    over = rules.weight_problem([D(60), D("40.5")]) or ""
    assert "100.5" in over and "0.5" in over
    assert short != over


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranks = rules.competition_ranks([("a", D(90)), ("b", D(95)), ("c", D(90)), ("d", D(80))])
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}
    assert rules.competition_ranks([("a", D(88)), ("b", D(88))]) == {"a": 1, "b": 1}


def test_grade_bands_for_persons():
    bands = rules.check_bands(rules.PERSON_BANDS)
    assert rules.grade_for(D(90), bands) == "优秀"
    assert rules.grade_for(D("89.99"), bands) == "称职"
    assert rules.grade_for(D(60), bands) == "基本称职"
    assert rules.grade_for(D("59.99"), bands) == "不称职"
    with pytest.raises(ValidationError):
        rules.check_bands([[90, "优秀"], [90, "称职"]])
