"""`gongxiao lease_reminders`: the notification ladder for leases (expiries ahead, rent overdue);
run it daily (cron or the task queue), as `gongxiao escalate` for rectification items."""

from django.core.management.base import BaseCommand

from gongxiao.assets.services import remind_leases


class Command(BaseCommand):
    help = "Remind asset officers of leases expiring and rent overdue (each notice once)."

    def handle(self, *args, **options):
        self.stdout.write(f"{remind_leases()} notices sent.")
