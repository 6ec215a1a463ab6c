"""`gongxiao member_completeness`: re-read every federation member against the required fields
and record, dated today, each one whose completeness changed. Edits made through the agri
ledgers are recorded as they happen; a change made elsewhere (a person's ID number or phone in
the org app) is recorded on the day this runs or a current figure is next computed, whichever
is first. Run it daily (cron or a systemd timer), like `gongxiao escalate`."""

from django.core.management.base import BaseCommand

from gongxiao.agri.services import reevaluate_members


class Command(BaseCommand):
    help = "Record, dated today, the members whose data completeness changed."

    def handle(self, *args, **options):
        self.stdout.write(f"{reevaluate_members()} members' completeness recorded.")
