"""Every related filter of every ledger offers only rows in the user's reach, on the list page and
in the API, for every role; and an id out of reach is refused exactly like an id that does not
exist, so a filter cannot be used to probe another county's rows. A filter declared tomorrow is
walked by this file without a new test."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django_filters.filters import QuerySetRequestMixin
from rest_framework.test import APIClient

from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.testing import row_factory
from gongxiao.org.roles import OWN_UNIT_ONLY, Role, role_allows
from gongxiao.org.tests.factories import PersonFactory, user_with

from .helpers import api_url, ledger_url

LEDGERS = all_ledgers()


def related_filters(ledger) -> list[str]:
    return [
        name
        for name, flt in ledger.filterset_class.base_filters.items()
        if isinstance(flt, QuerySetRequestMixin) and flt.queryset is not None
    ]


def _related_model(ledger, name):
    flt = ledger.filterset_class.base_filters[name]
    qs = flt.queryset
    if callable(qs) and not hasattr(qs, "model"):
        qs = qs(None)
    return qs.model


def test_the_walk_finds_the_filters_of_parent_rows():
    """The filters the county offices found leaking are among those walked."""
    walked = {(lg.key, name) for lg in LEDGERS for name in related_filters(lg)}
    for pair in [
        ("decisions.matters", "meeting"),
        ("reports.sections", "draft"),
        ("supervision.findings", "inspection"),
        ("supervision.opinions", "life_meeting"),
        ("supervision.recommendations", "audit"),
        ("rectification.items", "unit"),
    ]:
        assert pair in walked


class Rows:
    """Rows of a filter's related model in every unit of the federation, with the ones a user of
    `role` must never be offered."""

    def __init__(self, model, f):
        label = model._meta.label
        if label == "org.Unit":
            self.by_unit = {u: u for u in (f.city, f.county_a, f.a1, f.a2, f.county_b, f.b1)}
        elif label == "org.Person":
            self.by_unit = {
                u: PersonFactory(unit=u, name=f"{u.name}的人")
                for u in (f.county_a, f.a1, f.a2, f.county_b, f.b1)
            }
        else:
            make = row_factory(model)
            assert make is not None, f"no row factory for {label}"
            self.by_unit = {u: make(u) for u in (f.county_a, f.a1, f.a2, f.county_b, f.b1)}
        self.label = label
        self.f = f

    def out_of_reach(self, role):
        f = self.f
        foreign = {f.county_b, f.b1}
        if self.label == "org.Unit":
            foreign.add(f.city)  # a county user reaches its own subtree only
        if role in OWN_UNIT_ONLY and self.label != "org.Person":
            foreign |= {f.county_a, f.a2, f.city}
        return [row for unit, row in self.by_unit.items() if unit in foreign]

    def in_reach(self):
        return self.by_unit[self.f.a1]


def _options(page: str, name: str) -> tuple[set[str], str]:
    """The values and the text of the options of the select named `name` (empty for a hidden
    input)."""
    m = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    if not m:
        return set(), ""
    block = m.group(1)
    return set(re.findall(r'<option value="([^"]*)"', block)), html.unescape(block)


def _unknown_pk(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return last + 10_000


def roles_to_walk(ledger) -> list[Role]:
    """The choices of a related filter depend on the reach of the user, not on which of the
    roles that see the ledger he holds: one role of each reach (a subtree, one's own unit) and
    the system administrator, who sees every ledger of the open modules."""
    viewers = [r for r in Role if role_allows(r, ledger.module, "view")]
    picked = [r for r in viewers if r in OWN_UNIT_ONLY][:1]
    picked += [r for r in viewers if r not in OWN_UNIT_ONLY and r != Role.SYSADMIN][:1]
    if Role.SYSADMIN in viewers:
        picked.append(Role.SYSADMIN)
    assert picked, f"no role sees {ledger.key}"
    return picked


CASES = [(lg, name) for lg in LEDGERS for name in related_filters(lg)]


@pytest.mark.parametrize("ledger,name", CASES, ids=[f"{lg.key}-{n}" for lg, n in CASES])
def test_a_related_filter_offers_and_accepts_only_rows_in_reach(ledger, name, federation):
    model = _related_model(ledger, name)
    rows = Rows(model, federation)
    unknown = _unknown_pk(model)
    for role in roles_to_walk(ledger):
        unit = federation.a1 if role in OWN_UNIT_ONLY else federation.county_a
        user = user_with(role, unit)
        client, api = Client(), APIClient()
        client.force_login(user)
        api.force_authenticate(user)
        foreign = rows.out_of_reach(role)
        mine = rows.in_reach()

        # The list page: the dropdown names nothing out of reach, and what is in reach is there.
        page = client.get(ledger_url(ledger, "list")).content.decode()
        values, text = _options(page, name)
        for row in foreign:
            assert str(row.pk) not in values, (role, name, str(row))
            if str(row) != str(mine) and str(row) not in str(mine):
                assert str(row) not in text, (role, name, str(row))
        if values:
            assert str(mine.pk) in values, (role, name)

        # The API: a row out of reach is refused word for word like one that does not exist.
        refused = api.get(api_url(ledger), {name: unknown})
        assert refused.status_code == 400, (role, name, refused.status_code)
        assert name in refused.json()
        for row in foreign:
            resp = api.get(api_url(ledger), {name: row.pk})
            assert resp.status_code == 400, (role, name, str(row), resp.status_code)
            assert resp.json() == refused.json(), (role, name, str(row))
        assert api.get(api_url(ledger), {name: mine.pk}).status_code == 200
