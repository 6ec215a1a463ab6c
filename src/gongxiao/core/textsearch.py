"""Substring search at a million rows (issue 21, item 5): an index of the overlapping character
pairs (bigrams) of every ledger's search fields, so that a two-character Chinese word (整改,
资产) is found inside any text without reading the whole table.

A row whose field holds the words holds every pair of characters of the words, so "the row's
pairs include the words' pairs" is a necessary condition of the `icontains` the search asks;
the index finds the rows that meet it, and the `icontains` itself still decides. The rows are
therefore exactly those `icontains` gives: the index only narrows what is read.

- PostgreSQL: `gx_bigrams(text)`, an IMMUTABLE SQL function (migration core/0010) giving the
  distinct pairs of `upper(text)` (Django's `icontains` compares `UPPER(col) LIKE UPPER(...)`),
  and one GIN expression index per table over the pairs of its search fields. Nothing to keep
  in sync: the database maintains an expression index itself.
- SQLite: an FTS5 table per ledger table whose document is the row's pairs (each written as a
  token of hexadecimal code points; ASCII letters folded as SQLite's LIKE folds them, nothing
  else), plus three plain triggers (no application function in them, so a write from the
  sqlite3 console fires them too) that put the id of each inserted, changed or deleted row in
  `gx_search_dirty`. A search asks the FTS table *or* that queue, so a row written since the
  index was brought up to date is never missed; the queue is worked off into the FTS table by
  the daily job, by `gongxiao search_index`, and by a search that finds it long.

Declared once: every ledger whose `search_fields` are all text fields of its own table gets
the index (`specs()`); a ledger that searches through a relation (`unit__name`, `lines__summary`)
stays on `icontains` alone. `sync()` runs after every `migrate` (and from `gongxiao
search_index`): it creates what is missing and rebuilds an index whose fields changed (or, on
SQLite, whose triggers a migration's table rebuild dropped).

The common word. A word in half the rows is better served by the plain scan: the list walks
its newest-first index and stops after a page, its capped count after 10,001 matches, where the
index would hand over every one of the matches first. Each query therefore asks first how many
rows the index would give (SQLite: the FTS table with a limit; PostgreSQL: the planner's
statistics of the index) and takes the index only below `THRESHOLD`.
"""

# ruff: noqa: S608, S611 - the SQL names only tables and columns of the ledgers' own models
# (from their metadata, never from a request); the words always go as parameters.
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.db import connections, models, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.utils import DatabaseError

log = logging.getLogger(__name__)

# Above this many candidate rows the scan is at least as fast (see the module's docstring and
# docs/performance.md for the measure behind the figure).
THRESHOLD = 40_000
# Off: every search is the plain `icontains` scan (the benchmarks compare the two).
ENABLED = True
# A search that finds more queued rows than this for a table works them off first.
FLUSH_AT = 500
BATCH = 5_000
DIRTY = "gx_search_dirty"
META = "gx_search_meta"

# The default COST (100) on purpose: it makes every plan that would call the function row by
# row (a walk of another index filtered by it) look dear, so the planner reads the GIN index.
# A lower COST (5 was tried) let it walk the primary key for "no row holds these words" and
# call the function on 800,000 rows (seconds); the price of 100 is that a few-hundred-row
# bitmap scan is sometimes split over parallel workers (10-25 ms of start-up).
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION gx_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(s.u, i, 2)), '{}'::text[])
    FROM (SELECT upper(t) AS u) AS s, generate_series(1, length(s.u) - 1) AS i
