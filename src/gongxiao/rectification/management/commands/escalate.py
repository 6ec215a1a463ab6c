"""`gongxiao escalate`: run the escalation ladder of overdue rectification items. Safe to run
any number of times (each notice is sent once); schedule it daily, e.g. from cron or a systemd
timer: `gongxiao escalate`."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from gongxiao.rectification.services import run_escalation


class Command(BaseCommand):
    help = "Remind, notify and escalate overdue rectification items (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as of this date (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--remind-days", type=int, help="Remind this many days before a deadline."
        )
        parser.add_argument(
            "--escalate-after",
            type=int,
            help="Escalate to the parent unit's discipline role after this many days overdue.",
        )

    def handle(self, *args, today=None, remind_days=None, escalate_after=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today must be YYYY-MM-DD: {exc}") from exc
        r = run_escalation(today=day, remind_days=remind_days, escalate_after=escalate_after)
        self.stdout.write(
            f"reminders {r.reminded}, overdue notices {r.overdue}, escalations {r.escalated}, "
            f"check-in reminders {r.checkins}"
        )
