"""`gongxiao restore ARCHIVE`: put a `gongxiao backup` archive into an empty instance."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongxiao.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an EMPTY instance (no unit, no user, no uploaded file, no "
        "anchors file): every file is checked against the manifest first, the row counts after."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive, database="default", **options):
        try:
            m = backup.restore(Path(archive), alias=database)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {archive}: {sum(m['tables'].values())} rows in {len(m['tables'])} "
            f"tables, {len(m['files'])} files, made {m['created_at']}. Now run "
            "`gongxiao migrate` (for a backup of an older release) and `gongxiao verify-seals`."
        )
