"""Writes through the kit: history, optimistic locking, scope re-check, referenced rows."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from gongxiao.core import services
from gongxiao.core.models import ChangeRecord
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, UserFactory, user_with


def _history(obj):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk)
    ).order_by("at", "id")


def test_create_records_who_and_the_values(federation):
    user = user_with(Role.PARTY, federation.county_a)
    p = Person(unit=federation.a1, name="张三", id_number="11010519491231002X")
    services.create_row(obj=p, user=user)
    p.refresh_from_db()
    assert (p.created_by, p.updated_by, p.version) == (user, user, 1)
    assert p.gender == "F"  # derived from the ID number on save
    [rec] = _history(p)
    assert rec.kind == "create" and rec.user == user and rec.unit_id == federation.a1.pk
    assert rec.after["name"] == "张三" and rec.before is None


def test_update_records_before_and_after_and_bumps_the_version(federation):
    user = user_with(Role.PARTY, federation.county_a)
    p = PersonFactory(unit=federation.a1, name="李四")
    p.name = "李四四"
    services.update_row(obj=p, expected_version=1, user=user)
    p.refresh_from_db()
    assert p.version == 2 and p.updated_by == user
    rec = _history(p).last()
    assert rec.kind == "update"
    assert rec.before["name"] == "李四" and rec.after["name"] == "李四四"
    assert "name" in rec.changed_fields()


def test_a_stale_edit_is_refused_and_overwrites_nothing(federation):
    alice = user_with(Role.PARTY, federation.county_a)
    bob = user_with(Role.PARTY, federation.county_a)
    p = PersonFactory(unit=federation.a1, name="王五", phone="13900000000")
    mine = Person.objects.get(pk=p.pk)
    theirs = Person.objects.get(pk=p.pk)
    theirs.phone = "13911111111"
    services.update_row(obj=theirs, expected_version=1, user=bob)
    mine.name = "王五五"
    with pytest.raises(services.StaleEdit) as err:
        services.update_row(obj=mine, expected_version=1, user=alice)
    assert "2" in str(err.value)
    p.refresh_from_db()
    assert (p.name, p.phone, p.version) == ("王五", "13911111111", 2)
    assert _history(p).filter(kind="update").count() == 1


def test_moving_a_row_out_of_scope_is_rolled_back(federation):
    user = user_with(Role.PARTY, federation.county_a)
    p = PersonFactory(unit=federation.a1)
    p.unit = federation.b1
    with pytest.raises(PermissionDenied):
        services.update_row(obj=p, expected_version=1, user=user)
    p.refresh_from_db()
    assert p.unit == federation.a1 and p.version == 1


def test_creating_outside_scope_is_refused(federation):
    user = user_with(Role.PARTY, federation.county_a)
    with pytest.raises(PermissionDenied):
        services.create_row(obj=Person(unit=federation.b1, name="x"), user=user)
    assert not Person.objects.filter(name="x").exists()


def test_a_role_without_the_right_cannot_write(federation):
    viewer = user_with(Role.READ_ONLY, federation.county_a)
    p = PersonFactory(unit=federation.a1)
    with pytest.raises(PermissionDenied):
        services.update_row(obj=p, expected_version=1, user=viewer)
    with pytest.raises(PermissionDenied):
        services.delete_row(obj=p, user=viewer)


def test_invalid_values_are_refused_by_the_service(federation):
    user = user_with(Role.PARTY, federation.county_a)
    with pytest.raises(ValidationError) as err:
        services.create_row(
            obj=Person(unit=federation.a1, name="x", id_number="110105194912310021"), user=user
        )
    assert "id_number" in err.value.message_dict
    assert not Person.objects.exists()


def test_delete_is_refused_while_the_row_is_referenced(federation):
    admin = user_with(Role.SYSADMIN, federation.county_a)
    p = PersonFactory(unit=federation.a1, name="赵六")
    UserFactory(person=p)  # a login belongs to this person
    with pytest.raises(services.RowInUse) as err:
        services.delete_row(obj=p, user=admin)
    assert "用户" in str(err.value) or "user" in str(err.value)
    assert Person.objects.filter(pk=p.pk).exists()
    assert not _history(p).filter(kind="delete").exists()


def test_delete_keeps_the_history(federation):
    admin = user_with(Role.SYSADMIN, federation.county_a)
    p = PersonFactory(unit=federation.a1, name="钱七")
    pk = p.pk
    services.delete_row(obj=p, user=admin)
    assert not Person.objects.filter(pk=pk).exists()
    rec = ChangeRecord.objects.get(object_pk=str(pk), kind="delete")
    assert rec.before["name"] == "钱七"


def test_change_records_cannot_be_deleted_or_changed(federation):
    user = user_with(Role.PARTY, federation.county_a)
    p = Person(unit=federation.a1, name="孙八")
    services.create_row(obj=p, user=user)
    rec = _history(p).get()
    with pytest.raises(PermissionError):
        rec.delete()
    with pytest.raises(PermissionError):
        ChangeRecord.objects.all().delete()
    rec.object_repr = "forged"
    with pytest.raises(PermissionError):
        rec.save()
    assert ChangeRecord.objects.get(pk=rec.pk).object_repr == "孙八"


def test_bulk_create_writes_one_history_row_per_row(federation):
    user = user_with(Role.PARTY, federation.county_a)
    objs = [Person(unit=federation.a1, name=f"批量{i}") for i in range(5)]
    created = services.bulk_create_rows(model=Person, objs=objs, user=user)
    assert all(o.pk for o in created)
    assert ChangeRecord.objects.filter(kind="create", source="import").count() == 5
