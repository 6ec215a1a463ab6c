"""The books kept straight by the database itself, whatever door a statement comes through
(the forms, the API, the admin, a queryset update, an import, raw SQL, a database console):

- a voucher is entered as a draft (a raw INSERT of a posted voucher fails);
- a voucher becomes posted only with two lines at least, debit equal to credit and not zero,
  into a period that is not closed;
- a posted voucher's content never changes (only the kit's version and its updated stamp move,
  which the action runner bumps when a reversal is made of it) and it is never deleted;
- its lines are added, changed and deleted only while it is a draft.

On PostgreSQL a line's trigger takes a share lock on its voucher, so a line written beside a
concurrent posting waits for it and then sees the voucher posted. `flush` (the test suite's
cleanup) passes, as for the append-only tables (core/appendonly.py). So does `restore` of a
`dumpdata` backup (`appendonly.restoring`): it loads every voucher as it was, a posted one as
posted, then its lines; the rules on changing and deleting a posted voucher still hold for it.
"""

# The statements below are built from this module's constants alone (table and column names,
# messages), never from input: S608 does not apply.
# ruff: noqa: S608
from __future__ import annotations

VOUCHER = "accounting_voucher"
LINE = "accounting_voucherline"
PERIOD = "accounting_period"

# Everything of a posted voucher but the version and its updated stamp.
FROZEN = [
    "book_id",
    "word",
    "year",
    "month",
    "number",
    "date",
    "attachments",
    "attachment_file",
    "status",
    "period_id",
    "reviewed_by_id",
    "reviewed_on",
    "posted_by_id",
    "posted_on",
    "reverses_id",
    "carry_forward",
    "returned_reason",
    "created_by_id",
    "created_at",
]

MSG_DRAFT = "accounting: a voucher is entered as a draft"
MSG_UNBALANCED = "accounting: voucher not balanced (debit must equal credit), not posted"
MSG_CLOSED = "accounting: the period is closed"
MSG_POSTED = "accounting: a posted voucher cannot be changed or deleted"
MSG_LINES = "accounting: lines change only while their voucher is a draft"

SQLITE_NAMES = [
    "accounting_voucher_insert",
    "accounting_voucher_post",
    "accounting_voucher_frozen",
    "accounting_voucher_delete",
    "accounting_line_insert",
    "accounting_line_update",
    "accounting_line_delete",
]
PG_NAMES = ["accounting_voucher_guard", "accounting_line_guard"]


def _sqlite() -> list[str]:
    # Amounts compared in cents as integers: SQLite keeps decimals as REAL.
    cents = "CAST(round({col} * 100) AS INTEGER)"
    sums = (
        f"SELECT count(*) AS n, coalesce(sum({cents.format(col='debit')}), 0) AS d, "
        f"coalesce(sum({cents.format(col='credit')}), 0) AS c FROM {LINE} "
        "WHERE voucher_id = NEW.id"
    )
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
    status_of = f"(SELECT status FROM {VOUCHER} WHERE id = {{ref}}.voucher_id)"
    return [
        f"CREATE TRIGGER IF NOT EXISTS accounting_voucher_insert BEFORE INSERT ON {VOUCHER} "
        f"WHEN NEW.status <> 'draft' AND NOT gongxiao_restoring() "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_DRAFT}'); END",
        f"CREATE TRIGGER IF NOT EXISTS accounting_voucher_post BEFORE UPDATE ON {VOUCHER} "
        "WHEN NEW.status = 'posted' AND OLD.status <> 'posted' AND ("
        f"(SELECT n < 2 OR d <> c OR d = 0 FROM ({sums})) "
        f"OR EXISTS (SELECT 1 FROM {PERIOD} WHERE id = NEW.period_id AND status = 'closed')"
        f") BEGIN SELECT RAISE(ABORT, '{MSG_UNBALANCED}'); END",
        f"CREATE TRIGGER IF NOT EXISTS accounting_voucher_frozen BEFORE UPDATE ON {VOUCHER} "
        f"WHEN OLD.status = 'posted' AND ({changed}) "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_POSTED}'); END",
        f"CREATE TRIGGER IF NOT EXISTS accounting_voucher_delete BEFORE DELETE ON {VOUCHER} "
        "WHEN OLD.status = 'posted' AND NOT gongxiao_flushing() "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_POSTED}'); END",
        f"CREATE TRIGGER IF NOT EXISTS accounting_line_insert BEFORE INSERT ON {LINE} "
        f"WHEN coalesce({status_of.format(ref='NEW')}, '') <> 'draft' "
        "AND NOT gongxiao_restoring() "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_LINES}'); END",
        f"CREATE TRIGGER IF NOT EXISTS accounting_line_update BEFORE UPDATE ON {LINE} "
        f"WHEN {status_of.format(ref='OLD')} <> 'draft' "
        f"OR coalesce({status_of.format(ref='NEW')}, '') <> 'draft' "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_LINES}'); END",
        f"CREATE TRIGGER IF NOT EXISTS accounting_line_delete BEFORE DELETE ON {LINE} "
        f"WHEN coalesce({status_of.format(ref='OLD')}, 'draft') <> 'draft' "
        "AND NOT gongxiao_flushing() "
        f"BEGIN SELECT RAISE(ABORT, '{MSG_LINES}'); END",
    ]


