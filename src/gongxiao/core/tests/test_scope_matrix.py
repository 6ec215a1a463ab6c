"""The authorization matrix: for every registered ledger, every page and API endpoint, a user of
one county neither sees nor changes a row of the sibling county, and a data-entry user only
his own unit. A ledger declared tomorrow is covered by this file without a new test; its
factory (gongxiao.core.testing.factory_for) is all it needs, and a meta-test demands one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
from django.urls import get_resolver
from rest_framework.test import APIClient

from gongxiao.core import scoping
from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.models import ChangeRecord, Job
from gongxiao.core.services import snapshot
from gongxiao.core.testing import row_factory
from gongxiao.org.roles import Role, role_allows
from gongxiao.org.tests.factories import user_with

from .helpers import api_url, detail_href, ledger_url, read_xlsx, response_bytes, xlsx_for

LEDGERS = all_ledgers()
ROLES = list(Role)


def test_every_ledger_has_a_row_factory():
    missing = [lg.key for lg in LEDGERS if row_factory(lg.model) is None]
    assert not missing, f"declare a factory with @factory_for for: {missing}"


def test_every_url_is_known_to_the_matrix():
    """A new page or endpoint outside the generic kit must be added to this list knowingly,
    with its own scope test."""
    covered = {
        "ledger-list",
        "ledger-create",
        "ledger-export",
        "ledger-import",
        "ledger-template",
        "ledger-detail",
        "ledger-edit",
        "ledger-delete",
        "ledger-file",
        # declared actions, one runner: tested for every action in test_actions.py
        "ledger-action",
        "ledger-bulk",
        # owner-only job pages, tested in test_jobs.py
        "job-detail",
        "job-download",
        "job-confirm",
        "job-retry",
        # pages without ledger rows
        "home",
        "switch-context",
        "healthz",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "set_language",
        "api-schema",
        "api-docs",
        "api-token",
        "api-root",
        # a user's own background jobs, tested in test_actions.py (another's job is 404)
        "api-job",
        # one search across the ledgers, scoped: test_search.py (never a row out of scope)
        "search",
        # a user's own notifications, tested in test_notifications.py
        "notifications",
        "notification-open",
        "notification-read-all",
        # administration of one's own subtree, tested in org/tests/test_administration.py
        # (another county's unit → 404, no administrator role → 403)
        "org:units",
        "org:unit-add",
        "org:unit",
        "org:unit-close",
        # rectification pages beyond the kit, tested in rectification/tests/test_scope.py
        "rectification:evidence",
        "rectification:dashboard",
        "rectification:list-export",
        "rectification:list-import",
        "rectification:list-template",
        # the item's 问题销号审批表 (print and Word), tested in rectification/tests/test_printing.py
        "rectification:item-record",
        "rectification:item-record-docx",
        # collective-decision filing and minutes, tested in decisions/tests/test_scope.py (the
        # procedure's steps are actions: test_actions.py)
        "decisions:filing",
        "decisions:filing-xlsx",
        "decisions:filing-docx",
        "decisions:minutes-docx",
        "decisions:minutes-print",
        # supervision pages beyond the kit, tested in supervision/tests/test_scope.py
        "supervision:coverage",
        "supervision:talk-summary",
        # the filled lease contract, tested in assets/tests/test_contract.py (other county → 404)
        "assets:contract-docx",
        # quarterly safety coverage: assets/tests/test_checks.py (other county's units unseen)
        "assets:safety-coverage",
        # the books of the accounting centre, tested in accounting/tests/test_scope.py
        "accounting:trial-balance",
        "accounting:statements",
        "accounting:account-ledger",
        "accounting:journal",
        "accounting:consolidated",
        "accounting:voucher-print",
        "accounting:book-import",
        "accounting:import-template",
        # the ranking table and a unit's score sheet in Excel and Word, tested in
        # assessment/tests/test_assessment.py (another county → 404, an unpublished sheet of
        # a sibling co-op → 404)
        "assessment:ranking-xlsx",
        "assessment:ranking-docx",
        "assessment:sheet-xlsx",
        "assessment:sheet-docx",
        # reports pages, tested in reports/tests/test_pages.py (unit outside scope → 404, other
        # county's drafts → 404, no reports right → 403)
        "reports:dashboard",
        "reports:catalogue",
        "reports:metric",
        "reports:statistics",
        "reports:draft-export",
        # the check of a finalised report: reports/tests/test_verify.py (other county → 404)
        "reports:draft-verify",
    }
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                ns = getattr(p, "namespace", None)
                if ns == "admin":
                    continue
                walk(p.url_patterns, f"{prefix}{ns}:" if ns else prefix)
            elif p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns)
    api_names = {n for n in names if n.startswith("api-") and n.endswith(("-list", "-detail"))}
    for lg in LEDGERS:
        api_names.discard(f"api-{lg.app_label}-{lg.slug}-list")
        api_names.discard(f"api-{lg.app_label}-{lg.slug}-detail")
    # the units tree in reach: org/tests/test_units_api.py (another county's units → 404)
    api_names -= {"api-org-units-list", "api-org-units-detail"}
    unknown = {n for n in names - covered if not n.startswith("api-")} | api_names
    assert not unknown, f"URLs the scope matrix does not cover: {sorted(unknown)}"


class World:
    """Rows in both counties, for one ledger."""

    def __init__(self, ledger, f):
        make = row_factory(ledger.model)
        self.ledger = ledger
        self.f = f
        self.mine = make(f.a1)  # county A, grassroots a1
        self.mine_county = make(f.county_a)
        self.mine_outlet = make(f.a1_outlet)  # below a1: a data-entry user of a1 must not see it
        self.sibling = make(f.a2)  # county A, grassroots a2
        self.theirs = make(f.b1)  # county B
        self.theirs_county = make(f.county_b)

        # A person of county B: his name must not appear in any dropdown of county A's pages.
        from gongxiao.org.tests.factories import PersonFactory

        self.foreign_person = PersonFactory(unit=f.b1, name="乙县外人")

    @property
    def foreign(self):
        return [self.theirs, self.theirs_county]


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _expected_visible(world, role, unit_key):
    if role == Role.DATA_ENTRY:
        return {world.mine} if unit_key == "a1" else set()
    return {world.mine, world.mine_county, world.sibling, world.mine_outlet}


CASES = [(lg, role) for lg in LEDGERS for role in ROLES]


@pytest.mark.parametrize("ledger,role", CASES, ids=[f"{lg.key}-{r}" for lg, r in CASES])
def test_a_county_user_never_reaches_the_sibling_county(
    ledger, role, federation, django_assert_max_num_queries
):
    world = World(ledger, federation)
    unit = federation.a1 if role == Role.DATA_ENTRY else federation.county_a
    user = user_with(role, unit)
    can_view = role_allows(role, ledger.module, "view")
    client, api = _client(user), _api(user)
    expected = _expected_visible(world, role, "a1") if can_view else set()
    unseen = [
        w
        for w in (world.mine, world.mine_county, world.sibling, world.mine_outlet, *world.foreign)
        if w not in expected
    ]

    # Lists, search and counts.
    resp = client.get(ledger_url(ledger, "list"))
    if not can_view:
        assert resp.status_code == 403
    else:
        assert resp.status_code == 200
        html = resp.content.decode()
        for obj in expected:
            assert detail_href(ledger, obj) in html
        for obj in unseen:
            assert detail_href(ledger, obj) not in html
        assert set(ledger.queryset_for(user)) == expected
        for obj in world.foreign:
            term = str(obj)
            found = client.get(ledger_url(ledger, "list"), {"q": term}).content.decode()
            assert detail_href(ledger, obj) not in found
            assert term not in found.split("<tbody>")[1]
        # Filtering by a foreign unit is refused as an invalid choice, not answered.
        resp = client.get(ledger_url(ledger, "list"), {"unit": federation.county_b.pk})
        for obj in world.foreign:
            assert detail_href(ledger, obj) not in resp.content.decode()
        home = client.get("/").content.decode()
        assert f'data-ledger="{ledger.key}">{len(expected)}<' in home

    # Forms and filter dropdowns offer nothing from the sibling county.
    if role_allows(role, ledger.module, "add"):
        page = client.get(ledger_url(ledger, "create")).content.decode()
        assert world.foreign_person.name not in page
        assert federation.county_b.name not in page
        for obj in world.foreign:
            assert f'value="{obj.pk}">{obj}<' not in page
    if can_view:
        page = client.get(ledger_url(ledger, "list")).content.decode()
        assert world.foreign_person.name not in page

    # Detail, edit, delete of a foreign row: not found, nothing changed.
    for obj in world.foreign:
        before = snapshot(type(obj).objects.get(pk=obj.pk))
        for name in ("detail", "edit", "delete"):
            resp = client.get(ledger_url(ledger, name, pk=obj.pk))
            assert resp.status_code in (403, 404), (name, resp.status_code)
        for field in obj._meta.concrete_fields:
            if isinstance(field, FileField):
                resp = client.get(ledger_url(ledger, "file", pk=obj.pk, field=field.name))
                assert resp.status_code in (403, 404), ("file", resp.status_code)
        form = {n: "" for n in ledger.form_fields}
        form["version"] = obj.version
        assert client.post(ledger_url(ledger, "edit", pk=obj.pk), form).status_code in (403, 404)
        assert client.post(ledger_url(ledger, "delete", pk=obj.pk)).status_code in (403, 404)
        # API
        assert api.get(api_url(ledger, obj.pk)).status_code in (403, 404)
        assert api.patch(
            api_url(ledger, obj.pk), {"version": obj.version}, format="json"
        ).status_code in (403, 404)
        assert api.delete(api_url(ledger, obj.pk)).status_code in (403, 404)
        assert snapshot(type(obj).objects.get(pk=obj.pk)) == before

    # API list.
    resp = api.get(api_url(ledger))
    if not can_view:
        assert resp.status_code == 403
    else:
        assert resp.status_code == 200
        assert {r["id"] for r in resp.json()["results"]} == {o.pk for o in expected}
        assert resp.json()["count"] == len(expected)

    # Export: exactly the rows in reach.
    resp = client.get(ledger_url(ledger, "export"))
    if not role_allows(role, ledger.module, "export"):
        assert resp.status_code == 403
    else:
        rows = read_xlsx(response_bytes(resp))[1:]
        assert len(rows) == len(expected)
        cells = {str(c) for r in rows for c in r}
        for obj in world.foreign:
            assert str(obj) not in cells

    # Creating a row in the sibling county: through the page, the API and an import file.
    count = ledger.model.objects.count()
    template = row_factory(ledger.model)(federation.county_b)
    template_data = snapshot(template)
    type(template).objects.filter(pk=template.pk).delete()
    count = ledger.model.objects.count()
    form = {
        k: ("" if v is None else v) for k, v in template_data.items() if k in ledger.form_fields
    }
    if "id_number" in form:
        form["id_number"] = ""  # avoid a uniqueness error hiding the scope refusal
    resp = client.post(ledger_url(ledger, "create"), form)
    assert resp.status_code in (200, 403)
    api_data = {k: v for k, v in form.items() if k in ledger.api_field_names}
    resp = api.post(api_url(ledger), api_data, format="json")
    assert resp.status_code in (400, 403)
    if role_allows(role, ledger.module, "import"):
        template.pk = None
        upload = SimpleUploadedFile("rows.xlsx", xlsx_for(ledger, [template]))
        resp = client.post(ledger_url(ledger, "import"), {"file": upload})
        job = Job.objects.filter(user=user).latest("created_at")
        assert job.result.get("ok") is False
        resp = client.post(f"/jobs/{job.pk}/confirm/")
    else:
        assert client.get(ledger_url(ledger, "import")).status_code == 403
    assert ledger.model.objects.count() == count

    # The change history of a foreign row is not shown anywhere in reach.
    foreign_ids = {str(o.pk) for o in world.foreign}
    visible_units = scoping.units_for(user).values("pk")
    assert not ChangeRecord.objects.filter(
        unit_id__in=visible_units, object_pk__in=foreign_ids, unit_id=federation.county_b.pk
    ).exists()
