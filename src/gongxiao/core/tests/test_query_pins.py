"""Query-count pins: every ledger's detail page runs a bounded number of queries (the item's
page, with its measures and progress, is pinned apart in rectification/tests/test_actions.py;
every action in test_actions.py). A page that starts asking per row of something fails here."""

import pytest
from django.test import Client

from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.testing import row_factory
from gongxiao.org.models import RoleAssignment
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .helpers import ledger_url

LEDGERS = all_ledgers()


@pytest.mark.parametrize("ledger", LEDGERS, ids=[lg.key for lg in LEDGERS])
def test_the_detail_page_runs_a_bounded_number_of_queries(
    federation, ledger, django_assert_max_num_queries
):
    user = user_with(Role.SYSADMIN, federation.city)
    # The four-forms ledger is open to the discipline role alone.
    RoleAssignment.objects.create(user=user, unit=federation.city, role=Role.DISCIPLINE)
    obj = row_factory(ledger.model)(federation.a1)
    c = Client()
    c.force_login(user)
    url = ledger_url(ledger, "detail", pk=obj.pk)
    assert c.get(url).status_code == 200  # session and caches warmed
    with django_assert_max_num_queries(25):
        assert c.get(url).status_code == 200
