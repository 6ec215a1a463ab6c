"""The generated REST API, on the People ledger."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gongxiao.core.ledgers import get_ledger
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

from .helpers import api_url

LEDGER = get_ledger("org", "people")


@pytest.fixture
def party(federation):
    return user_with(Role.PARTY, federation.county_a)


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_token_authentication(federation, party):
    PersonFactory(unit=federation.a1)
    c = APIClient()
    assert c.get(api_url(LEDGER)).status_code in (401, 403)
    resp = c.post("/api/token/", {"username": party.username, "password": "pw-Secret-123"})
    token = resp.json()["token"]
    assert token == Token.objects.get(user=party).key
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert c.get(api_url(LEDGER)).json()["count"] == 1


def test_the_same_filters_as_the_list_page(federation, party):
    a = PersonFactory(unit=federation.a1, name="甲", is_cadre=True)
    PersonFactory(unit=federation.a2, name="乙", is_cadre=False)
    c = _api(party)
    assert [r["id"] for r in c.get(api_url(LEDGER), {"q": "甲"}).json()["results"]] == [a.pk]
    assert [r["id"] for r in c.get(api_url(LEDGER), {"is_cadre": "true"}).json()["results"]] == [
        a.pk
    ]
    assert [
        r["id"] for r in c.get(api_url(LEDGER), {"unit": federation.a1.pk}).json()["results"]
    ] == [a.pk]
    names = [r["name"] for r in c.get(api_url(LEDGER), {"sort": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_create_validates_and_records_history(federation, party):
    c = _api(party)
    bad = c.post(
        api_url(LEDGER),
        {"unit": federation.a1.pk, "name": "x", "id_number": "110105194912310021"},
        format="json",
    )
    assert bad.status_code == 400 and "id_number" in bad.json()
    ok = c.post(
        api_url(LEDGER),
        {"unit": federation.a1.pk, "name": "接口", "id_number": "11010519491231002X"},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    body = ok.json()
    assert body["version"] == 1 and body["gender"] == "F"
    from gongxiao.core.models import ChangeRecord

    assert ChangeRecord.objects.filter(
        object_pk=str(body["id"]), source="api", kind="create"
    ).exists()


def test_update_needs_the_version_and_refuses_a_stale_one(federation, party):
    p = PersonFactory(unit=federation.a1, name="旧")
    c = _api(party)
    resp = c.patch(api_url(LEDGER, p.pk), {"name": "新"}, format="json")
    assert resp.status_code == 400 and "version" in resp.json()
    assert (
        c.patch(api_url(LEDGER, p.pk), {"name": "新", "version": 1}, format="json").status_code
        == 200
    )
    stale = c.patch(api_url(LEDGER, p.pk), {"name": "更新", "version": 1}, format="json")
    assert stale.status_code == 409
    assert "修改未保存" in stale.json()["detail"]
    p.refresh_from_db()
    assert p.name == "新" and p.version == 2


def test_delete_of_a_referenced_row_is_a_conflict(federation):
    from gongxiao.org.tests.factories import UserFactory

    admin = user_with(Role.SYSADMIN, federation.county_a)
    p = PersonFactory(unit=federation.a1)
    UserFactory(person=p)
    assert _api(admin).delete(api_url(LEDGER, p.pk)).status_code == 409
    assert Person.objects.filter(pk=p.pk).exists()


def test_personal_data_masked_in_the_api_without_the_right(federation):
    PersonFactory(unit=federation.a1, id_number="11010519491231002X")
    leader = user_with(Role.LEADER, federation.county_a)
    [row] = _api(leader).get(api_url(LEDGER)).json()["results"]
    assert row["id_number"] == "110105********002X"


def test_schema_and_documentation_are_served_locally(federation, party):
    c = _api(party)
    schema = c.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/org/people/" in schema.content.decode()
    docs = c.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "http://" not in docs and "https://" not in docs
