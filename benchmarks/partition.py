"""The national plan's partitioning, measured (docs/deployment.md, "The national plan"): the
rectification items of a bench database copied into a scratch PostgreSQL database twice, once as
they are (one table, the same indexes) and once declaratively partitioned the way the plan says,
by LIST on the province (its unit path prefix, a column the rows carry) and within a province by
RANGE on the business date's year; then the list's first page, the filtered list, a county's
count of a year and the roll-up, each as EXPLAIN ANALYZE on both, with the partitions each plan
touched (pruning).

    python benchmarks/partition.py --source postgres://postgres@127.0.0.1:5432/gongxiao_bench
    scripts/bench --db postgres --only partition      # the same, on the bench's own database

The source is only read (COPY out); the scratch database is dropped at the end (--keep keeps it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

ITEMS = "rectification_rectificationitem"
UNITS = "org_unit"
STEP = 9  # a path step: 8 digits and "/" (org.models.PATH_STEP + 1)
OTHER_PROVINCES = 30  # empty partitions standing for the rest of the country (31 in all)
YEARS = (2024, 2025, 2026)
YEAR = 2025
PAGE = 50
COUNT_CAP = 10_001  # the list counts up to this (core's paginator), as the page's SQL does


@dataclass
class Measure:
    name: str
    plain_ms: float
    part_ms: float
    partitions: str  # leaf partitions the partitioned plan read, of how many


def _columns(conn, table: str) -> list[tuple[str, str, bool]]:
    return conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [table],
    ).fetchall()


def _index_columns(conn, table: str) -> list[str]:
    """The column lists of the table's indexes (the primary key apart), e.g. 'unit_id, status'
    or 'path varchar_pattern_ops'."""
    rows = conn.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
        [table],
    ).fetchall()
    return [d.split(" USING btree (", 1)[1].rstrip(")") for (d,) in rows if "USING btree (" in d]


def _copy(src, dst, select: str, table: str) -> int:
    n = 0
    with (
        src.cursor().copy(f"COPY ({select}) TO STDOUT (FORMAT BINARY)") as out,
        dst.cursor().copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as into,
    ):
        for block in out:
            into.write(block)
            n += 1
    return n


def build(source: str, scratch: str, say=print) -> dict:
    """Make the scratch database: org_unit, items_plain (the table as it is) and items_part
    (partitioned), with the same indexes; return what was built."""
    base, name = scratch.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    t0 = time.perf_counter()
    with psycopg.connect(source) as src, psycopg.connect(scratch, autocommit=True) as dst:
        item_cols = _columns(src, ITEMS)
        unit_cols = _columns(src, UNITS)

        def ddl(cols):
            return ", ".join(f'"{c}" {t}{" NOT NULL" if notnull else ""}' for c, t, notnull in cols)

        dst.execute(f"CREATE TABLE org_unit ({ddl(unit_cols)}, PRIMARY KEY (id))")
        _copy(src, dst, f"SELECT * FROM {UNITS}", "org_unit")
        for i, cols in enumerate(_index_columns(src, UNITS)):
            dst.execute(f"CREATE INDEX org_unit_{i} ON org_unit ({cols})")
        # As it is: one table, its primary key on id, its indexes.
        dst.execute(f"CREATE TABLE items_plain ({ddl(item_cols)}, PRIMARY KEY (id))")
        _copy(src, dst, f"SELECT * FROM {ITEMS}", "items_plain")
        indexes = _index_columns(src, ITEMS)
        for i, cols in enumerate(indexes):
            dst.execute(f"CREATE INDEX items_plain_{i} ON items_plain ({cols})")
        say(f"  copied {dst.execute('SELECT count(*) FROM items_plain').fetchone()[0]:,} items")
        # Partitioned: the province (the root unit's path) is a column of the row; the primary
        # key has to include every partition key.
        provinces = [
            p for (p,) in dst.execute("SELECT path FROM org_unit WHERE depth = 0 ORDER BY path")
        ]
        others = [f"9{n:07d}/" for n in range(OTHER_PROVINCES)]
        dst.execute(
            f"CREATE TABLE items_part ({ddl(item_cols)}, province varchar({STEP}) NOT NULL, "
            "PRIMARY KEY (id, province, found_date)) PARTITION BY LIST (province)"
        )
        for n, path in enumerate([*provinces, *others]):
            p = f"items_part_p{n:02d}"
            dst.execute(
                f"CREATE TABLE {p} PARTITION OF items_part FOR VALUES IN ('{path}') "
                "PARTITION BY RANGE (found_date)"
            )
            for y in YEARS:
                dst.execute(
                    f"CREATE TABLE {p}_{y} PARTITION OF {p} "
                    f"FOR VALUES FROM ('{y}-01-01') TO ('{y + 1}-01-01')"
                )
            dst.execute(f"CREATE TABLE {p}_other PARTITION OF {p} DEFAULT")
        cols = ", ".join(f'i."{c}"' for c, _t, _n in item_cols)
        dst.execute(
            f"INSERT INTO items_part SELECT {cols}, substr(u.path, 1, {STEP}) "
            "FROM items_plain i JOIN org_unit u ON u.id = i.unit_id"
        )
        for i, cols in enumerate(indexes):  # on the parent: every partition gets its own
            dst.execute(f"CREATE INDEX items_part_{i} ON items_part ({cols})")
        dst.execute("ANALYZE")
        leaves = dst.execute(
            "SELECT count(*) FROM pg_partition_tree('items_part') WHERE isleaf"
        ).fetchone()[0]
    return {"provinces": provinces, "leaves": leaves, "seconds": time.perf_counter() - t0}


def _relations(plan: dict) -> set[str]:
    found = set()
    if "Relation Name" in plan:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= _relations(child)
    return found


def _explain(conn, query: str, params: list, repeat: int) -> tuple[float, set[str]]:
    times, rels = [], set()
    conn.execute(query, params).fetchall()  # warm the cache
    for _ in range(repeat):
        (out,) = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params).fetchone()
        doc = out[0] if isinstance(out, list) else json.loads(out)[0]
        times.append(doc["Execution Time"])
        rels = _relations(doc["Plan"])
    return statistics.median(times), rels


def queries(province: str, county: str) -> list[tuple[str, str, list]]:
    """(name, SQL with {t} for the table and {p} for the province condition, parameters): the
    shapes the pages send (the list's capped count and its page, a count, the roll-up)."""
    start, end = f"{YEAR}-01-01", f"{YEAR}-12-31"
    scoped = "FROM {t} i JOIN org_unit u ON u.id = i.unit_id WHERE u.path LIKE %s {p}"
    page = f"ORDER BY i.found_date DESC, i.id DESC LIMIT {PAGE}"
    filtered = "AND i.status = 'closed' AND i.category = 'finance'"
    return [
        (
            "list, first page (capped count + page)",
            f"SELECT (SELECT count(*) FROM (SELECT i.id {scoped} LIMIT {COUNT_CAP}) s), "
            f"(SELECT array_agg(id) FROM (SELECT i.id, u.path {scoped} {page}) r)",
            [province + "%", province + "%"],
        ),
        (
            "list, filtered (status + category)",
            f"SELECT (SELECT count(*) FROM (SELECT i.id {scoped} {filtered} LIMIT {COUNT_CAP}) s),"
            f" (SELECT array_agg(id) FROM (SELECT i.id, u.path {scoped} {filtered} {page}) r)",
            [province + "%", province + "%"],
        ),
        (
            f"one county's count of {YEAR}",
            f"SELECT count(*) {scoped} AND i.found_date BETWEEN %s AND %s",
            [county + "%", start, end],
        ),
        (
            f"roll-up of {YEAR} by city (GROUP BY)",
            f"SELECT substr(u.path, 1, {2 * STEP}), count(*) {scoped} "
            "AND i.found_date BETWEEN %s AND %s GROUP BY 1",
            [province + "%", start, end],
        ),
    ]


def measure(scratch: str, province: str, repeat: int = 5) -> list[Measure]:
    results = []
    with psycopg.connect(scratch, autocommit=True) as conn:
        county = conn.execute(
            "SELECT path FROM org_unit WHERE depth = 2 AND path LIKE %s ORDER BY path LIMIT 1",
            [province + "%"],
        ).fetchone()[0]
        leaves = conn.execute(
            "SELECT count(*) FROM pg_partition_tree('items_part') WHERE isleaf"
        ).fetchone()[0]
        for name, shape, params in queries(province, county):
            plain_sql = shape.format(t="items_plain", p="")
            part_sql = shape.format(t="items_part", p=f"AND i.province = '{province}'")
            plain_ms, _r = _explain(conn, plain_sql, params, repeat)
            part_ms, rels = _explain(conn, part_sql, params, repeat)
            if conn.execute(plain_sql, params).fetchall() != conn.execute(
                part_sql, params
            ).fetchall() and not name.startswith("roll-up"):
                raise RuntimeError(f"{name}: the partitioned copy answers differently")
            read = sorted(r for r in rels if r.startswith("items_part_"))
            results.append(Measure(name, plain_ms, part_ms, f"{len(read)} of {leaves}"))
        # The roll-up's groups compared as sets (GROUP BY gives no order).
        _n, shape, params = queries(province, county)[3]
        a = sorted(conn.execute(shape.format(t="items_plain", p=""), params).fetchall())
        b = sorted(
            conn.execute(
                shape.format(t="items_part", p=f"AND i.province = '{province}'"), params
            ).fetchall()
        )
        if a != b:
            raise RuntimeError("the roll-up of the partitioned copy differs")
    return results


def drop(scratch: str) -> None:
    base, name = scratch.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def run(source: str, scratch: str | None = None, repeat: int = 5, keep: bool = False, say=print):
    scratch = scratch or source + "_partition"
    built = build(source, scratch, say)
    try:
        return built, measure(scratch, built["provinces"][0], repeat)
    finally:
        if not keep:
            drop(scratch)


def table(built: dict, results: list[Measure]) -> str:
    out = (
        f"Partitioned copy: {len(built['provinces'])} province with rows + {OTHER_PROVINCES} "
        f"empty, each by year {YEARS[0]}–{YEARS[-1]} + default: {built['leaves']} leaf "
        f"partitions (built in {built['seconds']:.0f} s). EXPLAIN ANALYZE execution time, "
        "median.\n\n| query | one table | partitioned | ratio | partitions read |\n"
        "|---|---|---|---|---|\n"
    )
    for m in results:
        out += (
            f"| {m.name} | {m.plain_ms:.1f} ms | {m.part_ms:.1f} ms | "
            f"{m.part_ms / m.plain_ms:.2f}× | {m.partitions} |\n"
        )
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", default="postgres://postgres@127.0.0.1:5432/gongxiao_bench", help="read only"
    )
    parser.add_argument("--scratch", help="default: the source's name + _partition")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    built, results = run(args.source, args.scratch, args.repeat, args.keep)
    print(table(built, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
