"""Imports that do not duplicate (issue 14, item 5): each ledger's natural key names a row among
those kept; re-importing an export adds no row without the user's say. The rows already kept
are listed in the preview; the user skips them (the default) or updates them, through the
ledger's update (its rules, locks and history), refused for a row changed since the check."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
from django.test import Client

from gongxiao.core import excel
from gongxiao.core.ledgers import all_ledgers, get_ledger
from gongxiao.core.models import ChangeRecord, Job
from gongxiao.core.testing import row_factory
from gongxiao.org.models import Person
from gongxiao.org.roles import Role, role_allows
from gongxiao.org.tests.factories import PersonFactory, user_with

from .helpers import ledger_url, xlsx_for

PEOPLE = get_ledger("org", "people")


def _importer_role(ledger):
    return next((r for r in Role if role_allows(r, ledger.module, "import")), None)


def _factory_rows_import(ledger) -> bool:
    """Whether a factory's row can be imported back at all: the factories leave required
    many-to-many fields (谈话对象, 主送单位) and files (a template's Word file) empty, which an
    import rightly refuses."""
    for name in {*ledger.import_field_names, *ledger.form_fields}:
        f = ledger.field(name)
        if isinstance(f, FileField) or (f.many_to_many and not f.blank):
            return False
    return True


IMPORTABLE = [
    lg
    for lg in all_ledgers()
    if lg.import_field_names
    and _importer_role(lg)
    and row_factory(lg.model)
    and _factory_rows_import(lg)
]


def _export(ledger, rows, user) -> bytes:
    buf = io.BytesIO()
    excel.write_workbook(ledger, rows, user, ledger.export_field_names, target=buf)
    return buf.getvalue()


def test_every_ledger_names_its_natural_key():
    for ledger in all_ledgers():
        if ledger.import_field_names:
            assert ledger.natural_key_fields, ledger.key
            for name in ledger.natural_key_fields:
                assert not ledger.field(name).many_to_many, (ledger.key, name)


@pytest.mark.parametrize("ledger", IMPORTABLE, ids=[lg.key for lg in IMPORTABLE])
def test_reimporting_an_export_adds_no_row(ledger, federation):
    user = user_with(_importer_role(ledger), federation.county_a)
    row = row_factory(ledger.model)(federation.a1)
    before = ledger.model.objects.count()
    check = excel.check_import(ledger, _export(ledger, [row], user), user)
    assert check.ok, (check.file_errors, check.errors)
    assert [e["pk"] for e in check.existing] == [row.pk]
    assert check.objects == []
    assert ledger.importer().commit(check, user) == 0
    assert ledger.model.objects.count() == before


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _check(client, data: bytes) -> Job:
    client.post(ledger_url(PEOPLE, "import"), {"file": SimpleUploadedFile("p.xlsx", data)})
    return Job.objects.filter(kind="import_check").latest("created_at")


@pytest.fixture
def party(federation):
    return user_with(Role.PARTY, federation.county_a)


def test_the_preview_lists_the_rows_already_kept_and_skips_them_by_default(federation, party):
    kept = PersonFactory(unit=federation.a1, name="已有张三", post="会计")
    data = xlsx_for(PEOPLE, [kept, Person(unit=federation.a1, name="新来李四")])
    c = _client(party)
    check = _check(c, data)
    assert check.result["ok"] is True
    assert (check.result["new_count"], check.result["existing_count"]) == (1, 1)
    assert check.result["existing"][0]["pk"] == kept.pk
    assert check.result["existing"][0]["row"] == 2
    page = c.get(f"/jobs/{check.pk}/").content.decode()
    assert 'id="import-existing"' in page and "已有张三" in page
    assert 'name="existing" value="skip"' in page and "checked" in page

    c.post(f"/jobs/{check.pk}/confirm/")  # no choice sent: the rows kept are skipped
    commit = Job.objects.get(kind="import_commit")
    assert commit.result["created"] == 1 and commit.result["skipped"] == 1, commit.message
    assert Person.objects.filter(name="已有张三").count() == 1
    assert Person.objects.filter(name="新来李四").count() == 1
    kept.refresh_from_db()
    assert kept.version == 1


def test_update_goes_through_the_ledgers_update_and_its_lock(federation, party):
    kept = PersonFactory(unit=federation.a1, name="已有张三", post="会计", phone="13900000001")
    c = _client(party)
    # The natural key of a person: unit, name and ID number; the phone is a changed value.
    data = xlsx_for(PEOPLE, [kept], overrides={(1, "phone"): "13900000002"})
    check = _check(c, data)
    assert check.result["existing_count"] == 1
    c.post(f"/jobs/{check.pk}/confirm/", {"existing": "update"})
    commit = Job.objects.get(kind="import_commit")
    assert commit.result["updated"] == 1 and commit.result["created"] == 0, commit.message
    kept.refresh_from_db()
    assert (kept.phone, kept.version, kept.updated_by_id) == ("13900000002", 2, party.pk)
    assert ChangeRecord.objects.filter(
        object_pk=str(kept.pk), kind="update", source="import"
    ).exists()

    # Changed by someone between the check and the confirm: refused, nothing written.
    data = xlsx_for(PEOPLE, [kept], overrides={(1, "phone"): "13900000003"})
    check = _check(c, data)
    Person.objects.filter(pk=kept.pk).update(version=9)
    c.post(f"/jobs/{check.pk}/confirm/", {"existing": "update"})
    commit = Job.objects.filter(kind="import_commit").latest("created_at")
    assert commit.status == Job.Status.FAILED and "已被他人修改" in commit.message, commit.message
    kept.refresh_from_db()
    assert kept.phone == "13900000002"


def test_rows_out_of_reach_are_never_matched_nor_revealed(federation, party):
    # The same name and unit code in county B: county A's user neither matches nor sees it.
    PersonFactory(unit=federation.b1, name="乙县王五")
    check = excel.check_import(
        PEOPLE, xlsx_for(PEOPLE, [Person(unit=federation.a1, name="乙县王五")]), party
    )
    assert check.ok and check.existing == [] and len(check.objects) == 1
