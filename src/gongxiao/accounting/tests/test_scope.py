"""The pages beyond the kit (trial balance, statements, an account's ledgers) show the books in
reach only: another county's book is not found, its figures never added in, and a role
without the accounting module is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .factories import account, make_book_in, posted_voucher

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(federation):
    mine = make_book_in(federation.a1)
    theirs = make_book_in(federation.b1)
    posted_voucher(
        federation.a1, book=mine, lines=[("1002", "111.00", "0"), ("5001", "0", "111.00")]
    )
    posted_voucher(
        federation.b1, book=theirs, lines=[("1002", "777.00", "0"), ("5001", "0", "777.00")]
    )
    return mine, theirs


def test_the_consolidated_trial_balance_adds_the_books_in_reach_only(federation, world):
    mine, theirs = world
    c = _client(user_with(Role.FINANCE, federation.county_a))
    html = c.get("/accounting/trial-balance/?period=2024").content.decode()
    assert "111.00" in html and "777" not in html
    assert c.get(f"/accounting/trial-balance/?book={theirs.pk}&period=2024").status_code == 404
    assert c.get(f"/accounting/statements/?book={theirs.pk}&period=2024").status_code == 404
    html = c.get("/accounting/statements/?period=2024").content.decode()
    assert "111.00" in html and "777" not in html


def test_the_city_sees_both_counties_added_up(federation, world):
    c = _client(user_with(Role.FINANCE, federation.city))
    html = c.get("/accounting/trial-balance/?period=2024").content.decode()
    assert "888.00" in html


def test_an_account_of_another_county_is_not_found(federation, world):
    mine, theirs = world
    c = _client(user_with(Role.FINANCE, federation.county_a))
    assert c.get(f"/accounting/accounts/{account(theirs, '1002').pk}/ledger/").status_code == 404
    resp = c.get(f"/accounting/accounts/{account(mine, '1002').pk}/ledger/?period=2024")
    assert resp.status_code == 200 and "111.00" in resp.content.decode()


def test_a_data_entry_user_sees_his_own_unit_only(federation, world):
    other = make_book_in(federation.a2)
    posted_voucher(
        federation.a2, book=other, lines=[("1001", "55.00", "0"), ("5001", "0", "55.00")]
    )
    c = _client(user_with(Role.DATA_ENTRY, federation.a1))
    html = c.get("/accounting/trial-balance/?period=2024").content.decode()
    assert "111.00" in html and "55.00" not in html
    assert c.get(f"/accounting/accounts/{account(other, '1001').pk}/ledger/").status_code == 404


def test_a_role_without_accounting_is_refused(federation, world):
    c = _client(user_with(Role.ASSET, federation.county_a))
    for url in ("/accounting/trial-balance/", "/accounting/statements/"):
        assert c.get(url).status_code == 403
    mine, _theirs = world
    assert c.get(f"/accounting/accounts/{account(mine, '1002').pk}/ledger/").status_code in (
        403,
        404,
    )


def test_the_excel_exports_hold_the_rows_in_reach(federation, world):
    from gongxiao.core.tests.helpers import read_xlsx, response_bytes

    mine, _theirs = world
    c = _client(user_with(Role.FINANCE, federation.county_a))
    rows = read_xlsx(response_bytes(c.get("/accounting/trial-balance/?period=2024&format=xlsx")))
    cells = {str(v) for r in rows for v in r}
    assert "111" in cells or "111.0" in cells
    assert not any("777" in v for v in cells)
    resp = c.get(f"/accounting/accounts/{account(mine, '1002').pk}/ledger/?period=2024&format=xlsx")
    assert resp.status_code == 200
