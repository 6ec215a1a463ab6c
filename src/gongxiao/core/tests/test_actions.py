"""Every declared action of every ledger, tested from the registry: an action declared
tomorrow is covered the day it is declared (its example input and a maker of a row ready for
it, core.testing.prepares, are all it needs; a meta-test demands both).

For each action: allowed → done, version + 1 (unchanged for an action that only appends to
the row), one action record and a change record; without
the right → 403 and nothing changed; a row out of scope → 404 and nothing changed; a stale or
missing version → 409; for bulk actions, a bulk request mixing own and foreign rows changes
none of the foreign ones; each action's route is in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.models import ActionRecord, ChangeRecord
from gongxiao.core.services import snapshot
from gongxiao.core.testing import action_maker
from gongxiao.org.roles import Role, role_allows
from gongxiao.org.tests.factories import user_with

from .helpers import ledger_url

CASES = [(lg, a) for lg in all_ledgers() for a in lg.actions]
IDS = [f"{lg.key}:{a.name}" for lg, a in CASES]
BULK = [(lg, a) for lg, a in CASES if a.bulk]


def test_there_are_actions_to_test():
    assert CASES, "no ledger declares an action"


@pytest.mark.parametrize(("ledger", "action"), CASES, ids=IDS)
def test_every_action_has_an_example_input_and_a_maker(ledger, action):
    assert action.example is not None, (
        f"{ledger.key}: action {action.name} has no example input (Action(example={{...}}))"
    )
    assert action_maker(ledger.key, action.name) is not None, (
        f"{ledger.key}: no row maker for action {action.name} "
        "(register one with gongxiao.core.testing.prepares)"
    )


def actor(ledger, action, unit):
    """A user holding the action's right over `unit` (and nothing to do with the row)."""
    role = next(r for r in Role if role_allows(r, ledger.module, action.right))
    return user_with(role, unit)


def without_right(ledger, action, unit):
    role = next(
        r
        for r in Role
        if role_allows(r, ledger.module, "view") and not role_allows(r, ledger.module, action.right)
    )
    return user_with(role, unit)


def body(action, obj, **extra):
    data = {k: v(obj) if callable(v) else v for k, v in (action.example or {}).items()}
    return {**data, "version": obj.version, **extra}


def url(ledger, action, obj):
    return f"/api/{ledger.app_label}/{ledger.slug}/{obj.pk}/actions/{action.name}/"


def page_url(ledger, action, obj):
    return reverse(
        "ledger-action",
        kwargs={
            "app_label": ledger.app_label,
            "slug": ledger.slug,
            "pk": obj.pk,
            "name": action.name,
        },
    )


def outsider(federation):
    return user_with(Role.SYSADMIN, federation.county_b)


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


class State:
    """What a refused request must leave as it was."""

    def __init__(self, ledger, obj):
        self.ledger, self.pk = ledger, obj.pk
        self.row = self._row()
        self.changes = ChangeRecord.objects.count()
        self.actions = ActionRecord.objects.count()

    def _row(self):
        return snapshot(self.ledger.model.objects.get(pk=self.pk))

    def unchanged(self) -> bool:
        return (
            self._row() == self.row
            and ChangeRecord.objects.count() == self.changes
            and ActionRecord.objects.count() == self.actions
        )


def ready(ledger, action, unit):
    return action_maker(ledger.key, action.name)(unit)


