"""`gongxiao backup`: the database, the uploaded files and the seal anchors in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongxiao.core import backup


class Command(BaseCommand):
    help = (
        "Write one .tar.gz with the database, MEDIA_ROOT and the seal anchors file, plus a "
        "manifest (row counts per table, sha256 per file). See docs/deployment.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="Archive to write (default DATA_DIR/backups/gongxiao-<time>.tar.gz).",
        )
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--method",
            choices=sorted(backup.DB_FILES),
            help="sqlite (SQLite's backup API), pg_dump, or dumpdata (Django's, in YAML). Default: "
            "the exact one for the database (dumpdata on PostgreSQL only without pg_dump).",
        )

    def handle(self, *args, output=None, database="default", method=None, **options):
        try:
            result = backup.backup(Path(output) if output else None, alias=database, method=method)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        rows = sum(m["tables"].values())
        self.stdout.write(
            f"Backup written: {result.path} ({m['method']}, {len(m['tables'])} tables, "
            f"{rows} rows, {len(m['files'])} files)"
        )
