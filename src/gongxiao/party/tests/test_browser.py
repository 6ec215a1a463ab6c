"""End-to-end on a phone: the party affairs officer of county A records a branch's themed party
day (主题党日) through the form, marks who attended and who was absent (with the reason) on the
action page, and sees the members present and the participations (人次) on the list; the figure
in the catalogue follows. A member of another branch cannot be marked. The members' points
follow: the county's scheme awards 2 points for a themed party day, so the two present have
them on the points ledger and in the members' list, the absent one has none.

Run separately: `pytest src/gongxiao/party/tests/test_browser.py -m browser`."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from gongxiao.core import metrics
from gongxiao.core.models import ActionRecord
from gongxiao.core.periods import Period
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.party import models as m
from gongxiao.party import services

from .factories import make_item, make_member, make_organisation, make_scheme

pytestmark = [pytest.mark.browser]

DETAIL_RE = re.compile(r"/ledgers/party/activities/(\d+)/$")


@pytest.fixture
def branch(site, federation):
    org = make_organisation(federation.a1, name="甲一基层社党支部")
    people = [
        make_member(
            federation.a1, organisation=org, person=PersonFactory(unit=federation.a1, name=n)
        ).person
        for n in ("党员张一", "党员王二", "党员李三")
    ]
    other = make_organisation(federation.a2, name="甲二基层社党支部")
    outsider = make_member(
        federation.a2, organisation=other, person=PersonFactory(unit=federation.a2, name="党员赵四")
    ).person
    officer = user_with(Role.PARTY, federation.county_a, username="party_a")
    scheme = make_scheme(federation.county_a, valid_from=datetime.date(2020, 1, 1))
    make_item(
        federation.county_a,
        scheme=scheme,
        name="参加主题党日",
        points=Decimal(2),
        yearly_cap=Decimal(24),
        awarded_for="theme_day",
    )
    return org, people, outsider, officer


def test_an_officer_records_a_themed_party_day_with_attendance_on_a_phone(site, branch, browser):
    org, (zhang, wang, li), outsider, officer = branch
    day = timezone.localdate() - datetime.timedelta(days=2)
    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    ctx.set_default_timeout(15_000)
    try:
        page = log_in(ctx, site, officer.username)
        page.goto(f"{site}/ledgers/party/activities/new/")
        expect(page.locator("#ledger-form")).to_be_visible()
        page.select_option("#id_organisation", str(org.pk))
        page.select_option("#id_kind", "theme_day")
        page.fill("#id_date", day.isoformat())
        page.fill("#id_topic", "重温入党誓词")
        page.fill("#id_external_participants", "4")
        page.click("#btn-save")
        expect(page).to_have_url(DETAIL_RE)
        pk = int(DETAIL_RE.search(page.url).group(1))
        activity = m.Activity.objects.get(pk=pk)
        assert (activity.organisation_id, activity.kind, activity.date) == (
            org.pk,
            "theme_day",
            day,
        )

        # The attendance page lists the branch's members on the day, and no one else.
        page.goto(f"{site}/ledgers/party/activities/{pk}/actions/attendance/")
        form = page.locator("#action-form")
        expect(form).to_be_visible()
        expect(form.locator(f'input[name="present"][value="{outsider.pk}"]')).to_have_count(0)
        form.locator(f'input[name="present"][value="{zhang.pk}"]').check()
        form.locator(f'input[name="present"][value="{wang.pk}"]').check()
        form.locator(f'input[name="absent"][value="{li.pk}"]').check()
        page.click("#btn-action")
        # Absent without a reason: refused with the message, nothing recorded.
        expect(page.locator("main")).to_contain_text("请填写缺席原因")
        assert not activity.attendances.exists()
        form = page.locator("#action-form")
        form.locator(f'input[name="present"][value="{zhang.pk}"]').check()
        form.locator(f'input[name="present"][value="{wang.pk}"]').check()
        form.locator(f'input[name="absent"][value="{li.pk}"]').check()
        page.fill("#action-form input[name=reason]", "下乡开展春耕服务")
        page.click("#btn-action")
        expect(page).to_have_url(DETAIL_RE)

        assert sorted(activity.attendances.values_list("person__name", "present")) == [
            ("党员张一", True),
            ("党员李三", False),
            ("党员王二", True),
        ]
        assert (
            ActionRecord.objects.filter(ledger="party.activities", action="attendance").count() == 1
        )

        # The list shows the count: 2 members present, 6 participations with the 4 others.
        page.goto(f"{site}/ledgers/party/activities/")
        row = page.locator("tbody tr", has_text="重温入党誓词")
        expect(row).to_have_count(1)
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        assert "2" in cells and "6" in cells, cells
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 392 or page.locator(".table-responsive").count() > 0

        # The points followed the attendance: 2 each for the two present, none for the absent.
        page.goto(f"{site}/ledgers/party/points/?organisation={org.pk}")
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator("tbody")).to_contain_text("党员张一")
        expect(page.locator("tbody")).to_contain_text("党员王二")
        expect(page.locator("tbody")).not_to_contain_text("党员李三")
        expect(page.locator("tbody")).to_contain_text("重温入党誓词")
        page.goto(f"{site}/ledgers/party/members/?organisation={org.pk}")
        zhang_row = page.locator("tbody tr", has_text="党员张一")
        cells = [c.strip() for c in zhang_row.locator("td").all_inner_texts()]
        assert "2" in cells, cells
        li_row = page.locator("tbody tr", has_text="党员李三")
        cells = [c.strip() for c in li_row.locator("td").all_inner_texts()]
        assert "0" in cells, cells
    finally:
        ctx.close()

    period = Period(code=str(day), start=day, end=day)
    figure = metrics.compute("party.activities.participations", officer, org.unit, period)
    assert figure.value == 6
    given = metrics.compute("party.points.given", officer, org.unit, period)
    assert given.value == Decimal(4)
    if day.year == timezone.localdate().year:
        assert services.yearly_points(zhang.party_membership, day.year).total == Decimal(2)
