"""GET /api/org/units/: the tree in reach, read-only, filtered by parent and kind."""

from rest_framework.test import APIClient

from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _ids(resp):
    body = resp.json()
    return {u["id"] for u in body.get("results", body)}


def test_a_county_user_sees_only_its_own_county_tree(federation):
    f = federation
    api = _api(user_with(Role.LEADER, f.county_a))
    resp = api.get("/api/org/units/")
    assert resp.status_code == 200
    assert f.county_a.pk in _ids(resp) and f.a1.pk in _ids(resp)
    assert f.county_b.pk not in _ids(resp) and f.b1.pk not in _ids(resp)
    row = next(u for u in resp.json()["results"] if u["id"] == f.a1.pk)
    assert set(row) == {"id", "code", "name", "kind", "parent", "path", "depth", "status"}
    assert row["parent"] == f.county_a.pk
    # Another county's units cannot be named, nor reached through a filter.
    assert api.get(f"/api/org/units/{f.b1.pk}/").status_code == 404
    assert _ids(api.get(f"/api/org/units/?parent={f.county_b.pk}")) == set()
    assert _ids(api.get(f"/api/org/units/?parent={f.county_a.pk}&kind={f.a1.kind}")) >= {f.a1.pk}
    # Read-only.
    assert api.post("/api/org/units/", {"code": "X", "name": "X"}).status_code == 405
    assert api.patch(f"/api/org/units/{f.a1.pk}/", {"name": "改"}).status_code == 405


def test_the_units_endpoint_is_in_the_schema(federation):
    api = _api(user_with(Role.LEADER, federation.county_a))
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/org/units/" in schema and "/api/org/units/{id}/" in schema
