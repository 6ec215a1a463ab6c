"""`gongxiao search_index`: bring every ledger's search index up to date (core/textsearch.py).

Without options: create what is missing and work off the queue of rows written since (SQLite).
`--rebuild`: build every index again from the rows."""

from django.core.management.base import BaseCommand

from gongxiao.core import textsearch


class Command(BaseCommand):
    help = "Bring the search indexes up to date (--rebuild: build them again from the rows)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--database", default="default")

    def handle(self, *args, rebuild=False, database="default", **options):
        built = textsearch.sync(database, rebuild=rebuild, say=self.stdout.write)
        queued = textsearch.flush_all(using=database)
        self.stdout.write(f"{len(built)} indexes built, {queued} queued rows indexed")
