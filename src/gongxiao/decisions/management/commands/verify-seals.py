"""`gongxiao verify-seals`: recompute every seal of collective decisions, compare each unit's
chain with the anchors kept outside the database, print each broken record as a BROKEN line and
exit non-zero when any is found."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongxiao.core import appendonly
from gongxiao.decisions.services import verify


class Command(BaseCommand):
    help = (
        "Verify the seals of sealed meetings and amendments against the anchors file "
        "(exit status 1 when any is broken)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            metavar="FILE",
            help="Check against this copy of the anchors (e.g. the one sent to the supervising "
            "body) instead of the file named by GONGXIAO_SEAL_ANCHORS.",
        )

    def handle(self, *args, anchors=None, **options):
        result = verify(anchors_path=anchors)
        for p in result.problems:
            self.stdout.write(f"BROKEN {p}")
        guards = appendonly.missing()
        for name in guards:
            self.stdout.write(
                "BROKEN "
                + _("append-only trigger %(t)s is missing from the database") % {"t": name}
            )
        if result.problems or guards:
            self.stderr.write(
                f"{len(result.problems) + len(guards)} problem(s) in {result.seals} seal(s), "
                f"checked against {result.anchors_path}."
            )
            sys.exit(1)
        self.stdout.write(
            f"All {result.seals} seal(s) verified against {result.anchors_path}"
            + (f"; {result.unanchored} newer than the last anchor." if result.unanchored else ".")
        )
