"""Inserting many new rows at once, for imports and generated rows: what `bulk_create` does for
models of plain concrete fields, without its per-cell SQL compilation. Values are converted a
column at a time (a cell of the Python type the database takes as it is goes through untouched),
the primary keys are allocated up front, and the rows go in by COPY on PostgreSQL and
`executemany` on SQLite. At 100,000 rows Django's compiler cost several times the insert itself
(docs/performance.md)."""

from __future__ import annotations

from django.db import connections, models, router, transaction
from django.utils import timezone

# Field classes whose cells the drivers take as they are when the value already has the type.
_PASS_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
)
_PASS_TYPES = frozenset({str, int, bool, type(None)})


def _plain_model(model) -> bool:
    opts = model._meta
    if opts.parents or opts.proxy:
        return False  # multi-table inheritance: bulk_create's own rules apply
    if not isinstance(opts.pk, (models.AutoField, models.BigAutoField, models.SmallAutoField)):
        return False
    return all(
        f.primary_key or not (getattr(f, "generated", False) or f.db_returning)
        for f in opts.concrete_fields
    )


# Below this many rows bulk_create is as quick (one statement) and takes fewer queries.
FAST_FROM = 200


def _fast(alias: str, model, n: int) -> bool:
    return (
        n >= FAST_FROM
        and connections[alias].vendor in ("postgresql", "sqlite")
        and _plain_model(model)
    )


def _auto_now(f) -> bool:
    return bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))


def insert(model, objs: list, *, using: str | None = None) -> list:
    """Insert `objs` (new instances of `model`); each gets its primary key and is marked saved,
    as with `bulk_create`. No save(), no signals (the same as bulk_create). Falls back to
    bulk_create for what this does not handle."""
    if not objs:
        return objs
    alias = using or router.db_for_write(model)
    if not _fast(alias, model, len(objs)):
        return model.objects.using(alias).bulk_create(objs, batch_size=1000)
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if _auto_now(f):
            for obj in objs:
                setattr(obj, f.attname, now)
    for f in fields:
        if f.is_relation and f.many_to_one:
            # As bulk_create: a related row assigned before it was saved lends its id now.
            for obj in objs:
                if getattr(obj, f.attname) is None and f.is_cached(obj):
                    related = f.get_cached_value(obj)
                    if related is not None and related.pk is not None:
                        setattr(obj, f.attname, related.pk)
    columns = {f.attname: [getattr(obj, f.attname) for obj in objs] for f in fields}
    first = objs[0] if connections[alias].vendor == "sqlite" else None
    ids = _insert(model, alias, columns, len(objs), now, first=first)
    for obj, id_ in zip(objs, ids, strict=True):
        obj.pk = id_
        obj._state.adding = False
        obj._state.db = alias
    return objs


def insert_columns(model, columns: dict[str, list], *, using: str | None = None) -> int:
    """Insert rows given column by column ({attname: values}, all of one length); fields left
    out take their default. Builds no model instance (the change records of an import)."""
    n = len(next(iter(columns.values()))) if columns else 0
    if not n:
        return 0
    alias = using or router.db_for_write(model)
    if not _fast(alias, model, n):
        objs = [
            model(**dict(zip(columns, row, strict=True)))
            for row in zip(*columns.values(), strict=True)
        ]
        model.objects.using(alias).bulk_create(objs, batch_size=1000)
        return n
    now = timezone.now()
    full = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname in columns:
            full[f.attname] = columns[f.attname]
        elif _auto_now(f):
            full[f.attname] = [now] * n
        else:
            full[f.attname] = [f.get_default()] * n
    first = None
    if connections[alias].vendor == "sqlite":
        first = model(**{a: v[0] for a, v in full.items()})
    _insert(model, alias, full, n, now, first=first)
    return n


def _insert(model, alias, columns: dict[str, list], n: int, now, *, first=None) -> list[int]:
    """The insert itself; `first` (SQLite) is the first row as an instance, inserted the
    ordinary way to take the database's write lock and learn the first id."""
    connection = connections[alias]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    names = [opts.pk.column, *(f.column for f in fields)]
    table = connection.ops.quote_name(opts.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in names)
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, n],
            )
            ids = [r[0] for r in cursor.fetchall()]
            done = 0
        else:
            # The first row takes SQLite's one write lock for the rest of the transaction: no
            # other writer can take the ids that follow it.
            model.objects.using(alias).bulk_create([first])
            ids = list(range(first.pk, first.pk + n))
            done = 1
        cols: list[list] = [ids]
        for f in fields:
            values = columns[f.attname]
            prep = f.get_db_prep_save
            if _auto_now(f):
                cols.append([prep(now, connection=connection)] * n)  # one instant for all
            elif isinstance(f, _PASS_FIELDS):
                cols.append(
                    [
                        v if type(v) in _PASS_TYPES else prep(v, connection=connection)
                        for v in values
                    ]
                )
            else:
                cols.append([prep(v, connection=connection) for v in values])
        rows = list(zip(*cols, strict=True))
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608 - quoted names
            cursor.executemany(sql, rows[done:])
    return ids
