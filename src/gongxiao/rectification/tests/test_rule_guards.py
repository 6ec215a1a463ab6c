"""Tests that pin each rule of the rectification ledger at its boundary, so that a plausible
one-line change to the rule (a `<` for a `<=`, a key on the wrong date, a shared row treated as
one's own) fails the suite (issue 13, item 11)."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gongxiao.core import scoping
from gongxiao.core.models import Notification
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification.models import Campaign, Kind, ProgressEntry, RectificationItem
from gongxiao.rectification.services import run_escalation
from gongxiao.rectification.tests.factories import CampaignFactory


def _days(n):
    return datetime.timedelta(days=n)


# --- overdue: the deadline has passed, so an item due today is not overdue -------------------


@pytest.fixture
def due(cast, today):
    """Three open items of a1: due yesterday, due today, due tomorrow."""
    found = today - _days(40)
    return {
        "yesterday": cast.item(title="昨日到期", deadline=today - _days(1), found_date=found),
        "today": cast.item(title="今日到期", deadline=today, found_date=found),
        "tomorrow": cast.item(title="明日到期", deadline=today + _days(1), found_date=found),
    }


def test_the_overdue_filter_leaves_out_an_item_due_today(cast, due):
    api = APIClient()
    api.force_authenticate(cast.leader)

    def titles(value):
        resp = api.get("/api/rectification/items/", {"overdue": value})
        assert resp.status_code == 200
        body = resp.json()
        rows = body["results"] if isinstance(body, dict) else body
        return sorted(r["title"] for r in rows)

    assert titles("true") == ["昨日到期"]
    assert titles("false") == sorted(["今日到期", "明日到期"])


def test_the_overdue_list_page_and_the_model_agree_on_today(cast, due, today):
    c = Client()
    c.force_login(cast.leader)
    html = c.get("/ledgers/rectification/items/", {"overdue": "true"}).content.decode()
    assert "昨日到期" in html and "今日到期" not in html and "明日到期" not in html
    assert list(RectificationItem.objects.overdue(today)) == [due["yesterday"]]
    assert not due["today"].is_overdue(today) and due["today"].overdue_days(today) == 0
    assert due["yesterday"].overdue_days(today) == 1


# --- escalation: at exactly `escalate_after` days overdue, not a day later -------------------


def _escalations(user):
    return list(
        Notification.objects.filter(recipient=user, key__contains=":escalate:").values_list(
            "key", flat=True
        )
    )


def test_escalation_happens_on_the_day_the_item_is_escalate_after_days_overdue(cast, today):
    on_the_day = cast.item(deadline=today - _days(10), found_date=today - _days(60))
    a_day_short = cast.item(deadline=today - _days(9), found_date=today - _days(60))
    result = run_escalation(today=today, remind_days=0, escalate_after=10)
    assert result.escalated == 1
    assert _escalations(cast.discipline_a) == [
        f"rect:{on_the_day.pk}:escalate:{on_the_day.deadline}"
    ]
    # The next day the other one reaches ten days: escalated then, the first not again.
    result = run_escalation(today=today + _days(1), remind_days=0, escalate_after=10)
    assert result.escalated == 1
    assert sorted(_escalations(cast.discipline_a)) == sorted(
        [
            f"rect:{on_the_day.pk}:escalate:{on_the_day.deadline}",
            f"rect:{a_day_short.pk}:escalate:{a_day_short.deadline}",
        ]
    )


def test_the_overdue_notice_starts_the_day_after_the_deadline(cast, today):
    item = cast.item(deadline=today, found_date=today - _days(30))
    assert run_escalation(today=today, remind_days=0, escalate_after=10).overdue == 0
    result = run_escalation(today=today + _days(1), remind_days=0, escalate_after=10)
    assert result.overdue == 2  # the responsible person and the responsible leader
    assert Notification.objects.filter(key=f"rect:{item.pk}:overdue:{item.deadline}").count() == 2


# --- check-ins: one notice per due date, however many days the ladder runs ------------------


def test_a_checkin_notice_is_not_sent_again_on_a_later_day(cast, today):
    item = cast.item(
        kind=Kind.ONGOING,
        deadline=None,
        found_date=today - _days(30),
        checkin_every_days=30,
    )
    assert item.next_checkin_due() == today
    assert run_escalation(today=today - _days(1)).checkins == 0  # not due yet
    assert run_escalation(today=today).checkins == 1
    assert run_escalation(today=today).checkins == 0
    # The ladder runs daily: the same missed check-in is not notified again the next days.
    assert run_escalation(today=today + _days(1)).checkins == 0
    assert run_escalation(today=today + _days(7)).checkins == 0
    keys = Notification.objects.filter(recipient=cast.owner, key__contains=":checkin:")
    assert list(keys.values_list("key", flat=True)) == [f"rect:{item.pk}:checkin:{today}"]
    # A check-in reported moves the due date; the next one is notified once when it comes.
    ProgressEntry.objects.create(item=item, date=today, text="季度报告", is_checkin=True)
    assert item.next_checkin_due() == today + _days(30)
    assert run_escalation(today=today + _days(29)).checkins == 0
    assert run_escalation(today=today + _days(30)).checkins == 1
    assert run_escalation(today=today + _days(31)).checkins == 0


# --- a shared campaign is seen by the units taking part, changed only by its own unit -------


@pytest.fixture
def shared(federation):
    campaign = CampaignFactory(unit=federation.county_a, name="甲县专项整治")
    campaign.units.set([federation.county_b, federation.b1])
    return campaign


@pytest.mark.parametrize("role", [Role.LEADER, Role.SYSADMIN, Role.DATA_ENTRY])
def test_a_shared_campaign_is_not_editable_by_the_units_it_is_shared_with(federation, shared, role):
    unit = federation.b1 if role == Role.DATA_ENTRY else federation.county_b
    user = user_with(role, unit)
    # Seen where it is shared ...
    assert scoping.can(user, "view", shared)
    assert list(Campaign.objects.permitted(user, "view")) == [shared]
    # ... but changed and deleted only by its own unit.
    for action in ("change", "delete"):
        assert not scoping.can(user, action, shared), action
        assert not Campaign.objects.permitted(user, action).exists(), action
    api = APIClient()
    api.force_authenticate(user)
    url = f"/api/rectification/campaigns/{shared.pk}/"
    assert api.get(url).status_code == 200
    resp = api.patch(url, {"name": "被改名", "version": shared.version}, format="json")
    assert resp.status_code in (403, 404), resp.content
    assert api.delete(url).status_code in (403, 404)
    c = Client()
    c.force_login(user)
    edit = f"/ledgers/rectification/campaigns/{shared.pk}/edit/"
    assert c.get(edit).status_code in (403, 404)
    resp = c.post(edit, {"name": "被改名", "start_date": "2024-01-01", "version": shared.version})
    assert resp.status_code in (403, 404)
    shared.refresh_from_db()
    assert shared.name == "甲县专项整治" and Campaign.objects.filter(pk=shared.pk).exists()


def test_the_campaigns_own_unit_may_still_change_it(federation, shared):
    owner = user_with(Role.LEADER, federation.county_a)
    assert scoping.can(owner, "change", shared)
    assert list(Campaign.objects.permitted(owner, "change")) == [shared]
