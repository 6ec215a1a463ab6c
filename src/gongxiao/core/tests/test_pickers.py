"""Pickers that fit real lists (issue 14, item 4): a person among 35 is chosen with his unit
beside his name and a box that filters the options; dates are taken in the forms the office
writes them (2026年11月1日) in forms and list filters, or refused with a message saying how."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import translation

from gongxiao.core.forms import DATE_HELP
from gongxiao.core.ledgers import get_ledger
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.rectification.tests.factories import ItemFactory

from .helpers import detail_href, ledger_url

TALKS = get_ledger("supervision", "talks")
ITEMS = get_ledger("rectification", "items")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_person_is_chosen_with_his_unit_and_a_filter_box(federation):
    PersonFactory(unit=federation.a1, name="张伟")
    PersonFactory(unit=federation.a2, name="张伟")
    PersonFactory(unit=federation.b1, name="乙县张伟")
    user = user_with(Role.DISCIPLINE, federation.county_a)
    form = TALKS.form_class(user=user, action="add")
    field = form.fields["talked_to"]
    labels = [label for _pk, label in field.choices]
    assert "张伟（甲一基层社）" in labels and "张伟（甲二基层社）" in labels
    assert not [lb for lb in labels if "乙县" in str(lb)]  # the scope still holds
    html = str(form["talked_to"])
    assert 'data-gx-filter="' in html and "multiple" in html


def test_a_form_takes_a_chinese_date_and_refuses_a_wrong_one_with_a_message(federation):
    user = user_with(Role.DATA_ENTRY, federation.a1)
    form = ITEMS.form_class(user=user, action="add")
    field = form.fields["found_date"]
    with translation.override("zh-hans"):
        for text in ("2026年11月1日", "2026-11-01", "2026/11/1", "2026.11.1", "2026年11月1号"):
            assert field.clean(text) == datetime.date(2026, 11, 1), text
        try:
            field.clean("2026年13月1日")
        except Exception as exc:  # noqa: BLE001 - the ValidationError's message is the point
            message = " ".join(exc.messages)
        else:
            raise AssertionError("a month 13 was taken")
        assert message == str(DATE_HELP) and "2026年11月1日" in message


def test_a_list_filter_takes_a_chinese_date_instead_of_ignoring_it(federation):
    early = ItemFactory(unit=federation.a1, found_date=datetime.date(2026, 10, 20))
    late = ItemFactory(unit=federation.a1, found_date=datetime.date(2026, 11, 5))
    c = _client(user_with(Role.LEADER, federation.county_a))
    html = c.get(ledger_url(ITEMS, "list"), {"found_date__gte": "2026年11月1日"}).content.decode()
    assert detail_href(ITEMS, late) in html and detail_href(ITEMS, early) not in html
    bad = c.get(ledger_url(ITEMS, "list"), {"found_date__gte": "2026年13月1日"})
    assert bad.status_code == 200 and "text-danger" in bad.content.decode()