@pytest.mark.parametrize(("ledger", "action"), CASES, ids=IDS)
def test_an_allowed_action_is_done_once_with_its_records(
    federation, ledger, action, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    obj = ready(ledger, action, federation.a1)
    user = actor(ledger, action, federation.a1)
    assert action.allowed(obj, user), action.refusal(obj, user)
    version, changes = obj.version, ChangeRecord.objects.count()
    # An action that appends to the row (an amendment to sealed minutes) leaves its version.
    expected = version if action.appends else version + 1
    if action.background:
        # Checked in the request (202 and a job to follow), taken by the job through the same
        # runner; the job's work is the benchmarks' to measure, not a pin's.
        with django_capture_on_commit_callbacks(execute=True):
            resp = api(user).post(url(ledger, action, obj), body(action, obj), format="json")
        assert resp.status_code == 202, resp.content
        job = api(user).get(resp.json()["url"]).json()
        assert job["status"] == "done", job
        assert api(outsider(federation)).get(resp.json()["url"]).status_code == 404
    else:
        # A pin on the work one action takes: it must not grow with the rows around it.
        with django_assert_max_num_queries(40):
            resp = api(user).post(url(ledger, action, obj), body(action, obj), format="json")
        assert resp.status_code == 200, resp.content
        assert resp.json()["version"] == expected
    after = ledger.model.objects.get(pk=obj.pk)
    assert after.version == expected
    records = ActionRecord.objects.filter(ledger=ledger.key, object_pk=str(obj.pk))
    assert [(r.action, r.user_id, r.source) for r in records] == [(action.name, user.pk, "api")]
    if action.business_date:
        assert records.get().on is not None
    assert ChangeRecord.objects.count() > changes


@pytest.mark.parametrize(("ledger", "action"), CASES, ids=IDS)
def test_the_page_door_takes_the_same_action(
    federation, ledger, action, django_capture_on_commit_callbacks
):
    obj = ready(ledger, action, federation.a1)
    user = actor(ledger, action, federation.a1)
    c = Client()
    c.force_login(user)
    page = page_url(ledger, action, obj)
    assert c.get(page).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(page, body(action, obj))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    if action.background:  # the page follows its job
        assert resp.url.startswith("/jobs/")
    expected = obj.version if action.appends else obj.version + 1
    assert ledger.model.objects.get(pk=obj.pk).version == expected
    assert ActionRecord.objects.filter(object_pk=str(obj.pk), action=action.name).count() == 1


@pytest.mark.parametrize(("ledger", "action"), CASES, ids=IDS)
def test_without_the_right_nothing_changes(federation, ledger, action):
    obj = ready(ledger, action, federation.a1)
    state = State(ledger, obj)
    user = without_right(ledger, action, federation.a1)
    resp = api(user).post(url(ledger, action, obj), body(action, obj), format="json")
    assert resp.status_code == 403
    c = Client()
    c.force_login(user)
    c.post(page_url(ledger, action, obj), body(action, obj))
    assert state.unchanged()


@pytest.mark.parametrize(("ledger", "action"), CASES, ids=IDS)
def test_a_row_out_of_scope_is_not_found_and_not_touched(federation, ledger, action):
    foreign = ready(ledger, action, federation.b1)
    state = State(ledger, foreign)
    user = actor(ledger, action, federation.a1)
    resp = api(user).post(url(ledger, action, foreign), body(action, foreign), format="json")
    assert resp.status_code == 404
    c = Client()
    c.force_login(user)
    page = page_url(ledger, action, foreign)
    assert c.post(page, body(action, foreign)).status_code == 404
    assert state.unchanged()


@pytest.mark.parametrize(("ledger", "action"), CASES, ids=IDS)
def test_a_stale_or_missing_version_is_a_conflict(federation, ledger, action):
    obj = ready(ledger, action, federation.a1)
    state = State(ledger, obj)
    user = actor(ledger, action, federation.a1)
    c = api(user)
    stale = body(action, obj, version=obj.version - 1)
    assert c.post(url(ledger, action, obj), stale, format="json").status_code == 409
    missing = body(action, obj)
    missing.pop("version")
    resp = c.post(url(ledger, action, obj), missing, format="json")
    assert resp.status_code == 409
    assert state.unchanged()


@pytest.mark.parametrize(("ledger", "action"), BULK, ids=[f"{lg.key}:{a.name}" for lg, a in BULK])
def test_a_bulk_request_changes_own_rows_and_none_of_the_foreign(federation, ledger, action):
    own = [ready(ledger, action, federation.a1) for _ in range(2)]
    foreign = ready(ledger, action, federation.b1)
    state = State(ledger, foreign)
    user = actor(ledger, action, federation.a1)
    c = Client()
    c.force_login(user)
    rows = [f"{o.pk}:{o.version}" for o in [*own, foreign]]
    resp = c.post(ledger_url(ledger, "bulk"), {"action": action.name, "rows": rows}, follow=True)
    assert resp.status_code == 200
    for o in own:
        assert ledger.model.objects.get(pk=o.pk).version == o.version + 1
    assert state.row == snapshot(ledger.model.objects.get(pk=foreign.pk))
    assert not ActionRecord.objects.filter(object_pk=str(foreign.pk)).exists()
    summary = " ".join(str(m) for m in resp.context["messages"])
    assert "2" in summary and "1" in summary


def test_every_action_is_in_the_openapi_schema(federation):
    c = APIClient()
    c.force_authenticate(user_with(Role.SYSADMIN, federation.city))
    schema = c.get("/api/schema/", {"format": "json"}).json()
    for ledger, action in CASES:
        path = f"/api/{ledger.app_label}/{ledger.slug}/{{id}}/actions/{action.name}/"
        assert path in schema["paths"], path
        op = schema["paths"][path]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert "version" in component["properties"] and "version" in component["required"]
        for name in action.form_class.base_fields:
            if name != "version":
                assert name in component["properties"], (action.name, name)
        if action.bulk:
            bulk = f"/api/{ledger.app_label}/{ledger.slug}/actions/{action.name}/"
            assert "post" in schema["paths"][bulk], bulk


@pytest.mark.parametrize(("ledger", "action"), CASES, ids=IDS)
def test_the_button_shows_where_the_dry_run_passes(federation, ledger, action):
    obj = ready(ledger, action, federation.a1)
    detail = ledger_url(ledger, "detail", pk=obj.pk)
    c = Client()
    c.force_login(actor(ledger, action, federation.a1))
    html = c.get(detail).content.decode()
    if action.in_block:
        assert f'id="step-{action.name}"' in html
        assert f'action="{page_url(ledger, action, obj)}"' in html
    c.force_login(without_right(ledger, action, federation.a1))
    html = c.get(detail).content.decode()
    assert f'id="step-{action.name}"' not in html
    assert page_url(ledger, action, obj) not in html


@pytest.mark.parametrize(("ledger", "action"), BULK, ids=[f"{lg.key}:{a.name}" for lg, a in BULK])
def test_the_bulk_form_is_offered_to_those_with_the_right(federation, ledger, action):
    obj = ready(ledger, action, federation.a1)
    c = Client()
    c.force_login(actor(ledger, action, federation.a1))
    html = c.get(ledger_url(ledger, "list")).content.decode()
    assert 'id="bulk-form"' in html and f'value="{action.name}"' in html
    assert f'value="{obj.pk}:{obj.version}"' in html
    c.force_login(without_right(ledger, action, federation.a1))
    html = c.get(ledger_url(ledger, "list")).content.decode()
    assert f'<option value="{action.name}"' not in html


@pytest.mark.parametrize(("ledger", "action"), BULK, ids=[f"{lg.key}:{a.name}" for lg, a in BULK])
def test_the_bulk_api_changes_own_rows_and_reports_the_foreign(federation, ledger, action):
    own = [ready(ledger, action, federation.a1) for _ in range(2)]
    foreign = ready(ledger, action, federation.b1)
    state = State(ledger, foreign)
    user = actor(ledger, action, federation.a1)
    rows = [{"id": o.pk, "version": o.version} for o in [*own, foreign]]
    rows.append({"id": own[0].pk, "version": own[0].version})  # stale by then: refused
    resp = api(user).post(
        f"/api/{ledger.app_label}/{ledger.slug}/actions/{action.name}/",
        {"rows": rows},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    body_ = resp.json()
    assert body_["done"] == [o.pk for o in own] and body_["not_found"] == [foreign.pk]
    assert [r["id"] for r in body_["refused"]] == [own[0].pk]
    assert state.row == snapshot(ledger.model.objects.get(pk=foreign.pk))
    assert not ActionRecord.objects.filter(object_pk=str(foreign.pk)).exists()
    assert ActionRecord.objects.filter(action=action.name, source="api-bulk").count() == 2
    reader = without_right(ledger, action, federation.a1)
    resp = api(reader).post(
        f"/api/{ledger.app_label}/{ledger.slug}/actions/{action.name}/",
        {"rows": [{"id": own[1].pk, "version": own[1].version + 1}]},
        format="json",
    )
    assert resp.status_code == 403


@pytest.mark.parametrize(("ledger", "action"), CASES[:1], ids=IDS[:1])
def test_the_actions_taken_are_read_through_the_api_in_scope(federation, ledger, action):
    obj = ready(ledger, action, federation.a1)
    user = actor(ledger, action, federation.a1)
    assert api(user).post(url(ledger, action, obj), body(action, obj), format="json").status_code
    taken = api(user).get(f"/api/{ledger.app_label}/{ledger.slug}/{obj.pk}/actions/")
    assert taken.status_code == 200
    [record] = taken.json()
    assert record["action"] == action.name and record["source"] == "api"
    outsider = user_with(Role.SYSADMIN, federation.county_b)
    assert (
        api(outsider).get(f"/api/{ledger.app_label}/{ledger.slug}/{obj.pk}/actions/").status_code
        == 404
    )
