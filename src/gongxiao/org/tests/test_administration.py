"""Administration of one's own subtree: a county's system administrator adds and closes units,
opens logins and grants roles below his county, and is refused everything beyond it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gongxiao.core import scoping
from gongxiao.core.actions import perform
from gongxiao.core.ledgers import get_ledger_by_key
from gongxiao.core.models import ActionRecord, ChangeRecord
from gongxiao.org import services
from gongxiao.org.models import RoleAssignment, Unit, User
from gongxiao.org.roles import Role

from .factories import PersonFactory, UserFactory, user_with

PASSWORD = "Gx-chushi-2026"


@pytest.fixture
def admin(federation):
    return user_with(Role.SYSADMIN, federation.county_a)


@pytest.fixture
def other_admin(federation):
    return user_with(Role.SYSADMIN, federation.county_b)


def _login(person, **kw):
    return UserFactory(person=person, **kw)


# --- units ------------------------------------------------------------------------------------


def test_an_admin_adds_a_unit_in_his_subtree_with_its_history(admin, federation):
    unit = services.add_unit(
        by=admin, parent=federation.a1, code=" a1-x ", name="甲一新社", kind="outlet"
    )
    assert unit.code == "A1-X" and unit.is_within(federation.a1)
    record = ChangeRecord.objects.get(object_pk=str(unit.pk), kind="create")
    assert record.user == admin and record.after["name"] == "甲一新社"


@pytest.mark.parametrize("parent", ["county_b", "b1", "city"])
def test_no_unit_is_added_outside_his_subtree(admin, federation, parent):
    with pytest.raises(PermissionDenied):
        services.add_unit(
            by=admin, parent=getattr(federation, parent), code="X1", name="外社", kind="outlet"
        )
    assert not Unit.objects.filter(code="X1").exists()


def test_a_unit_fits_below_its_parent_and_its_code_is_checked(admin, federation):
    with pytest.raises(ValidationError) as exc:
        services.add_unit(by=admin, parent=federation.county_a, code="X2", name="县", kind="county")
    assert "kind" in exc.value.message_dict
    for code in ("", "有中文", "A B", "A1"):  # empty, not ASCII, a space, taken
        with pytest.raises(ValidationError) as exc:
            services.add_unit(by=admin, parent=federation.a1, code=code, name="新", kind="outlet")
        assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.add_unit(
            by=admin,
            parent=federation.a1,
            code="X3",
            name="新",
            kind="outlet",
            credit_code="123",
        )
    assert "credit_code" in exc.value.message_dict


def test_an_admin_renames_moves_and_closes_below_his_unit(admin, federation):
    unit = services.change_unit(by=admin, unit=federation.a2, name="甲二新名")
    assert unit.name == "甲二新名"
    assert ChangeRecord.objects.filter(object_pk=str(unit.pk), kind="update").count() == 1
    moved = services.move_unit_within(by=admin, unit=federation.a1_outlet, new_parent=unit)
    assert moved.is_within(unit)
    with pytest.raises(ValidationError):  # a grassroots co-op with an open outlet below
        services.close_unit(by=admin, unit=unit)
    services.close_unit(by=admin, unit=moved)
    assert Unit.objects.get(pk=moved.pk).status == "closed"


def test_a_closed_unit_gives_no_access_through_its_roles(admin, federation):
    clerk = user_with(Role.DATA_ENTRY, federation.a2)
    assert scoping.units_for(clerk).filter(pk=federation.a2.pk).exists()
    services.close_unit(by=admin, unit=federation.a2)
    scoping.forget(clerk)
    assert not scoping.units_for(clerk).exists()


def test_the_admin_neither_moves_nor_closes_his_own_unit_nor_a_sibling(admin, federation):
    for call in (
        lambda: services.close_unit(by=admin, unit=federation.county_a),
        lambda: services.move_unit_within(
            by=admin, unit=federation.county_a, new_parent=federation.county_a
        ),
        lambda: services.close_unit(by=admin, unit=federation.b1),
        lambda: services.change_unit(by=admin, unit=federation.b1, name="改"),
        lambda: services.move_unit_within(
            by=admin, unit=federation.a2, new_parent=federation.county_b
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Unit.objects.get(pk=federation.b1.pk).name == "乙一基层社"
    assert Unit.objects.get(pk=federation.a2.pk).parent_id == federation.county_a.pk


def test_a_unit_is_not_moved_below_itself(admin, federation):
    with pytest.raises(ValidationError):
        services.move_unit_within(by=admin, unit=federation.a1, new_parent=federation.a1_outlet)


def test_a_leader_administers_nothing(federation):
    leader = user_with(Role.LEADER, federation.county_a)
    with pytest.raises(PermissionDenied):
        services.add_unit(by=leader, parent=federation.a1, code="X4", name="新", kind="outlet")


# --- logins and roles -------------------------------------------------------------------------


def test_an_admin_opens_a_login_and_grants_data_entry(admin, federation):
    person = PersonFactory(unit=federation.a1)
    login = services.open_login(by=admin, person=person, username="jiayi01", password=PASSWORD)
    assert login.check_password(PASSWORD) and login.person == person
    services.grant_role(by=admin, user=login, unit=federation.a1, role=Role.DATA_ENTRY)
    assert scoping.can_any(login, "org", "add")
    # A role with no right beyond his own: a grassroots administrator.
    services.grant_role(by=admin, user=login, unit=federation.a1, role=Role.SYSADMIN)
    assert RoleAssignment.objects.filter(user=login).count() == 2


def test_no_login_for_a_person_of_the_sibling_county(admin, federation):
    person = PersonFactory(unit=federation.b1)
    with pytest.raises(PermissionDenied):
        services.open_login(by=admin, person=person, username="yiyi", password=PASSWORD)
    assert not User.objects.filter(username="yiyi").exists()


def test_a_login_name_is_unique_and_a_password_strong(admin, federation):
    UserFactory(username="taken")
    person = PersonFactory(unit=federation.a1)
    with pytest.raises(ValidationError) as exc:
        services.open_login(by=admin, person=person, username="TAKEN", password=PASSWORD)
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.open_login(by=admin, person=person, username="new", password="12345678")
    assert "password" in exc.value.message_dict
    services.open_login(by=admin, person=person, username="new", password=PASSWORD)
    with pytest.raises(ValidationError):
        services.open_login(by=admin, person=person, username="new2", password=PASSWORD)


def test_no_role_beyond_what_the_admin_holds(admin, federation):
    login = _login(PersonFactory(unit=federation.a1))
    # The discipline officer reads the four-forms ledger, which a system administrator does not.
    with pytest.raises(PermissionDenied) as exc:
        services.grant_role(by=admin, user=login, unit=federation.a1, role=Role.DISCIPLINE)
    assert str(Role.DISCIPLINE.label) in str(exc.value)
    # Not over a unit above or beside his own.
    for unit in (federation.city, federation.county_b, federation.b1):
        with pytest.raises(PermissionDenied):
            services.grant_role(by=admin, user=login, unit=unit, role=Role.READ_ONLY)
    assert not RoleAssignment.objects.filter(user=login).exists()


def test_no_role_for_a_login_of_the_sibling_county(admin, federation):
    foreign = _login(PersonFactory(unit=federation.b1))
    with pytest.raises(PermissionDenied):
        services.grant_role(by=admin, user=foreign, unit=federation.a1, role=Role.READ_ONLY)
    # A login with no person on any roll is nobody's to administer below the city.
    loose = UserFactory()
    with pytest.raises(PermissionDenied):
        services.grant_role(by=admin, user=loose, unit=federation.a1, role=Role.READ_ONLY)


def test_a_role_granted_twice_or_to_a_deactivated_login_is_refused(admin, federation):
    login = _login(PersonFactory(unit=federation.a1))
    services.grant_role(by=admin, user=login, unit=federation.a1, role=Role.READ_ONLY)
    with pytest.raises(ValidationError):
        services.grant_role(by=admin, user=login, unit=federation.a1, role=Role.READ_ONLY)
    services.set_login_active(by=admin, user=login, active=False)
    with pytest.raises(ValidationError):
        services.grant_role(by=admin, user=login, unit=federation.a2, role=Role.READ_ONLY)


def test_withdrawing_a_role(admin, other_admin, federation):
    login = _login(PersonFactory(unit=federation.a1))
    a = services.grant_role(by=admin, user=login, unit=federation.a1, role=Role.DATA_ENTRY)
    with pytest.raises(PermissionDenied):  # the sibling county's administrator
        services.withdraw_role(by=other_admin, assignment=a)
    services.withdraw_role(by=admin, assignment=a)
    assert not RoleAssignment.objects.filter(pk=a.pk).exists()
    assert not scoping.can_any(login, "org", "add")
    # A role a superuser gave over another county stays out of his hands.
    foreign = RoleAssignment.objects.create(user=login, unit=federation.b1, role=Role.READ_ONLY)
    with pytest.raises(PermissionDenied):
        services.withdraw_role(by=admin, assignment=foreign)


def test_the_admin_keeps_his_own_administrator_role_and_login(admin, federation):
    admin.person = PersonFactory(unit=federation.county_a)
    admin.save()
    own = admin.assignments.get(role=Role.SYSADMIN)
    with pytest.raises(PermissionDenied):
        services.withdraw_role(by=admin, assignment=own)
    with pytest.raises(PermissionDenied):
        services.set_login_active(by=admin, user=admin, active=False)


def test_a_password_reset_is_checked_and_revokes_the_old_one(admin, federation):
    login = _login(PersonFactory(unit=federation.a1))
    with pytest.raises(ValidationError):
        services.reset_password(by=admin, user=login, password="short")
    services.reset_password(by=admin, user=login, password="Gx-xinmima-2027")
    login.refresh_from_db()
    assert login.check_password("Gx-xinmima-2027")
    foreign = _login(PersonFactory(unit=federation.b1))
    with pytest.raises(PermissionDenied):
        services.reset_password(by=admin, user=foreign, password="Gx-xinmima-2027")


def test_the_action_record_keeps_no_password(admin, federation):
    person = PersonFactory(unit=federation.a1)
    ledger = get_ledger_by_key("org.people")
    action = next(a for a in ledger.actions if a.name == "open_login")
    perform(ledger, action, person, admin, {"username": "jy2", "password": PASSWORD}, 1)
    record = ActionRecord.objects.get(action="open_login", object_pk=str(person.pk))
    assert record.data["password"] == "******" and PASSWORD not in str(record.data)


# --- pages ------------------------------------------------------------------------------------


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_units_page_shows_his_subtree_only(admin, other_admin, federation):
    page = _client(admin).get("/org/units/").content.decode()
    assert "甲一基层社" in page and "乙一基层社" not in page and "市社" not in page
    other = _client(other_admin).get("/org/units/").content.decode()
    assert "甲一基层社" not in other and "乙一基层社" in other


def test_the_pages_refuse_the_sibling_county_and_non_admins(admin, federation):
    c = _client(admin)
    assert c.get(f"/org/units/{federation.b1.pk}/").status_code == 404
    assert c.post(f"/org/units/{federation.b1.pk}/close/").status_code == 404
    assert Unit.objects.get(pk=federation.b1.pk).status == "active"
    resp = c.post(
        "/org/units/new/",
        {"parent": federation.county_b.pk, "code": "X9", "name": "外", "kind": "grassroots"},
    )
    assert resp.status_code == 200 and not Unit.objects.filter(code="X9").exists()
    leader = _client(user_with(Role.LEADER, federation.county_a))
    assert leader.get("/org/units/").status_code == 403
    assert leader.get("/org/units/new/").status_code == 403


def test_adding_a_unit_through_the_page(admin, federation):
    c = _client(admin)
    resp = c.post(
        "/org/units/new/",
        {"parent": federation.a1.pk, "code": "A1-B", "name": "甲一农资店", "kind": "outlet"},
    )
    unit = Unit.objects.get(code="A1-B")
    assert resp.status_code == 302 and unit.parent == federation.a1
    page = c.get(f"/org/units/{unit.pk}/").content.decode()
    assert "甲一农资店" in page and 'id="history"' in page
    bad = c.post(
        "/org/units/new/",
        {"parent": federation.a1.pk, "code": "A1-B", "name": "重复", "kind": "outlet"},
    ).content.decode()
    assert "A1-B" in bad and Unit.objects.filter(code="A1-B").count() == 1


def test_the_person_page_offers_the_admin_actions_to_the_admin_only(admin, federation):
    person = PersonFactory(unit=federation.a1)
    url = f"/ledgers/org/people/{person.pk}/"
    assert "/actions/open_login/" in _client(admin).get(url).content.decode()
    leader = _client(user_with(Role.PARTY, federation.county_a))
    assert "/actions/open_login/" not in leader.get(url).content.decode()


def test_the_units_page_names_no_role_held_beyond_his_subtree(admin, federation):
    """A login of his county who also holds a role at the sibling county: the page lists the
    login and its role at home, and does not name the sibling county's unit."""
    clerk = _login(PersonFactory(unit=federation.a1, name="甲一文员"), username="a1clerk")
    RoleAssignment.objects.create(user=clerk, unit=federation.a1, role=Role.DATA_ENTRY)
    RoleAssignment.objects.create(user=clerk, unit=federation.b1, role=Role.DATA_ENTRY)
    page = _client(admin).get("/org/units/").content.decode()
    assert "a1clerk" in page and "甲一基层社" in page
    assert "乙一基层社" not in page
