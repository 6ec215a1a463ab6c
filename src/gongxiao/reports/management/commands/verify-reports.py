"""`gongxiao verify-reports`: recompute the figures of every finalised report for its period and
print each figure that entries made since have changed, with the rows behind the change and who
made it; exit status 1 when any figure changed. The reports themselves are never touched."""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongxiao.reports.verify import check, finalised_drafts


class Command(BaseCommand):
    help = (
        "Recompute every finalised report's figures and list those changed by later entries "
        "(exit status 1 when any changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--draft", type=int, action="append", help="only this draft (id)")

    def handle(self, *args, **options):
        drafts = finalised_drafts().order_by("pk")
        if options.get("draft"):
            drafts = drafts.filter(pk__in=options["draft"])
        changed = figures = 0
        for draft in drafts:
            result = check(draft)
            figures += result.checked
            for e in result.errors:
                self.stdout.write(f"ERROR report {draft.pk} 《{draft}》 {e}")
            for d in result.drifts:
                changed += 1
                self.stdout.write(
                    f"CHANGED report {draft.pk} 《{draft}》 {d.id} {d.label} {d.key} "
                    f"({d.unit}, {d.period}): {d.frozen_text} -> {d.now_text}"
                )
                for row in d.rows:
                    for r in row.records or [None]:
                        when = timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M") if r else ""
                        fields = ",".join(r.changed_fields()) if r else ""
                        self.stdout.write(
                            f"  {row.how} #{row.pk} {row.name}"
                            + (
                                f" | {r.kind} {when} by {r.user_repr or '-'} [{fields}]"
                                if r
                                else ""
                            )
                        )
            if not result.agrees:
                changed += len(result.errors)
        total = drafts.count()
        if changed:
            self.stderr.write(f"{changed} figure(s) differ in {total} finalised report(s).")
            sys.exit(1)
        self.stdout.write(f"All {figures} figure(s) of {total} finalised report(s) agree.")
