"""Any period: written as the interface prints it, taken from the URL by every page, and offered
back to the earliest year that holds data."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import translation

from gongxiao.core.periods import parse_period, period_choices
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification.tests.factories import ItemFactory


@pytest.mark.parametrize(
    "written,code",
    [
        ("2026年", "2026"),
        ("2026年度", "2026"),
        ("2026年上半年", "2026H1"),
        ("2026年下半年", "2026H2"),
        ("2026年第三季度", "2026Q3"),
        ("2026年第3季度", "2026Q3"),
        ("2026年三季度", "2026Q3"),
        ("2026 年 第 3 季度", "2026Q3"),
        ("2026年7月", "2026-07"),
        ("2026年07月", "2026-07"),
        ("Year 2026", "2026"),
        ("2026 first half", "2026H1"),
        ("2026 Q3", "2026Q3"),
    ],
)
def test_a_period_is_read_as_the_interface_prints_it(written, code):
    assert parse_period(written).code == code


@pytest.mark.parametrize("code", ["2026", "2026H1", "2026H2", "2026Q1", "2026Q4", "2026-11"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_printed_label_reads_back(code, lang):
    with translation.override(lang):
        label = parse_period(code).label
    assert parse_period(label).code == code


@pytest.mark.parametrize(
    "bad", ["2026年13月", "2026年第五季度", "二〇二六年", "26年", "2026Q5", ""]
)
def test_a_wrong_period_is_refused_in_chinese(bad):
    with translation.override("zh-hans"), pytest.raises(ValueError) as exc:
        parse_period(bad)
    assert "2022年第三季度" in str(exc.value) or "年份" in str(exc.value)


def test_the_choices_reach_back_to_the_first_year_with_data():
    today = datetime.date(2026, 12, 1)
    years = [p.code for p in period_choices(today) if len(p.code) == 4]
    assert years == ["2026", "2025", "2024"]
    years = [p.code for p in period_choices(today, first_year=2019) if len(p.code) == 4]
    assert years == [str(y) for y in range(2026, 2018, -1)]


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_selector_offers_every_year_holding_data_and_free_entry(federation):
    ItemFactory(unit=federation.a1, found_date=datetime.date(2015, 3, 1))
    user = user_with(Role.LEADER, federation.city)
    html = _client(user).get("/").content.decode()
    options = re.search(r'<datalist id="gx-period-options">(.*?)</datalist>', html, re.S).group(1)
    assert "2015年" in options and "2016年第3季度" in options
    assert re.search(r'<input[^>]*name="period"[^>]*list="gx-period-options"', html)


def test_a_period_in_the_url_sets_that_page_only(federation):
    this_year = datetime.date.today().year
    ItemFactory(unit=federation.a1, found_date=datetime.date(2022, 3, 1))
    ItemFactory(unit=federation.a1, found_date=datetime.date(this_year, 1, 2))
    user = user_with(Role.LEADER, federation.city)
    c = _client(user)
    resp = c.get("/rectification/dashboard/?period=2022")
    assert resp.context["period"].code == "2022"
    found = next(f for f in resp.context["totals"] if f.metric.key.endswith(".found"))
    assert found.value == 1 and "found_date__gte=2022-01-01" in found.url
    assert resp.context["period"].code == "2022"
    # …and the Chinese form works as well.
    resp = c.get("/rectification/dashboard/?period=2022年上半年")
    assert resp.context["period"].code == "2022H1"
    # The working period stays as it was.
    assert c.get("/rectification/dashboard/").context["period"].code == str(this_year)
    # Switching the period from a page that carries ?period= is not undone by it.
    resp = c.post(
        "/context/",
        {"period": "2023年", "next": "/rectification/dashboard/?period=2022&x=1"},
    )
    assert resp.status_code == 302 and "period=" not in resp.url and "x=1" in resp.url
    assert c.get(resp.url).context["period"].code == "2023"
