"""The one search box (issue 14, item 8): a two-character Chinese word finds a row in any ledger
the user may see, results grouped by ledger, and never a row out of the user's scope (nor a
ledger his roles do not open)."""

from __future__ import annotations

import pytest
from django.db import models
from django.test import Client

from gongxiao.core import search
from gongxiao.core.ledgers import all_ledgers, get_ledger
from gongxiao.core.testing import row_factory
from gongxiao.org.roles import Role, role_allows
from gongxiao.org.tests.factories import PersonFactory, user_with

from .helpers import detail_href

PEOPLE = get_ledger("org", "people")
# Ledgers with a text field of their own to plant a word in (a voucher is found by its lines'
# summaries, a development by its person's name: paths this generic test cannot fill).
SEARCHABLE = [
    lg
    for lg in all_ledgers()
    if lg.search_fields and row_factory(lg.model) and any("__" not in n for n in lg.search_fields)
]


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _viewer(ledger):
    return next(r for r in Role if r != Role.DATA_ENTRY and role_allows(r, ledger.module, "view"))


def _text_field(ledger) -> str:
    # A field of the row itself (a member is also found by its organisation's name, a path).
    return next(
        n
        for n in ledger.search_fields
        if "__" not in n
        and isinstance(ledger.field(n), (models.CharField, models.TextField))
        and not ledger.field(n).choices
    )


def test_a_two_character_chinese_word_finds_the_row_and_never_one_out_of_scope(federation):
    mine = PersonFactory(unit=federation.a1, name="王小红")
    theirs = PersonFactory(unit=federation.b1, name="李小红")
    user = user_with(Role.PARTY, federation.county_a)
    resp = _client(user).get("/search/", {"q": "小红"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-ledger="org.people"' in html
    assert detail_href(PEOPLE, mine) in html and detail_href(PEOPLE, theirs) not in html
    assert "王小红" in html and "李小红" not in html
    groups = search.search(user, "小红")
    assert [h.obj for g in groups for h in g.hits] == [mine]
    assert theirs.pk not in [h.obj.pk for g in groups for h in g.hits]


def test_results_are_grouped_by_ledger_and_link_to_the_ledgers_list(federation):
    from gongxiao.rectification.tests.factories import ItemFactory

    PersonFactory(unit=federation.a1, name="消防员张")
    ItemFactory(unit=federation.a1, title="仓库消防通道堆放杂物")
    user = user_with(Role.LEADER, federation.county_a)
    groups = search.search(user, "消防")
    keys = [g.ledger.key for g in groups]
    assert {"org.people", "rectification.items"} <= set(keys)
    assert len(keys) == len(set(keys))  # one group per ledger
    items = next(g for g in groups if g.ledger.key == "rectification.items")
    assert items.hits[0].title == "仓库消防通道堆放杂物"
    assert items.hits[0].snippet and "消防" in items.hits[0].snippet
    assert items.list_url.startswith("/ledgers/rectification/items/?q=")


def test_one_character_is_refused_with_a_message_and_odd_input_is_harmless(federation):
    c = _client(user_with(Role.LEADER, federation.county_a))
    resp = c.get("/search/", {"q": "红"})
    assert resp.status_code == 200 and 'id="search-error"' in resp.content.decode()
    for odd in ("%%", "__", "' OR 1=1 --", "小" * 500):
        assert c.get("/search/", {"q": odd}).status_code == 200


def test_the_search_page_needs_a_login(federation):
    assert Client().get("/search/", {"q": "小红"}).status_code == 302


@pytest.mark.parametrize("ledger", SEARCHABLE, ids=[lg.key for lg in SEARCHABLE])
def test_every_ledger_is_searched_within_the_users_scope(ledger, federation):
    make = row_factory(ledger.model)
    name = _text_field(ledger)
    mine, sibling_unit, theirs = make(federation.a1), make(federation.a2), make(federation.b1)
    for obj, text in ((mine, "甲县独有词"), (sibling_unit, "甲二独有词"), (theirs, "乙县独有词")):
        ledger.model.objects.filter(pk=obj.pk).update(**{name: text})
    county = user_with(_viewer(ledger), federation.county_a)
    found = {
        h.obj.pk for g in search.search(county, "独有词") for h in g.hits if g.ledger is ledger
    }
    assert found == {mine.pk, sibling_unit.pk}
    # A data-entry user of a1 (if his role opens the module) sees his own unit's row only.
    if role_allows(Role.DATA_ENTRY, ledger.module, "view"):
        clerk = user_with(Role.DATA_ENTRY, federation.a1)
        found = {
            h.obj.pk for g in search.search(clerk, "独有词") for h in g.hits if g.ledger is ledger
        }
        assert found == {mine.pk}
    # A role that does not open the module finds nothing there.
    closed = next((r for r in Role if not role_allows(r, ledger.module, "view")), None)
    if closed is not None:
        outsider = user_with(closed, federation.county_a)
        assert not [g for g in search.search(outsider, "独有词") if g.ledger is ledger]