$$
"""

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


@dataclass(frozen=True)
class Spec:
    """The index of one table: its name and the text columns it covers."""

    model: type[models.Model]
    table: str
    pk: str
    columns: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(",".join(self.columns).encode()).hexdigest()[:8]

    @property
    def name(self) -> str:
        return f"gxs_{self.table[:44]}_{self.fingerprint}"

    @property
    def fts(self) -> str:
        return f"gxs_{self.table}"

    def pg_expression(self) -> str:
        t = self.table
        return " || ".join(f'gx_bigrams("{t}"."{c}")' for c in self.columns)


# --- which tables ----------------------------------------------------------------------------


def _local_text_columns(ledger) -> list[str] | None:
    """The columns of the ledger's own table its search fields are, or None when one of them is
    not a text column there (a path through a relation, a number)."""
    if not ledger.search_fields:
        return None
    table = ledger.model._meta.db_table
    columns = []
    for name in ledger.search_fields:
        if "__" in name:
            return None
        try:
            field = ledger.model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - not a model field: no index
            return None
        if not isinstance(field, (models.CharField, models.TextField)) or field.many_to_many:
            return None
        if field.model._meta.db_table != table:  # inherited from a parent table
            return None
        columns.append(str(field.column))
    return columns


_declared: list = []
_specs: dict[str, Spec] | None = None


def declare(ledger) -> None:
    """Called by the registry (core/ledgers.register) for each ledger."""
    global _specs
    _declared.append(ledger)
    _specs = None


def specs() -> dict[str, Spec]:
    """The indexed tables, by table name: the union of the search columns of the ledgers kept
    in that table (any of them is then a necessary condition for each ledger's search)."""
    global _specs
    if _specs is None:
        found: dict[str, tuple[type[models.Model], set[str]]] = {}
        for ledger in _declared:
            columns = _local_text_columns(ledger)
            if not columns or not ledger.model._meta.managed:
                continue
            model = ledger.model._meta.concrete_model or ledger.model
            found.setdefault(model._meta.db_table, (model, set()))[1].update(columns)
        _specs = {
            t: Spec(m, t, str(m._meta.pk.column), tuple(sorted(cols)))
            for t, (m, cols) in found.items()
        }
    return _specs


def spec_for(model, fields) -> Spec | None:
    spec = specs().get(model._meta.db_table)
    if spec is None:
        return None
    columns = []
    for name in fields:
        if "__" in name:
            return None
        try:
            columns.append(model._meta.get_field(name).column)
        except Exception:  # noqa: BLE001
            return None
    return spec if set(columns) <= set(spec.columns) else None


# --- the pairs -------------------------------------------------------------------------------


def sqlite_tokens(text: str | None) -> set[str]:
    """The FTS tokens of a text on SQLite: each distinct pair of characters, ASCII letters
    lower-cased (SQLite's LIKE folds those only), written as two hexadecimal code points."""
    if not text:
        return set()
    s = text.translate(_ASCII_LOWER)
    return {f"{ord(s[i]):x}x{ord(s[i + 1]):x}" for i in range(len(s) - 1)}


def _document(values) -> str:
    tokens: set[str] = set()
    for v in values:
        tokens |= sqlite_tokens(v)
    return " ".join(sorted(tokens))


# --- the query -------------------------------------------------------------------------------


def icontains_q(fields, words: str) -> Q:
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": words})
    return q


def filter_words(qs: QuerySet, fields, words: str) -> QuerySet:
    """`qs` narrowed to the rows where one of `fields` holds `words` (case folded as
    `icontains` folds it), through the bigram index when the words have a pair, the table has
    the index and the index would give few enough rows; the same rows either way."""
    plain = qs.filter(icontains_q(fields, words))
    if len(words) < 2 or not ENABLED:
        return plain
    spec = spec_for(qs.model, fields)
    if spec is None:
        return plain
    connection = connections[qs.db]
    try:
        narrow = _narrowing(connection, spec, words)
    except DatabaseError:  # an index not built yet (a database not migrated since): the scan
        log.warning("search index of %s unavailable", spec.table, exc_info=True)
        return plain
    return plain if narrow is None else plain.filter(narrow)


def nothing_matches(model, fields, words: str, using: str = "default") -> bool:
    """True only when the index shows that no row of `model` can hold `words` in `fields`
    (then a caller may skip building the query at all: the cross-module search asks this of
    each ledger). False whenever it cannot tell."""
    spec = spec_for(model, fields) if len(words) >= 2 and ENABLED else None
    if spec is None:
        return False
    connection = connections[using]
    try:
        if connection.vendor == "sqlite":
            hits, queued = _sqlite_counts(connection, spec, words, THRESHOLD)
            if hits or queued > THRESHOLD:
                return False
            # Rows written since: asked directly (only whether one holds the words).
            return not (
                queued
                and model._base_manager.using(using)
                .filter(pk__in=RawSQL(f"SELECT row_id FROM {DIRTY} WHERE tbl = %s", [spec.table]))
                .filter(icontains_q(fields, words))
                .exists()
            )
        if connection.vendor == "postgresql":
            if _pg_estimate(connection, spec, _pg_pairs(words)) > THRESHOLD:
                return False  # a common word: the planner might read rows to answer
            with connection.cursor() as c:
                c.execute(
                    f'SELECT NOT EXISTS (SELECT 1 FROM "{spec.table}" '
                    f"WHERE ({spec.pg_expression()}) @> gx_bigrams(%s))",
                    [words],
                )
                return bool(c.fetchone()[0])
    except DatabaseError:
        log.warning("search index of %s unavailable", spec.table, exc_info=True)
    return False


def plan(qs: QuerySet, fields, words: str) -> str:
    """Which way `filter_words` goes for these words: "index" or "scan" (for the benchmarks
    and the tests)."""
    spec = spec_for(qs.model, fields)
    if len(words) < 2 or spec is None or not ENABLED:
        return "scan"
    return "index" if _narrowing(connections[qs.db], spec, words) is not None else "scan"


def _narrowing(connection, spec: Spec, words: str):
    if connection.vendor == "postgresql":
        return _pg_narrowing(connection, spec, words)
    if connection.vendor == "sqlite":
        return _sqlite_narrowing(connection, spec, words)
    return None


def _match(words: str) -> str:
    return " AND ".join(f'"{t}"' for t in sorted(sqlite_tokens(words)))


def _sqlite_counts(connection, spec: Spec, words: str, limit: int) -> tuple[int, int]:
    """How many rows the FTS table gives for `words`, and how many wait in the queue (each
    counted up to `limit` + 1)."""
    with connection.cursor() as c:
        c.execute(
            f'SELECT (SELECT count(*) FROM (SELECT rowid FROM "{spec.fts}" '
            f'WHERE "{spec.fts}" MATCH %s LIMIT %s)), '
            f"(SELECT count(*) FROM (SELECT 1 FROM {DIRTY} WHERE tbl = %s LIMIT %s))",
            [_match(words), limit + 1, spec.table, limit + 1],
        )
        hits, queued = c.fetchone()
    return hits, queued


def _sqlite_narrowing(connection, spec: Spec, words: str):
    match = _match(words)
    hits, queued = _sqlite_counts(connection, spec, words, THRESHOLD)
    if queued > FLUSH_AT:
        flush(spec, using=connection.alias)
    if hits > THRESHOLD or queued > THRESHOLD:
        return None
    sql = (
        f'SELECT rowid FROM "{spec.fts}" WHERE "{spec.fts}" MATCH %s '
        f"UNION ALL SELECT row_id FROM {DIRTY} WHERE tbl = %s"
    )
    return Q(pk__in=RawSQL(sql, [match, spec.table]))


# PostgreSQL: the planner's own statistics of the index (ANALYZE keeps, for an expression
# index, the most common elements of the arrays and their frequencies), read once a while.
_pg_stats: dict[tuple[str, str], tuple[float, dict[str, float], float, float]] = {}
PG_STATS_SECONDS = 300


def _pg_estimate(connection, spec: Spec, pairs) -> float:
    key = (connection.settings_dict["NAME"], spec.name)
    now = time.monotonic()
    cached = _pg_stats.get(key)
    if cached is None or now - cached[0] > PG_STATS_SECONDS:
        with connection.cursor() as c:
            c.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [spec.table])
            row = c.fetchone()
            rows = max(float(row[0]) if row else 0.0, 0.0)
            c.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs "
                "FROM pg_stats WHERE tablename = %s",
                [spec.name],
            )
            stat = c.fetchone()
        freqs = dict(zip(stat[0], stat[1], strict=False)) if stat and stat[0] else {}
        # An element not among the most common is rarer than the rarest that is.
        floor = min(freqs.values()) if freqs else 0.0
        cached = (now, freqs, floor, rows)
        _pg_stats[key] = cached
    _t, freqs, floor, rows = cached
    return min(freqs.get(p, floor) for p in pairs) * rows


