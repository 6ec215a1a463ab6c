"""The rules of the one scoping layer, checked directly."""

from gongxiao.core import scoping
from gongxiao.org.models import Person
from gongxiao.org.roles import RIGHTS, Role, role_allows
from gongxiao.org.tests.factories import PersonFactory, UserFactory, user_with


def _rows(f):
    return {
        "city": PersonFactory(unit=f.city),
        "a": PersonFactory(unit=f.county_a),
        "a1": PersonFactory(unit=f.a1),
        "a2": PersonFactory(unit=f.a2),
        "b1": PersonFactory(unit=f.b1),
    }


def test_a_role_covers_the_subtree_of_its_unit(federation):
    rows = _rows(federation)
    user = user_with(Role.LEADER, federation.county_a)
    seen = set(Person.objects.visible_to(user))
    assert seen == {rows["a"], rows["a1"], rows["a2"]}


def test_data_entry_sees_only_its_own_unit(federation):
    rows = _rows(federation)
    clerk = user_with(Role.DATA_ENTRY, federation.a1)
    assert set(Person.objects.visible_to(clerk)) == {rows["a1"]}
    assert set(Person.objects.editable_by(clerk)) == {rows["a1"]}


def test_read_only_sees_but_cannot_change(federation):
    rows = _rows(federation)
    viewer = user_with(Role.READ_ONLY, federation.county_a)
    assert rows["a1"] in Person.objects.visible_to(viewer)
    assert not Person.objects.editable_by(viewer).exists()


def test_several_assignments_add_up(federation):
    rows = _rows(federation)
    user = user_with(Role.LEADER, federation.county_a)
    from gongxiao.org.services import assign_role

    assign_role(user=user, unit=federation.b1, role=Role.READ_ONLY)
    assert set(Person.objects.visible_to(user)) == {rows["a"], rows["a1"], rows["a2"], rows["b1"]}


def test_user_without_roles_and_anonymous_see_nothing(federation):
    _rows(federation)
    from django.contrib.auth.models import AnonymousUser

    assert not Person.objects.visible_to(UserFactory()).exists()
    assert not Person.objects.visible_to(AnonymousUser()).exists()


def test_inactive_user_sees_nothing(federation):
    _rows(federation)
    user = user_with(Role.LEADER, federation.city, is_active=False)
    assert not Person.objects.visible_to(user).exists()


def test_closed_unit_assignment_grants_nothing(federation):
    _rows(federation)
    user = user_with(Role.LEADER, federation.county_a)
    federation.county_a.status = "closed"
    federation.county_a.save()
    scoping.forget(user)
    assert not Person.objects.visible_to(user).exists()


def test_superuser_sees_everything_but_the_restricted_module(federation):
    _rows(federation)
    admin = UserFactory(is_superuser=True)
    assert Person.objects.visible_to(admin).count() == 5
    assert not scoping.can_any(admin, "discipline", "view")
    assert scoping.can_any(user_with(Role.DISCIPLINE, federation.city), "discipline", "view")


def test_four_forms_module_is_granted_to_the_discipline_role_only():
    holders = [r for r in RIGHTS if role_allows(r, "discipline", "view")]
    assert holders == [Role.DISCIPLINE]


def test_can_checks_one_row(federation):
    rows = _rows(federation)
    user = user_with(Role.PARTY, federation.county_a)
    assert scoping.can(user, "change", rows["a1"])
    assert not scoping.can(user, "change", rows["b1"])
    assert not scoping.can(user_with(Role.READ_ONLY, federation.county_a), "change", rows["a1"])


def test_unit_choices_follow_the_right(federation):
    clerk = user_with(Role.DATA_ENTRY, federation.a1)
    assert list(scoping.units_for(clerk, "org", "add")) == [federation.a1]
    leader = user_with(Role.LEADER, federation.county_a)
    assert not scoping.units_for(leader, "org", "add").exists()  # leaders only read people
    assert set(scoping.units_for(leader)) == {
        federation.county_a,
        federation.a1,
        federation.a2,
        federation.a1_outlet,
    }
