"""Change records, seals and amendments are refused UPDATE and DELETE by the database itself,
whatever path the statement takes; `flush` (the suite's teardown) still empties them."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction

from gongxiao.core import appendonly
from gongxiao.core.models import ChangeRecord
from gongxiao.core.services import create_row
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def _refused(run):
    """The statement fails in the database (a savepoint keeps the test's transaction usable)."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        run()


def _sql(sql, params=()):
    def run():
        with connection.cursor() as cur:
            cur.execute(sql, params)

    return run


@pytest.fixture
def record(federation):
    user = user_with(Role.PARTY, federation.county_a)
    create_row(obj=Person(unit=federation.a1, name="孙八"), user=user)
    return ChangeRecord.objects.get()


def test_the_triggers_are_installed_by_the_migrations(db):
    assert appendonly.missing() == []
    with appendonly.suspended(tables=["core_changerecord"]):
        assert len(appendonly.missing()) == 2
    assert appendonly.missing() == []


def test_change_records_refuse_update_and_delete_through_the_orm(record):
    with pytest.raises(PermissionError):
        ChangeRecord.objects.filter(pk=record.pk).update(object_repr="forged")
    with pytest.raises(PermissionError):
        ChangeRecord.objects.all().delete()
    # Past the queryset's own refusal (QuerySet's methods, as a careless caller could): the
    # database refuses.
    _refused(
        lambda: models.QuerySet.update(
            ChangeRecord.objects.filter(pk=record.pk), object_repr="forged"
        )
    )
    _refused(lambda: models.QuerySet._raw_delete(ChangeRecord.objects.all(), "default"))
    assert ChangeRecord.objects.get(pk=record.pk).object_repr == "孙八"


def test_change_records_refuse_raw_update_and_delete(record):
    _refused(_sql("UPDATE core_changerecord SET object_repr = %s", ["forged"]))
    _refused(_sql("DELETE FROM core_changerecord WHERE id = %s", [record.pk]))
    _refused(_sql("DELETE FROM core_changerecord"))
    if connection.vendor == "postgresql":
        _refused(_sql("TRUNCATE core_changerecord"))
    assert ChangeRecord.objects.filter(pk=record.pk, object_repr="孙八").exists()


def test_change_records_can_still_be_written(record):
    create_row(obj=Person(unit=record.unit, name="周九"), user=user_with(Role.PARTY, record.unit))
    assert ChangeRecord.objects.count() == 2


def test_a_connection_django_did_not_open_is_refused_too(tmp_path):
    """The sqlite3 console has no `gongxiao_flushing()`: its DELETE fails as well."""
    import sqlite3

    console = sqlite3.connect(tmp_path / "copy.sqlite3")
    console.execute('CREATE TABLE "core_changerecord" (id integer primary key, object_repr text)')
    for statement in appendonly.install_sql("sqlite", "core_changerecord"):
        console.execute(statement)
    console.execute("INSERT INTO core_changerecord (object_repr) VALUES ('孙八')")
    with pytest.raises(sqlite3.OperationalError, match="gongxiao_flushing"):
        console.execute("DELETE FROM core_changerecord")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        console.execute("UPDATE core_changerecord SET object_repr = 'x'")
    assert console.execute("SELECT object_repr FROM core_changerecord").fetchall() == [("孙八",)]


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_guarded_tables_and_leaves_the_triggers(federation):
    user = user_with(Role.PARTY, federation.county_a)
    create_row(obj=Person(unit=federation.a1, name="吴十"), user=user)
    assert ChangeRecord.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not ChangeRecord.objects.exists()
    assert appendonly.missing() == []
    # The flag went with the flush: this connection is refused again.
    from django.contrib.contenttypes.models import ContentType

    ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(Person), object_pk="1", kind="create"
    )
    _refused(_sql("DELETE FROM core_changerecord"))
    assert ChangeRecord.objects.count() == 1