def _pg_pairs(words: str) -> set[str]:
    # The estimate only decides the way, never the rows: Python's upper() is near enough to
    # the database's here (the condition itself is the database's gx_bigrams).
    u = words.upper()
    return {u[i : i + 2] for i in range(len(u) - 1)}


def _pg_narrowing(connection, spec: Spec, words: str):
    pairs = _pg_pairs(words)
    if not pairs or _pg_estimate(connection, spec, pairs) > THRESHOLD:
        return None
    return RawSQL(
        f"({spec.pg_expression()}) @> gx_bigrams(%s)", [words], output_field=BooleanField()
    )


# --- keeping the index -----------------------------------------------------------------------


def install_sql(vendor: str) -> list[str]:
    """What migration core/0010 installs: the function (PostgreSQL), the queue and the record
    of what each FTS table covers (SQLite)."""
    if vendor == "postgresql":
        return [PG_FUNCTION]
    if vendor == "sqlite":
        return [
            f"CREATE TABLE IF NOT EXISTS {DIRTY} (tbl TEXT NOT NULL, row_id INTEGER NOT NULL, "
            "PRIMARY KEY (tbl, row_id)) WITHOUT ROWID",
            f"CREATE TABLE IF NOT EXISTS {META} (tbl TEXT PRIMARY KEY, fingerprint TEXT NOT NULL)",
        ]
    return []


