"""The escalation ladder: reminder before the deadline, responsible person and leader once
overdue, the parent unit's discipline role after N days; each notice exactly once."""

import datetime

from django.core import mail
from django.core.management import call_command

from gongxiao.core.models import Notification
from gongxiao.rectification.models import Kind
from gongxiao.rectification.services import run_escalation


def _keys(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("key", flat=True))


def test_overdue_is_derived_from_dates(cast, today):
    item = cast.item(
        deadline=today - datetime.timedelta(days=3), found_date=today - datetime.timedelta(days=40)
    )
    assert item.is_overdue() and item.overdue_days() == 3
    assert not item.is_overdue(on=today - datetime.timedelta(days=3))
    assert list(type(item).objects.overdue()) == [item]
    type(item).objects.filter(pk=item.pk).update(status="closed")
    item.refresh_from_db()
    assert not item.is_overdue() and not type(item).objects.overdue().exists()


def test_the_ladder_runs_twice_and_sends_each_notice_once(
    cast, today, django_capture_on_commit_callbacks
):
    soon = cast.item(deadline=today + datetime.timedelta(days=3))
    late = cast.item(
        deadline=today - datetime.timedelta(days=2), found_date=today - datetime.timedelta(days=60)
    )
    very_late = cast.item(
        deadline=today - datetime.timedelta(days=20), found_date=today - datetime.timedelta(days=90)
    )
    cast.item(deadline=today + datetime.timedelta(days=30))  # far off: nothing
    with django_capture_on_commit_callbacks(execute=True):
        first = run_escalation(today=today, remind_days=7, escalate_after=15)
    assert (first.reminded, first.overdue, first.escalated) == (1, 4, 1)
    assert _keys(cast.owner) == sorted(
        [
            f"rect:{soon.pk}:remind:{soon.deadline}",
            f"rect:{late.pk}:overdue:{late.deadline}",
            f"rect:{very_late.pk}:overdue:{very_late.deadline}",
        ]
    )
    assert _keys(cast.leader) == sorted(
        [
            f"rect:{late.pk}:overdue:{late.deadline}",
            f"rect:{very_late.pk}:overdue:{very_late.deadline}",
        ]
    )
    # The discipline role of the parent unit (county A), not of the city or of the unit itself.
    assert _keys(cast.discipline_a) == [f"rect:{very_late.pk}:escalate:{very_late.deadline}"]
    assert _keys(cast.discipline_city) == []
    sent = len(mail.outbox)
    assert sent == 6  # owner 3, leader 2, discipline 1: every one of them has an e-mail address
    with django_capture_on_commit_callbacks(execute=True):
        second = run_escalation(today=today, remind_days=7, escalate_after=15)
    assert second.total == 0
    assert Notification.objects.count() == 6 and len(mail.outbox) == sent


def test_a_new_deadline_gets_its_own_notices(cast, today):
    item = cast.item(
        deadline=today - datetime.timedelta(days=2), found_date=today - datetime.timedelta(days=60)
    )
    run_escalation(today=today)
    type(item).objects.filter(pk=item.pk).update(deadline=today - datetime.timedelta(days=1))
    assert run_escalation(today=today).overdue == 2


def test_closed_items_are_left_alone(cast, today):
    item = cast.item(
        deadline=today - datetime.timedelta(days=30), found_date=today - datetime.timedelta(days=60)
    )
    type(item).objects.filter(pk=item.pk).update(status="closed")
    assert run_escalation(today=today).total == 0


def test_ongoing_items_are_reminded_of_their_checkin_once(cast, today):
    cast.item(
        kind=Kind.ONGOING,
        deadline=None,
        found_date=today - datetime.timedelta(days=100),
        checkin_every_days=90,
    )
    assert run_escalation(today=today).checkins == 1
    assert run_escalation(today=today).checkins == 0


def test_the_command_runs_the_ladder(cast, today, capsys):
    cast.item(
        deadline=today - datetime.timedelta(days=2), found_date=today - datetime.timedelta(days=60)
    )
    call_command("escalate", today=today.isoformat())
    assert "overdue notices 2" in capsys.readouterr().out
    call_command("escalate", today=today.isoformat())
    assert "overdue notices 0" in capsys.readouterr().out
