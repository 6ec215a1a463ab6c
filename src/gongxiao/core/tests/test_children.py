"""Sub-rows on their parent's page (issue 14, item 4): an inspection lists its findings, an
audit its recommendations, with a link that adds one with the parent already chosen; only the
rows the user may see are counted; a page that lists its sub-rows itself is left alone."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gongxiao.core.ledgers import all_ledgers, get_ledger
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.supervision.tests import factories as f

INSPECTIONS = get_ledger("supervision", "inspections")
FINDINGS = get_ledger("supervision", "findings")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_every_sub_ledger_is_listed_under_its_parent_or_by_the_parents_own_page():
    """Each ledger whose rows are scoped through another ledger's rows is a child of that
    ledger, unless the parent declared its children itself (its own page lists them)."""
    for ledger in all_ledgers():
        path = getattr(ledger.model, "scope_field", "unit")
        if "__" not in path:
            continue
        parent_model = ledger.model._meta.get_field(path.split("__")[0]).related_model
        parents = [p for p in all_ledgers() if p.model is parent_model]
        for parent in parents:
            keys = [child.key for child, _field in parent.child_ledgers()]
            assert ledger.key in keys or parent.children == [], (parent.key, ledger.key)


def test_an_inspection_lists_its_findings_and_adds_one_with_itself_chosen(federation):
    officer = user_with(Role.DISCIPLINE, federation.county_a)
    inspection = f.make_inspection(federation.county_a)
    other = f.make_inspection(federation.county_a)
    f.make_finding(federation.county_a, inspection=inspection, description="仓库消防器材过期")
    f.make_finding(federation.county_a, inspection=other, description="另一次检查的问题")
    page = _client(officer).get(f"/ledgers/supervision/inspections/{inspection.pk}/")
    html = page.content.decode()
    block = html[html.index('id="children-findings"') :]
    assert "仓库消防器材过期" in block and "另一次检查的问题" not in block
    assert re.search(r"badge[^>]*>1<", block)
    add = f"/ledgers/supervision/findings/new/?inspection={inspection.pk}"
    assert add in block
    assert f"/ledgers/supervision/findings/?inspection={inspection.pk}" in block
    form = _client(officer).get(add).content.decode()
    chosen = re.search(r'<option value="(\d+)" selected', form[form.index('name="inspection"') :])
    assert chosen and int(chosen.group(1)) == inspection.pk


def test_a_reader_gets_no_add_link_and_sees_only_rows_in_reach(federation):
    reader = user_with(Role.READ_ONLY, federation.county_a)
    inspection = f.make_inspection(federation.county_a)
    f.make_finding(federation.county_a, inspection=inspection)
    html = _client(reader).get(f"/ledgers/supervision/inspections/{inspection.pk}/").content
    html = html.decode()
    assert 'id="children-findings"' in html
    assert "/ledgers/supervision/findings/new/" not in html
    stranger = user_with(Role.DISCIPLINE, federation.county_b)
    resp = _client(stranger).get(f"/ledgers/supervision/inspections/{inspection.pk}/")
    assert resp.status_code == 404


@pytest.mark.parametrize("key", ["decisions.meetings", "assets.leases", "reports.drafts"])
def test_a_page_that_lists_its_sub_rows_itself_gets_no_second_list(key):
    from gongxiao.core.ledgers import get_ledger_by_key

    assert get_ledger_by_key(key).child_ledgers() == []