def remove_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["DROP FUNCTION IF EXISTS gx_bigrams(text) CASCADE"]
    if vendor == "sqlite":
        return [f"DROP TABLE IF EXISTS {DIRTY}", f"DROP TABLE IF EXISTS {META}"]
    return []


def derived(table: str) -> bool:
    """Whether `table` belongs to the search index (made from the rows, not data itself)."""
    return table.startswith(("gxs_", "gx_search_"))


def drop_all(connection) -> None:
    """Remove every per-table index (before the fixed parts go, migrating back)."""
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for (name,) in c.fetchall():
                if name.startswith("gxs_"):
                    c.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            for name, sql in c.fetchall():
                if name.startswith("gxs_") and (sql or "").startswith("CREATE VIRTUAL TABLE"):
                    c.execute(f'DROP TABLE IF EXISTS "{name}"')
        elif connection.vendor == "postgresql":
            c.execute("SELECT indexname FROM pg_indexes")
            for (name,) in c.fetchall():
                if name.startswith("gxs_"):
                    c.execute(f'DROP INDEX IF EXISTS "{name}"')


def _triggers(spec: Spec) -> dict[str, str]:
    t, pk = spec.table, spec.pk
    enqueue = f"INSERT OR IGNORE INTO {DIRTY} (tbl, row_id) VALUES ('{t}', "
    cols = ", ".join(f'"{c}"' for c in spec.columns)
    return {
        f"gxs_{t}_ai": f'AFTER INSERT ON "{t}" BEGIN {enqueue}NEW."{pk}"); END',
        f"gxs_{t}_au": f'AFTER UPDATE OF {cols} ON "{t}" BEGIN {enqueue}NEW."{pk}"); END',
        f"gxs_{t}_ad": f'AFTER DELETE ON "{t}" BEGIN {enqueue}OLD."{pk}"); END',
    }


def sync(using: str = "default", *, rebuild: bool = False, say=None) -> list[str]:
    """Create the missing indexes, rebuild those whose columns changed (or every one when
    `rebuild`); return the tables (re)built."""
    connection = connections[using]
    say = say or (lambda m: None)
    tables = set(connection.introspection.table_names())
    if not _installed(connection, tables):  # migrated back before core/0010
        return []
    done = []
    for spec in specs().values():
        if spec.table not in tables:
            continue
        if connection.vendor == "postgresql":
            if _pg_sync(connection, spec, rebuild):
                done.append(spec.table)
        elif connection.vendor == "sqlite":
            if _sqlite_sync(connection, spec, rebuild, tables):
                done.append(spec.table)
        else:
            continue
        if done and done[-1] == spec.table:
            say(f"search index of {spec.table} built")
    return done


def _installed(connection, tables) -> bool:
    if connection.vendor == "sqlite":
        return DIRTY in tables and META in tables
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT 1 FROM pg_proc WHERE proname = 'gx_bigrams'")
            return c.fetchone() is not None
    return False


