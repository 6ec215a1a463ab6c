"""`gongxiao verify-seals`: recompute every seal of collective decisions; print each broken
record and exit non-zero when any is found."""

import sys

from django.core.management.base import BaseCommand

from gongxiao.decisions.services import verify_seals


class Command(BaseCommand):
    help = "Verify the seals of sealed meetings and amendments (exit status 1 when any is broken)."

    def handle(self, *args, **options):
        problems = verify_seals()
        for p in problems:
            self.stdout.write(f"BROKEN {p}")
        from gongxiao.decisions.models import Seal

        total = Seal.objects.count()
        if problems:
            self.stderr.write(f"{len(problems)} problem(s) in {total} seal(s).")
            sys.exit(1)
        self.stdout.write(f"All {total} seal(s) verified.")
