import pytest
from django.core.exceptions import ValidationError

from gongxiao.org.models import Unit
from gongxiao.org.services import move_unit
from gongxiao.org.tests.factories import UnitFactory


def test_path_nests_under_the_parent_and_subtree_is_a_prefix_query(federation):
    f = federation
    assert f.a1.path.startswith(f.county_a.path)
    assert f.county_a.path.startswith(f.city.path)
    assert f.a1.depth == 2
    assert set(Unit.objects.subtree(f.county_a)) == {f.county_a, f.a1, f.a2, f.a1_outlet}
    assert set(Unit.objects.subtree(f.county_a, include_self=False)) == {f.a1, f.a2, f.a1_outlet}
    assert list(f.a1.ancestors()) == [f.city, f.county_a]


def test_moving_a_unit_moves_its_subtree(federation):
    f = federation
    deep = UnitFactory(parent=f.a1)
    move_unit(unit=f.a1, new_parent=f.county_b)
    f.a1.refresh_from_db()
    deep.refresh_from_db()
    assert f.a1.path.startswith(f.county_b.path)
    assert deep.path.startswith(f.a1.path)
    assert deep.depth == 3
    assert set(Unit.objects.subtree(f.county_b)) == {f.county_b, f.b1, f.a1, deep, f.a1_outlet}


def test_a_unit_cannot_move_under_its_own_subtree(federation):
    with pytest.raises(ValidationError):
        move_unit(unit=federation.county_a, new_parent=federation.a1)
    federation.county_a.refresh_from_db()
    assert federation.county_a.parent == federation.city


def test_unit_credit_code_is_validated(db):
    unit = Unit(code="X", name="x", kind=Unit.Kind.COUNTY, credit_code="91350100M000100Y44")
    with pytest.raises(ValidationError) as err:
        unit.full_clean()
    assert "credit_code" in err.value.message_dict
