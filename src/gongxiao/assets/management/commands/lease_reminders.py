"""`gongxiao lease_reminders`: the notification ladder for leases (expiries ahead, rent overdue)
by hand. The task workers run it once a day on their own (core/daily.py, assets/apps.py); each
notice is sent once, so running it again sends nothing twice."""

from django.core.management.base import BaseCommand

from gongxiao.assets.services import remind_leases


class Command(BaseCommand):
    help = "Remind asset officers of leases expiring and rent overdue (each notice once)."

    def handle(self, *args, **options):
        self.stdout.write(f"{remind_leases()} notices sent.")