def _pg_sync(connection, spec: Spec, rebuild: bool) -> bool:
    with connection.cursor() as c:
        c.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
            [spec.table, "gxs\\_%"],
        )
        present = {r[0] for r in c.fetchall()}
        for old in present - {spec.name}:
            c.execute(f'DROP INDEX IF EXISTS "{old}"')
        if spec.name in present and not rebuild:
            return False
        # Deferred foreign-key checks of the same transaction would refuse the CREATE INDEX.
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute(f'DROP INDEX IF EXISTS "{spec.name}"')
        c.execute(
            f'CREATE INDEX "{spec.name}" ON "{spec.table}" USING gin (({spec.pg_expression()}))'
        )
    return True


def _sqlite_sync(connection, spec: Spec, rebuild: bool, tables: set[str]) -> bool:
    triggers = _triggers(spec)
    with connection.cursor() as c:
        c.execute(f"SELECT fingerprint FROM {META} WHERE tbl = %s", [spec.table])
        row = c.fetchone()
        c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [spec.table],
        )
        present = {r[0] for r in c.fetchall()}
    fresh = (
        not rebuild
        and row is not None
        and row[0] == spec.fingerprint
        and set(triggers) <= present
        and spec.fts in tables
    )
    if fresh:
        return False
    with transaction.atomic(using=connection.alias), connection.cursor() as c:
        for name in triggers:
            c.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        c.execute(f'DROP TABLE IF EXISTS "{spec.fts}"')
        c.execute(
            f'CREATE VIRTUAL TABLE "{spec.fts}" USING fts5(pairs, detail=none, columnsize=0, '
            "tokenize='ascii')"
        )
        for name, sql in triggers.items():
            c.execute(f'CREATE TRIGGER "{name}" {sql}')
        c.execute(f"DELETE FROM {DIRTY} WHERE tbl = %s", [spec.table])
        _fill(c, spec, None)
        c.execute(
            f"INSERT OR REPLACE INTO {META} (tbl, fingerprint) VALUES (%s, %s)",
            [spec.table, spec.fingerprint],
        )
    return True


def _fill(cursor, spec: Spec, ids) -> None:
    """Write the documents of the rows `ids` (every row when None) into the FTS table."""
    cols = ", ".join(f'"{c}"' for c in spec.columns)
    base = f'SELECT "{spec.pk}", {cols} FROM "{spec.table}"'
    raw = cursor.connection  # the sqlite3 connection: a server-side walk over a million rows
    if ids is None:
        rows = raw.execute(base)
    else:
        rows = raw.execute(
            f'{base} WHERE "{spec.pk}" IN (SELECT value FROM json_each(?))',
            ["[" + ",".join(str(int(i)) for i in ids) + "]"],
        )
    insert = f'INSERT INTO "{spec.fts}" (rowid, pairs) VALUES (?, ?)'
    while True:
        chunk = rows.fetchmany(BATCH)
        if not chunk:
            break
        raw.executemany(insert, [(r[0], _document(r[1:])) for r in chunk])


def flush(spec: Spec, using: str = "default", limit: int = 50_000) -> int:
    """Work queued rows of `spec`'s table into its FTS table; the number done. A database
    busy with another writer is left for the next time (the queue keeps the search right)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    try:
        with transaction.atomic(using=using), connection.cursor() as c:
            c.execute(
                f"SELECT row_id FROM {DIRTY} WHERE tbl = %s ORDER BY row_id LIMIT %s",
                [spec.table, limit],
            )
            ids = [r[0] for r in c.fetchall()]
            if not ids:
                return 0
            listed = "[" + ",".join(str(i) for i in ids) + "]"
            c.execute(
                f'DELETE FROM "{spec.fts}" WHERE rowid IN (SELECT value FROM json_each(%s))',
                [listed],
            )
            _fill(c, spec, ids)
            c.execute(
                f"DELETE FROM {DIRTY} WHERE tbl = %s AND row_id IN "
                "(SELECT value FROM json_each(%s))",
                [spec.table, listed],
            )
    except DatabaseError:
        log.info("search queue of %s left for later", spec.table, exc_info=True)
        return 0
    return len(ids)


def flush_all(using: str = "default", **kwargs) -> int:
    done = 0
    for spec in specs().values():
        while n := flush(spec, using=using):
            done += n
    return done


def daily(today=None) -> str:
    """The daily job: work off the queue of rows written since the index was brought up."""
    return f"{flush_all()} rows indexed"


def on_post_migrate(sender, using="default", plan=None, **kwargs) -> None:
    """After `migrate` (and the test database's creation): indexes for every ledger."""
    sync(using)
