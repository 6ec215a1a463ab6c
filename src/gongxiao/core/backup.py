"""One-archive backup and restore of an instance: the database, the uploaded files (MEDIA_ROOT)
and the seal anchors file, with a manifest of row counts per table and a sha256 per file.

The database is copied in the form that restores exactly, ids and sequences included:
- SQLite: the online backup API (`sqlite3.Connection.backup`), a consistent page copy taken
  while the application runs; restored with the same API.
- PostgreSQL: `pg_dump --format=custom` when pg_dump is on PATH (ids, sequences, constraints,
  triggers and indexes as they are), the row counts read in the very snapshot pg_dump copies;
  restored with pg_restore. Without pg_dump, Django's `dumpdata` in YAML (every row with its
  id, content types and permissions included; YAML keeps the microseconds that Django's JSON drops),
  restored with `migrate`, `loaddata` and a sequence reset.

A restore goes into an empty instance only: no unit and no user in the database, no file in
MEDIA_ROOT, no anchors file. It checks every file against the manifest before writing anything,
and the row counts after.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from gongxiao.core import appendonly, textsearch

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Tables that dumpdata leaves out: the migrations table (restore's migrate writes it) and sessions.
NOT_DUMPED = {"django_migrations", "django_session"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Result:
    path: Path
    manifest: dict


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def anchors_path() -> Path | None:
    value = getattr(settings, "GONGXIAO_SEAL_ANCHORS", None)
    return Path(value) if value else None


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def _pg_conninfo(alias: str) -> tuple[list[str], dict]:
    """libpq arguments and environment for pg_dump/pg_restore from Django's settings."""
    s = connections[alias].settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if s.get(key):
            args.append(f"{flag}={s[key]}")
    if (s.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(s["OPTIONS"]["sslmode"])
    return args, env


def _program(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not on PATH")
    return path


def _table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def _django_tables(alias: str) -> list[str]:
    """The tables whose rows a restore must give back: not the search index's (core/textsearch),
    which are made again from the rows (a dumpdata restore refills them as it loads)."""
    conn = connections[alias]
    with conn.cursor() as cursor:
        return [t for t in conn.introspection.table_names(cursor) if not textsearch.derived(t)]


def _sqlite_dump(alias: str, target: Path) -> dict[str, int]:
    conn = connections[alias]
    conn.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        conn.connection.backup(dest)
        # One self-contained file in the archive, whatever the journal mode of the source.
        dest.execute("PRAGMA journal_mode=DELETE")
        tables = [
            r[0]
            for r in dest.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return _table_counts(dest.cursor(), tables)
    finally:
        dest.close()


def _pg_dump(alias: str, target: Path) -> dict[str, int]:
    """pg_dump of one snapshot, the counts read in that same snapshot."""
    import psycopg

    conn = connections[alias]
    snap = psycopg.connect(**conn.get_connection_params())
    try:
        snap.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with snap.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot_id = cur.fetchone()[0]  # type: ignore[index]  # one row, always
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            counts = _table_counts(cur, [r[0] for r in cur.fetchall()])
        args, env = _pg_conninfo(alias)
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                _program("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
                conn.settings_dict["NAME"],
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"pg_dump failed: {exc.stderr.decode(errors='replace')}") from exc
    finally:
        snap.close()
    return counts


def _dumpdata(alias: str, target: Path) -> dict[str, int]:
    call_command(
        "dumpdata",
        format="yaml",
        database=alias,
        exclude=["sessions"],
        output=str(target),
        verbosity=0,
    )
    with connections[alias].cursor() as cur:
        tables = [t for t in _django_tables(alias) if t != "django_session"]
        return _table_counts(cur, tables)


def default_method(alias: str = "default") -> str:
    vendor = _vendor(alias)
    if vendor == "sqlite":
        return "sqlite"
    if vendor == "postgresql":
        return "pg_dump" if shutil.which("pg_dump") and shutil.which("pg_restore") else "dumpdata"
    return "dumpdata"


DB_FILES = {
    "sqlite": "database/db.sqlite3",
    "pg_dump": "database/db.dump",
    "dumpdata": "database/db.yaml",
}


def _media_files(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, "media/" + path.relative_to(root).as_posix()


class _HashingReader:
    def __init__(self, f):
        self.f, self.h = f, hashlib.sha256()

    def read(self, n=-1):
        data = self.f.read(n)
        self.h.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict | None:
    """Add one file, hashing the bytes as they go in; None when it vanished meanwhile."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None
    with f:
        st = os.fstat(f.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), stat.S_IMODE(st.st_mode)
        reader = _HashingReader(f)
        tar.addfile(info, reader)
        return {"sha256": reader.h.hexdigest(), "size": st.st_size}


def backup(output: Path | None = None, *, alias: str = "default", method: str | None = None):
    """Write the archive; returns its path and manifest."""
    method = method or default_method(alias)
    if method not in DB_FILES:
        raise BackupError(f"unknown method {method!r}")
    if method == "sqlite" and _vendor(alias) != "sqlite":
        raise BackupError("the sqlite method needs an SQLite database")
    if method == "pg_dump" and _vendor(alias) != "postgresql":
        raise BackupError("the pg_dump method needs a PostgreSQL database")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if output is None:
        output = Path(settings.DATA_DIR) / "backups" / f"gongxiao-{stamp}.tar.gz"
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists; a backup never overwrites a file")
    output.parent.mkdir(parents=True, exist_ok=True)

    # The dump is written beside the archive: the backup disk has room for it, /tmp may not.
    with tempfile.TemporaryDirectory(prefix=".gongxiao-backup-", dir=output.parent) as tmp:
        db_file = Path(tmp) / "db"
        dump = {"sqlite": _sqlite_dump, "pg_dump": _pg_dump, "dumpdata": _dumpdata}[method]
        counts = dump(alias, db_file)
        members: list[tuple[Path, str]] = [(db_file, DB_FILES[method])]
        members += list(_media_files(Path(settings.MEDIA_ROOT)))
        anchors = anchors_path()
        if anchors and anchors.is_file():
            members.append((anchors, "anchors/" + anchors.name))
        recorder = MigrationRecorder(connections[alias])
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "vendor": _vendor(alias),
            "method": method,
            "database": DB_FILES[method],
            "migrations": sorted(f"{a}.{n}" for a, n in recorder.applied_migrations()),
            "tables": counts,
            "files": {},
        }
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            for path, name in members:
                if meta := _add_file(tar, path, name):
                    manifest["files"][name] = meta
            # Last, so that it describes exactly what was written (a file deleted meanwhile is
            # left out, a file's hash is that of the bytes in the archive).
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
        partial.rename(output)
    return Result(output, manifest)


# --- restore ------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        try:
            f = tar.extractfile(MANIFEST)
        except KeyError:
            f = None
        if f is None:
            raise BackupError(f"{archive} has no {MANIFEST}: not a Gongxiao backup")
        return json.loads(f.read().decode("utf-8"))


def instance_contents(alias: str = "default") -> list[str]:
    """What makes this instance not empty (nothing: it may be restored into)."""
    found = []
    tables = set(_django_tables(alias))
    with connections[alias].cursor() as cur:
        for table in ("org_unit", "org_user"):
            if table in tables:
                cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
                if n := cur.fetchone()[0]:
                    found.append(f"{n} row(s) in {table}")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        found.append(f"files in {media}")
    anchors = anchors_path()
    if anchors and anchors.is_file() and anchors.stat().st_size:
        found.append(f"the anchors file {anchors}")
    return found


def _safe_name(name: str) -> PurePosixPath:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise BackupError(f"refusing the archive member {name!r}")
    return p


def _extract(archive: Path, manifest: dict, into: Path) -> None:
    """Extract the listed files only, each checked against its sha256."""
    expected = manifest["files"]
    seen = set()
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            _safe_name(member.name)
            if not member.isfile() or member.name not in expected:
                raise BackupError(f"the archive holds {member.name!r}, which its manifest lacks")
            tar.extract(member, into, filter="data")
            seen.add(member.name)
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"the archive lacks {sorted(missing)[:5]}")
    for name, meta in expected.items():
        if _sha256(into / name) != meta["sha256"]:
            raise BackupError(f"{name} does not match its sha256 in the manifest")


def _sqlite_restore(alias: str, source: Path) -> None:
    conn = connections[alias]
    conn.close()
    conn.ensure_connection()
    src = sqlite3.connect(source)
    try:
        src.backup(conn.connection)
    finally:
        src.close()
    conn.close()


def _pg_restore(alias: str, source: Path) -> None:
    conn = connections[alias]
    conn.close()
    args, env = _pg_conninfo(alias)
    try:
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                _program("pg_restore"),
                *args,
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={conn.settings_dict['NAME']}",
                str(source),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"pg_restore failed: {exc.stderr.decode(errors='replace')}") from exc


def _loaddata(alias: str, source: Path) -> None:
    from django.apps import apps

    call_command("migrate", database=alias, interactive=False, verbosity=0)
    # Every row comes back with its id, content types and permissions included: first empty
    # what migrate made (content types, permissions, default rules …) without remaking it.
    call_command("flush", database=alias, interactive=False, inhibit_post_migrate=True, verbosity=0)
    conn = connections[alias]
    # Rows come back as they were: a posted voucher as posted, with its lines (the insert
    # guards of such tables let a restoring connection through, nothing else).
    with appendonly.restoring(conn):
        call_command("loaddata", str(source), database=alias, verbosity=0)
    statements = conn.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with conn.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def restore(archive: Path, *, alias: str = "default") -> dict:
    """Restore the archive into this (empty) instance; returns the manifest."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    method = manifest["method"]
    vendor = _vendor(alias)
    if method == "sqlite" and vendor != "sqlite" or method == "pg_dump" and vendor != "postgresql":
        raise BackupError(
            f"this backup ({method}) restores into {manifest['vendor']}, not {vendor}"
        )
    if method == "pg_dump" and not shutil.which("pg_restore"):
        raise BackupError("pg_restore is not on PATH")
    known = {
        f"{a}.{n}" for a, n in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    if newer := sorted(set(manifest["migrations"]) - known):
        raise BackupError(
            "the backup was made by a newer release (migrations this one lacks: "
            + ", ".join(newer[:5])
            + "); install that release first"
        )
    anchor_members = [n for n in manifest["files"] if n.startswith("anchors/")]
    anchors = anchors_path()
    if anchor_members and anchors is None:
        raise BackupError("the backup holds seal anchors but GONGXIAO_SEAL_ANCHORS is not set")
    if found := instance_contents(alias):
        raise BackupError(
            "restore goes into an empty instance only; this one has " + ", ".join(found)
        )

    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside MEDIA_ROOT: the files are then moved into place, not copied.
    with tempfile.TemporaryDirectory(prefix=".gongxiao-restore-", dir=media.parent) as unpacked:
        tmp = Path(unpacked)
        _extract(archive, manifest, tmp)
        db_file = tmp / manifest["database"]
        {"sqlite": _sqlite_restore, "pg_dump": _pg_restore, "dumpdata": _loaddata}[method](
            alias, db_file
        )
        for name in manifest["files"]:
            if name.startswith("media/"):
                dest = media / PurePosixPath(name).relative_to("media")
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp / name, dest)
        if anchor_members and anchors:
            anchors.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp / anchor_members[0], anchors)

    connections[alias].close()
    check_counts(manifest, alias)
    return manifest


def check_counts(manifest: dict, alias: str = "default") -> None:
    skip = NOT_DUMPED if manifest["method"] == "dumpdata" else set()
    with connections[alias].cursor() as cur:
        now = _table_counts(cur, [t for t in manifest["tables"] if t not in skip])
    wrong = {t: (manifest["tables"][t], n) for t, n in now.items() if manifest["tables"][t] != n}
    if wrong:
        raise BackupError(f"row counts differ after the restore (backup, now): {wrong}")
