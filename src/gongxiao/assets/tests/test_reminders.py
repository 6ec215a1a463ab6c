"""The lease ladder: expiries 90/60/30 days ahead and rent overdue, each notice once, leaders
told when rent is over 90 days overdue; nobody of the sibling county hears."""

import datetime

from django.core.management import call_command

from gongxiao.assets import services
from gongxiao.assets.tests import factories as f
from gongxiao.core.models import Notification
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def test_expiries_and_overdue_rent_are_told_once_to_those_over_the_lease(federation):
    officer = user_with(Role.ASSET, federation.county_a)
    leader = user_with(Role.LEADER, federation.a1)
    stranger = user_with(Role.ASSET, federation.county_b)
    lease = f.active_lease(federation.a1)  # to 2024-12-31, quarterly, nothing paid
    day = datetime.date(2024, 10, 15)  # 77 days before its end; rent overdue since 2023
    sent = services.remind_leases(today=day)
    mine = Notification.objects.filter(recipient=officer)
    titles = sorted(mine.values_list("title", flat=True))
    assert len(titles) == 2
    assert any("90" in t and lease.tenant_name in t for t in titles)
    assert any("逾期" in t or "overdue" in t.lower() for t in titles)
    assert Notification.objects.filter(recipient=leader).count() == 1  # over 90 days: leaders
    assert not Notification.objects.filter(recipient=stranger).exists()
    assert sent == 3
    assert services.remind_leases(today=day) == 0  # each notice once
    assert services.remind_leases(today=datetime.date(2024, 12, 5)) == 1  # 30 days ahead
    call_command("lease_reminders")  # the daily command runs (today: nothing in force)


def test_rent_paid_on_time_raises_no_reminder(federation):
    officer = user_with(Role.ASSET, federation.county_a)
    lease = f.active_lease(federation.a1, end_date=datetime.date(2023, 12, 31))
    services.record_payment(
        payment=lease.payments.model(
            lease=lease, paid_on=datetime.date(2023, 1, 5), amount=24000, way="transfer"
        ),
        user=officer,
    )
    assert services.remind_leases(today=datetime.date(2023, 8, 1)) == 0


def test_the_lease_list_filters_leases_expiring_within_some_days(federation):
    from django.test import Client
    from django.utils import timezone

    today = timezone.localdate()
    soon = f.active_lease(
        federation.a1,
        start_date=today - datetime.timedelta(days=300),
        end_date=today + datetime.timedelta(days=20),
    )
    later = f.active_lease(
        federation.a1,
        start_date=today - datetime.timedelta(days=300),
        end_date=today + datetime.timedelta(days=200),
    )
    c = Client()
    c.force_login(user_with(Role.ASSET, federation.county_a))
    html = c.get("/ledgers/assets/leases/", {"expiring_within": 30}).content.decode()
    assert f"/ledgers/assets/leases/{soon.pk}/" in html
    assert f"/ledgers/assets/leases/{later.pk}/" not in html


def test_the_task_worker_runs_the_lease_ladder_once_a_day_without_an_operator(
    federation, monkeypatch
):
    from zoneinfo import ZoneInfo

    from gongxiao.core import daily
    from gongxiao.core.management.commands import db_worker

    assert daily.registered()["assets.lease_reminders"] is services.remind_leases
    officer = user_with(Role.ASSET, federation.county_a)
    f.active_lease(federation.a1)  # to 2024-12-31, quarterly, nothing paid
    tz = ZoneInfo("Asia/Shanghai")
    done: dict = {}
    early = datetime.datetime(2024, 10, 15, 6, 30, tzinfo=tz)
    assert daily.run_due(done, early) == []  # before the day's hour: nothing yet
    assert not Notification.objects.filter(recipient=officer).exists()
    morning = datetime.datetime(2024, 10, 15, 7, 5, tzinfo=tz)
    # (Other apps' daily jobs, such as the search index's, run beside it.)
    assert "assets.lease_reminders" in daily.run_due(done, morning)
    assert Notification.objects.filter(recipient=officer).count() == 2  # expiry, overdue rent
    assert daily.run_due(done, morning + datetime.timedelta(hours=3)) == []  # once a day
    # A second worker (its own record of the day) runs it again: nothing is sent twice.
    assert "assets.lease_reminders" in daily.run_due({}, morning)
    assert Notification.objects.filter(recipient=officer).count() == 2
    # The worker's watchdog runs the due jobs between its waits for tasks.
    seen = []
    monkeypatch.setattr(db_worker.daily, "run_due", lambda d: seen.append(d))
    monkeypatch.setattr(db_worker.jobs, "fail_stale_jobs", lambda: 0)
    monkeypatch.setattr(db_worker, "connection", type("C", (), {"close": lambda self: None})())
    dog = db_worker.Watchdog(60)
    dog.tick()
    assert seen == [dog.daily_done]


def test_a_failing_daily_job_is_tried_again_at_the_next_pass(monkeypatch):
    from zoneinfo import ZoneInfo

    from gongxiao.core import daily

    calls = []

    def flaky(*, today):
        calls.append(today)
        if len(calls) == 1:
            raise RuntimeError("database away")
        return 0

    monkeypatch.setattr(daily, "_jobs", {"flaky": flaky})
    done: dict = {}
    at = datetime.datetime(2024, 10, 15, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert daily.run_due(done, at) == []
    assert daily.run_due(done, at) == ["flaky"]
    assert daily.run_due(done, at) == []
    assert calls == [datetime.date(2024, 10, 15)] * 2


def test_a_tenant_who_settles_and_falls_behind_again_is_told_again(federation):
    officer = user_with(Role.ASSET, federation.county_a)
    lease = f.active_lease(federation.a1)  # from 2023-01-01, quarterly 6000 in advance
    assert services.remind_leases(today=datetime.date(2023, 2, 15)) >= 1  # period 1, 45 days
    arrears = Notification.objects.filter(recipient=officer, key__contains="arrears")
    assert arrears.count() == 1
    assert services.remind_leases(today=datetime.date(2023, 2, 20)) == 0  # told once
    owed = services.arrears_on(lease, datetime.date(2023, 6, 1)).total
    services.record_payment(
        payment=lease.payments.model(
            lease=lease, paid_on=datetime.date(2023, 6, 1), amount=owed, way="transfer"
        ),
        user=officer,
    )
    assert services.remind_leases(today=datetime.date(2023, 6, 10)) == 0  # settled
    # Period 3 (from 1 July) unpaid 31 days on: a new notice, of that period.
    services.remind_leases(today=datetime.date(2023, 8, 2))
    keys = sorted(arrears.values_list("key", flat=True))
    assert keys == [
        f"assets.lease.{lease.pk}.arrears.1.31_90",
        f"assets.lease.{lease.pk}.arrears.3.31_90",
    ]
