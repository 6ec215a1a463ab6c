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