def _pg() -> list[str]:
    new_row = ", ".join(f"NEW.{c}" for c in FROZEN)
    old_row = ", ".join(f"OLD.{c}" for c in FROZEN)
    flushing = "coalesce(current_setting('gongxiao.flushing', true), '') = 'on'"
    restoring = "coalesce(current_setting('gongxiao.restoring', true), '') = 'on'"
    # No percent sign in these statements: they go through Django's parameter formatting.
    return [
        f"""
CREATE OR REPLACE FUNCTION accounting_voucher_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n integer; d numeric; c numeric;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' AND NOT {restoring} THEN
            RAISE EXCEPTION USING MESSAGE = '{MSG_DRAFT}', ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'posted' AND NOT {flushing} THEN
            RAISE EXCEPTION USING MESSAGE = '{MSG_POSTED}', ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'posted' AND ROW({new_row}) IS DISTINCT FROM ROW({old_row}) THEN
        RAISE EXCEPTION USING MESSAGE = '{MSG_POSTED}', ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'posted' AND OLD.status <> 'posted' THEN
        SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) INTO n, d, c
            FROM {LINE} WHERE voucher_id = NEW.id;
        IF n < 2 OR d <> c OR d = 0 THEN
            RAISE EXCEPTION USING MESSAGE = '{MSG_UNBALANCED}', ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (SELECT 1 FROM {PERIOD} WHERE id = NEW.period_id AND status = 'closed') THEN
            RAISE EXCEPTION USING MESSAGE = '{MSG_CLOSED}', ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
""",
        f"""
CREATE OR REPLACE FUNCTION accounting_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO s FROM {VOUCHER} WHERE id = OLD.voucher_id FOR SHARE;
        IF s IS NOT NULL AND s <> 'draft' AND NOT (TG_OP = 'DELETE' AND {flushing}) THEN
            RAISE EXCEPTION USING MESSAGE = '{MSG_LINES}', ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO s FROM {VOUCHER} WHERE id = NEW.voucher_id FOR SHARE;
        IF s IS DISTINCT FROM 'draft' AND NOT (TG_OP = 'INSERT' AND {restoring}) THEN
            RAISE EXCEPTION USING MESSAGE = '{MSG_LINES}', ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;
""",
        f'DROP TRIGGER IF EXISTS accounting_voucher_guard ON "{VOUCHER}"',
        f'CREATE TRIGGER accounting_voucher_guard BEFORE INSERT OR UPDATE OR DELETE ON "{VOUCHER}" '
        "FOR EACH ROW EXECUTE FUNCTION accounting_voucher_guard()",
        f'DROP TRIGGER IF EXISTS accounting_line_guard ON "{LINE}"',
        f'CREATE TRIGGER accounting_line_guard BEFORE INSERT OR UPDATE OR DELETE ON "{LINE}" '
        "FOR EACH ROW EXECUTE FUNCTION accounting_line_guard()",
    ]


def install_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return _sqlite()
    if vendor == "postgresql":
        return _pg()
    return []


def remove_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {n}" for n in SQLITE_NAMES]
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS accounting_voucher_guard ON "{VOUCHER}"',
            f'DROP TRIGGER IF EXISTS accounting_line_guard ON "{LINE}"',
        ]
    return []


def reinstall(apps, schema_editor):
    """Put the current guards in place of those installed before (a migration that changes
    them)."""
    vendor = schema_editor.connection.vendor
    for sql in [*remove_sql(vendor), *install_sql(vendor)]:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    for sql in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in remove_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def missing(connection=None) -> list[str]:
    """The guard triggers that should be there and are not (SQLite drops a table's triggers
    when a migration rebuilds it)."""
    from django.db import connection as default

    connection = connection or default
    vendor = connection.vendor
    with connection.cursor() as cur:
        if vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = SQLITE_NAMES
        elif vendor == "postgresql":
            cur.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = PG_NAMES
        else:
            return []
        present = {row[0] for row in cur.fetchall()}
    return [n for n in expected if n not in present]
