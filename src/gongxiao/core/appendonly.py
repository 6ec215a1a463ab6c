"""Append-only tables enforced by the database itself: triggers that refuse UPDATE and DELETE
(and TRUNCATE on PostgreSQL) of change records, seals and amendments, whatever path the
statement takes (queryset, raw SQL, a database console).

One exception, on purpose: `gongxiao flush` (Django's command, overridden in
core/management/commands/flush.py) empties the whole database, which the test suite does
after every transactional test. It sets a per-connection flag that only this process can set:

- SQLite: the DELETE trigger asks the function `gongxiao_flushing()`, which Django registers on
  each of its own connections (see `register_sqlite_function`). A connection that did not
  register it (the sqlite3 console, another program) gets "no such function" and is refused
  like any other.
- PostgreSQL: the trigger function reads the session setting `gongxiao.flushing`. A session
  can set it too, but whoever can run SQL as the table owner can also drop the trigger: the
  triggers stop mistakes and the application's own code paths, not the database owner. Seals
  are verified against anchors outside the database for that (docs/security.md).

SQLite drops a table's triggers when a migration rebuilds the table: `missing()` lists the
triggers that are not there, the test suite checks it after migrating, and `gongxiao
verify-seals` warns about it.
"""

from __future__ import annotations

import contextlib

# The tables guarded, by the migration that installs their triggers.
CORE_TABLES = ["core_changerecord"]
DECISIONS_TABLES = ["decisions_seal", "decisions_amendment"]
TABLES = CORE_TABLES + DECISIONS_TABLES

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION gongxiao_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
            AND coalesce(current_setting('gongxiao.flushing', true), '') = 'on' THEN
        RETURN OLD;  -- ignored for TRUNCATE (a statement trigger)
    END IF;
    -- No percent sign here: the statement goes through Django's parameter formatting.
    RAISE EXCEPTION USING
        MESSAGE = 'append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _names(table: str) -> dict[str, str]:
    return {op: f"gongxiao_append_only_{op}_{table}" for op in ("update", "delete", "truncate")}


def install_sql(vendor: str, table: str) -> list[str]:
    n = _names(table)
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS {n["update"]} BEFORE UPDATE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, 'append-only: UPDATE on {table} refused'); END",
            f'CREATE TRIGGER IF NOT EXISTS {n["delete"]} BEFORE DELETE ON "{table}" '
            "WHEN NOT gongxiao_flushing() "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: DELETE on {table} refused'); END",
        ]
    if vendor == "postgresql":
        return [
            PG_FUNCTION,
            f'DROP TRIGGER IF EXISTS {n["update"]} ON "{table}"',
            f'CREATE TRIGGER {n["update"]} BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION gongxiao_append_only()",
            f'DROP TRIGGER IF EXISTS {n["truncate"]} ON "{table}"',
            f'CREATE TRIGGER {n["truncate"]} BEFORE TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION gongxiao_append_only()",
        ]
    return []  # other databases: the model methods still refuse


def remove_sql(vendor: str, table: str) -> list[str]:
    n = _names(table)
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {n['update']}", f"DROP TRIGGER IF EXISTS {n['delete']}"]
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {n["update"]} ON "{table}"',
            f'DROP TRIGGER IF EXISTS {n["truncate"]} ON "{table}"',
        ]
    return []


def expected(vendor: str, table: str) -> set[str]:
    n = _names(table)
    if vendor == "sqlite":
        return {n["update"], n["delete"]}
    if vendor == "postgresql":
        return {n["update"], n["truncate"]}
    return set()


def installer(tables: list[str]):
    """A pair of functions for migrations.RunPython: install and remove the triggers."""

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in tables:
            for sql in install_sql(vendor, table):
                schema_editor.execute(sql)

    def backward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in tables:
            for sql in remove_sql(vendor, table):
                schema_editor.execute(sql)

    return forward, backward


def missing(connection=None) -> list[str]:
    """The append-only triggers that should be there and are not."""
    from django.db import connection as default

    connection = connection or default
    vendor = connection.vendor
    with connection.cursor() as cur:
        if vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif vendor == "postgresql":
            cur.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            return []
        present = {row[0] for row in cur.fetchall()}
    tables = set(connection.introspection.table_names())
    return sorted(
        name
        for table in TABLES
        if table in tables
        for name in expected(vendor, table)
        if name not in present
    )


def register_sqlite_function(sender, connection, **kwargs):
    """connection_created: give Django's SQLite connections the flag the DELETE triggers ask."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        "gongxiao_flushing", 0, lambda: 1 if getattr(connection, "gongxiao_flushing", False) else 0
    )
    connection.connection.create_function(
        "gongxiao_restoring",
        0,
        lambda: 1 if getattr(connection, "gongxiao_restoring", False) else 0,
    )


@contextlib.contextmanager
def flushing(connection):
    """Let this connection empty the guarded tables (for `flush` only)."""
    connection.ensure_connection()
    connection.gongxiao_flushing = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('gongxiao.flushing', 'on', false)")
    try:
        yield
    finally:
        connection.gongxiao_flushing = False
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('gongxiao.flushing', 'off', false)")


@contextlib.contextmanager
def restoring(connection):
    """Let this connection load the rows of a backup as they were (for `restore` only): a
    module's insert guards (a voucher entered as a draft, say) ask this flag, the same way the
    DELETE triggers ask `flushing`: `gongxiao_restoring()` on SQLite, the session setting
    `gongxiao.restoring` on PostgreSQL."""
    connection.ensure_connection()
    connection.gongxiao_restoring = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('gongxiao.restoring', 'on', false)")
    try:
        yield
    finally:
        connection.gongxiao_restoring = False
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('gongxiao.restoring', 'off', false)")


@contextlib.contextmanager
def suspended(connection=None, tables=None):
    """Drop the triggers and put them back afterwards: for tests that play an attacker who
    owns the database (and so can drop triggers) and for deliberate repairs."""
    from django.db import connection as default

    connection = connection or default
    tables = tables or TABLES
    vendor = connection.vendor
    with connection.cursor() as cur:
        for table in tables:
            for sql in remove_sql(vendor, table):
                cur.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cur:
            for table in tables:
                for sql in install_sql(vendor, table):
                    cur.execute(sql)
