"""The metric registry: named figures computed from ledgers for (unit subtree, period), each
knowing its label, measure unit and the rows behind it. Apps declare theirs in metrics.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.db.models.aggregates import AggregateFilter  # type: ignore[attr-defined]
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _

from gongxiao.core import quantities, scoping
from gongxiao.core.periods import Period
from gongxiao.core.quantities import MeasureMismatch, Quantity

__all__ = ["MeasureMismatch", "Quantity"]

_metrics: dict[str, Metric] = {}


def _no_rows(user, unit, period) -> QuerySet:
    raise NotImplementedError  # replaced: a metric gives `rows`, or `model` and `where`


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    measure: str  # 条, 人次, %, 万元 …
    module: str
    # rows(user, unit, period) -> the scoped queryset of rows the figure counts. Declared
    # metrics (below) get it from their model and `where`.
    rows: Callable[..., QuerySet] = _no_rows
    # value(rows_queryset, user, unit, period) -> the figure; the row count by default.
    value: Callable[..., object] | None = None
    # The ledger whose list shows the rows, and the list filters that select them.
    ledger: str = ""
    link: Callable[..., dict] | None = None
    description: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)  # name -> field to group by
    # The path from a row to its Unit, for roll-ups over the tree.
    unit_field: str = "unit"
    # An aggregate (e.g. Sum("amount")) giving the figure from the rows in one query; with it, or
    # with no `value` at all (a count), the figure adds up over units and rolls up in one query.
    aggregate: object | None = None
    # The declarative form, which lets several figures over the same rows be computed in one
    # query (compute_many): the rows are `model`'s rows in reach within the unit's subtree
    # (base_rows) narrowed by where(unit, period) -> Q. A figure that is not a count or
    # `aggregate` of its rows (a rate) names the parts it is computed from, parts(unit,
    # period) -> {name: aggregate over the rows}, and combine(parts) -> the figure; its
    # `value` stays what compute() uses, and the tests hold both to the same figure.
    model: Any = None  # a LedgerModel
    where: Callable[..., Q] | None = None
    parts: Callable[..., dict] | None = None
    combine: Callable[[dict], object] | None = None

    def __post_init__(self):
        if self.where is not None:
            if self.model is None or self.rows is not _no_rows:
                raise ValueError(f"Metric {self.key}: `where` goes with `model` and no `rows`.")
            object.__setattr__(self, "rows", self._declared_rows)
        elif self.rows is _no_rows:
            raise ValueError(f"Metric {self.key} needs `rows`, or `model` and `where`.")
        if (self.parts is None) != (self.combine is None):
            raise ValueError(f"Metric {self.key}: `parts` and `combine` go together.")

    def _declared_rows(self, user, unit, period) -> QuerySet:
        return base_rows(self, user, unit).filter(_where(self, unit, period))

    @property
    def additive(self) -> bool:
        return self.value is None or self.aggregate is not None

    @property
    def batchable(self) -> bool:
        """Whether compute_many can take the figure together with others over its rows."""
        return self.where is not None and (self.value is None or self.parts is not None)


def _where(metric: Metric, unit, period) -> Q:
    assert metric.where is not None, metric.key
    return metric.where(unit, period)


def base_rows(metric: Metric, user, unit) -> QuerySet:
    """The rows a declared metric's figures are taken from: its model's rows in reach within
    `unit`'s subtree (all units when None). Figures with the same base share one query."""
    assert metric.model is not None
    qs = metric.model.objects.visible_to(user)
    if unit is None:
        return qs
    return qs.filter(scoping.subtree_q(metric.unit_field, unit))


@dataclass
class Figure:
    metric: Metric
    value: object
    rows: QuerySet
    url: str

    @property
    def quantity(self) -> Quantity:
        """The figure as a quantity in its metric's measure, to add to others only where the
        measures agree (core.quantities)."""
        value = self.value if self.value is not None else 0
        return Quantity(Decimal(str(value)), self.metric.measure)


def register_metric(metric: Metric) -> Metric:
    if metric.key in _metrics:
        raise RuntimeError(f"Metric {metric.key} is registered twice.")
    _metrics[metric.key] = metric
    return metric


def get_metric(key: str) -> Metric:
    return _metrics[key]


def all_metrics(user=None) -> list[Metric]:
    """Every metric, or those whose rows `user` may see."""
    metrics = list(_metrics.values())
    if user is None:
        return metrics
    return [m for m in metrics if scoping.can_any(user, m.module, "view")]


def compute(key: str, user, unit, period: Period, filters: dict | None = None) -> Figure:
    """The figure of `key` for `unit`'s subtree and `period`, as `user` may see it."""
    metric = _metrics[key]
    _check(metric, user)
    rows = metric.rows(user, unit, period)
    if filters:
        rows = rows.filter(**filters)
    return Figure(
        metric=metric,
        value=_value(metric, rows, user, unit, period),
        rows=rows,
        url=link(metric, unit, period, filters),
    )


def check_addable(keys: list[str], measure: str | None = None) -> str:
    """The measure a sum of the figures of `keys` is in (`measure`, or the first one's), or a
    MeasureMismatch naming two that do not add: 亩 and 亩次, 吨 and 件, any rate."""
    if not keys:
        raise ValueError("A total of no figures.")
    target = measure or _metrics[keys[0]].measure
    for key in keys:
        quantities.check_addable(target, _metrics[key].measure)
    return target


def total(
    keys: list[str], user, unit, period: Period, measure: str | None = None
) -> tuple[Quantity, list[Figure]]:
    """The sum of several figures, each converted to one measure (kg and t add as t), and the
    figures it adds; refused before anything is computed when their measures differ in kind.
    This is the one place figures of several metrics are added, so no report, table or later
    module can sum 亩 with 亩次."""
    target = check_addable(keys, measure)
    figures = [compute(k, user, unit, period) for k in keys]
    return quantities.total([f.quantity for f in figures], target), figures


@dataclass(frozen=True)
class Ref:
    """One figure asked of compute_many: a metric for a unit's subtree, a period, and filters
    (as sorted (path, value) pairs)."""

    key: str
    unit: object
    period: Period
    filters: tuple = ()

    @classmethod
    def of(cls, key: str, unit, period: Period, filters: dict | None = None) -> Ref:
        return cls(key, unit, period, tuple(sorted((filters or {}).items())))


def compute_many(refs, user) -> dict[Ref, Figure]:
    """The figures of `refs`, each the same as compute() gives it, in a few queries: the
    figures of declared metrics over the same base rows (same model, same unit subtree) are
    aggregated together, one conditional aggregate per figure and part (COUNT(*) FILTER (WHERE
    …)); the others are computed one by one. A figure the user may not see is left out (compute()
    says why)."""
    out: dict[Ref, Figure] = {}
    groups: dict[tuple, list[Ref]] = {}
    for ref in dict.fromkeys(refs):
        metric = _metrics[ref.key]
        if not scoping.can_any(user, metric.module, "view"):
            continue
        if not metric.batchable:
            out[ref] = compute(ref.key, user, ref.unit, ref.period, dict(ref.filters) or None)
            continue
        unit_pk = ref.unit.pk if ref.unit is not None else None
        groups.setdefault((metric.model, metric.unit_field, unit_pk), []).append(ref)
    for members in groups.values():
        first = _metrics[members[0].key]
        columns = _Columns()
        for i, ref in enumerate(members):
            metric = _metrics[ref.key]
            where = _where(metric, ref.unit, ref.period) & Q(*ref.filters)
            for name, aggregate in _parts(metric, ref.unit, ref.period).items():
                columns.add((i, name), aggregate, where)
        values = base_rows(first, user, members[0].unit).order_by().aggregate(**columns.aggregates)
        for i, ref in enumerate(members):
            metric = _metrics[ref.key]
            parts = {name: values[alias] for (j, name), alias in columns.names.items() if j == i}
            out[ref] = _figure(metric, _combine(metric, parts), user, ref)
    return out


class _Columns:
    """The aggregates of one batch query, each asked once: two figures counting the same rows
    (a table's total and the sentence above it) read the same column."""

    def __init__(self):
        self.aggregates: dict[str, object] = {}
        self.names: dict[tuple, str] = {}  # (figure, part) -> column
        self._seen: dict = {}

    def add(self, name: tuple, aggregate, where: Q) -> None:
        try:
            key = (repr(aggregate), where)
            alias = self._seen.get(key)
        except TypeError:  # a value that does not hash: asked on its own
            key, alias = None, None
        if alias is None:
            alias = f"c{len(self.aggregates)}"
            self.aggregates[alias] = _filtered(aggregate, where)
            if key is not None:
                self._seen[key] = alias
        self.names[name] = alias


def _parts(metric: Metric, unit, period) -> dict:
    if metric.parts is not None:
        return metric.parts(unit, period)
    return {"v": metric.aggregate if metric.aggregate is not None else Count("pk")}


def _combine(metric: Metric, parts: dict):
    if metric.combine is not None:
        return metric.combine(parts)
    return parts["v"] or 0


def _filtered(aggregate, where: Q):
    """`aggregate` over the rows that also satisfy `where` (its own filter kept)."""
    if not where:
        return aggregate
    aggregate = aggregate.copy()
    *source, own, order_by = aggregate.get_source_expressions()
    condition = where if own is None else own.condition & where
    aggregate.set_source_expressions([*source, AggregateFilter(condition), order_by])
    return aggregate


def _value(metric: Metric, rows, user, unit, period):
    if metric.aggregate is not None:
        return rows.aggregate(v=metric.aggregate)["v"] or 0
    if metric.value is not None:
        return metric.value(rows, user, unit, period)
    return rows.count()


def _check(metric: Metric, user) -> None:
    if not scoping.can_any(user, metric.module, "view"):
        # A restricted figure (the four forms) does not exist for those who may not see its rows.
        raise PermissionDenied(_("Your roles do not allow this figure."))


def link(metric: Metric, unit, period: Period, extra: dict | None = None) -> str:
    if not metric.ledger:
        return ""
    app_label, slug = metric.ledger.split(".")
    params = {"unit": unit.pk} if unit is not None else {}
    if metric.link:
        params.update(metric.link(unit, period))
    for k, v in (extra or {}).items():
        if v is None:
            return ""  # the list has no filter for "none"; better no link than a wrong one
        # A breakdown by unit counts the unit's own rows, not its subtree.
        params["unit_only" if k in ("unit", metric.unit_field) else k] = v
    base = reverse("ledger-list", kwargs={"app_label": app_label, "slug": slug})
    return f"{base}?{urlencode(params)}"


def breakdown(key: str, user, unit, period: Period, dimension: str) -> list[tuple[object, Figure]]:
    """The figure split by one dimension (a field of the rows), largest first."""
    metric = _metrics[key]
    path = metric.dimensions[dimension]
    rows = metric.rows(user, unit, period)
    values = rows.order_by().values_list(path, flat=True).distinct()
    out = []
    for v in values:
        out.append((v, compute(key, user, unit, period, {path: v})))
    return sorted(out, key=lambda pair: -float(pair[1].value or 0))


def number(value) -> str:
    """A figure's number as every page, report and sheet prints it: no trailing zeros."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(value.quantize(Decimal(1)))
        return format(value.normalize(), "f")
    return str(value)


def display(value, measure: str = "") -> str:
    """A figure with its measure where the measure is part of the number: a rate prints alike
    everywhere, 100% when whole and else with one decimal (96.6%), and 无 when there was
    nothing to divide (never "—%"). Other figures print their number alone."""
    if measure != "%":
        return number(value)
    if value is None:
        return _("none (rate)")
    value = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1))}%"
    return f"{value}%"


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class RollupRow:
    unit: object
    own: bool  # the unit's own rows (本级), not a child's subtree
    figure: Figure


def child_units(user, unit) -> list:
    """The children of `unit` within the user's reach, in code order (closed ones included:
    their rows still count)."""
    from gongxiao.org.models import Unit

    return list(Unit.objects.filter(parent=unit).visible_to(user).order_by("code"))


def rollup(
    key: str, user, unit, period: Period, filters: dict | None = None, children=None
) -> list[RollupRow]:
    """The figure of `unit`'s subtree split into its own rows (本级) and each child's subtree, so
    the rows add up to the unit's figure: one row per unit of `children` (the visible children by
    default), in that order, so several figures line up. Additive figures (counts and sums) come
    from one query grouped on the materialised path; others are computed per child."""
    from gongxiao.org.models import PATH_STEP

    metric = _metrics[key]
    _check(metric, user)
    children = child_units(user, unit) if children is None else children
    filters = dict(filters or {})
    if not metric.additive:
        own = compute(key, user, unit, period, {**filters, metric.unit_field: unit.pk})
        out = [RollupRow(unit, True, own)]
        out += [RollupRow(c, False, compute(key, user, c, period, filters)) for c in children]
        return out
    rows = metric.rows(user, unit, period)
    if filters:
        rows = rows.filter(**filters)
    path = f"{metric.unit_field}__path"
    width = len(unit.path) + PATH_STEP + 1  # a child's path: one more "00000012/"
    grouped = rows.order_by().annotate(_branch=Substr(path, 1, width)).values("_branch")
    grouped = grouped.annotate(v=metric.aggregate if metric.aggregate is not None else Count("pk"))
    values = {r["_branch"]: r["v"] or 0 for r in grouped}
    own_rows = rows.filter(**{metric.unit_field: unit})
    own_value = values.get(unit.path, 0)
    out = [
        RollupRow(
            unit,
            True,
            Figure(
                metric,
                own_value,
                own_rows,
                link(metric, unit, period, {**filters, metric.unit_field: unit.pk}),
            ),
        )
    ]
    for c in children:
        out.append(
            RollupRow(
                c,
                False,
                Figure(
                    metric,
                    values.get(c.path, 0),
                    metric.rows(user, c, period).filter(**filters),
                    link(metric, c, period, filters),
                ),
            )
        )
    return out


def rollup_many(
    keys,
    user,
    unit,
    period: Period,
    filters_by_key: dict | None = None,
    children=None,
    *,
    also=(),
    found: dict | None = None,
) -> list[list[RollupRow]]:
    """rollup() of several figures, aligned on the same rows, each column the same as rollup()
    gives it: additive declared metrics over the same base rows come from one query grouped on
    the materialised path, a conditional aggregate per figure; the others from rollup().
    The figures of `also` (Refs of `unit`) that are counts over the same rows are taken from
    that query too, their branches added up, and put into `found` (the others are left out)."""
    from gongxiao.org.models import PATH_STEP

    filters_by_key = filters_by_key or {}
    children = child_units(user, unit) if children is None else children
    columns: dict[int, list[RollupRow]] = {}
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        metric = _metrics[key]
        _check(metric, user)
        if metric.batchable and metric.additive and metric.parts is None:
            groups.setdefault((metric.model, metric.unit_field), []).append(i)
        else:
            columns[i] = rollup(key, user, unit, period, filters_by_key.get(key), children)
    width = len(unit.path) + PATH_STEP + 1  # a child's path: one more "00000012/"
    for (model, unit_field), members in groups.items():
        first = _metrics[keys[members[0]]]
        columns_ = _Columns()
        for i in members:
            metric = _metrics[keys[i]]
            where = _where(metric, unit, period) & Q(**(filters_by_key.get(keys[i]) or {}))
            columns_.add(("column", i), _parts(metric, unit, period)["v"], where)
        extra = _countable(also, user, unit, model, unit_field)
        for j, ref in enumerate(extra):
            metric = _metrics[ref.key]
            where = _where(metric, ref.unit, ref.period) & Q(*ref.filters)
            for name, aggregate in _parts(metric, ref.unit, ref.period).items():
                columns_.add((j, name), aggregate, where)
        grouped = (
            base_rows(first, user, unit)
            .order_by()
            .annotate(_branch=Substr(f"{unit_field}__path", 1, width))
            .values("_branch")
            .annotate(**columns_.aggregates)
        )
        values = {r["_branch"]: r for r in grouped}
        if found is not None:
            for j, ref in enumerate(extra):
                metric = _metrics[ref.key]
                # Counts: added up over the branches, exactly the count over the subtree.
                parts = {
                    name: sum(r[alias] or 0 for r in values.values())
                    for (k, name), alias in columns_.names.items()
                    if k == j
                }
                found[ref] = _figure(metric, _combine(metric, parts), user, ref)
        for i in members:
            key = keys[i]
            metric = _metrics[key]
            filters = dict(filters_by_key.get(key) or {})

            def value(path, alias=columns_.names[("column", i)], values=values):
                return (values.get(path) or {}).get(alias) or 0

            rows = metric.rows(user, unit, period)
            if filters:
                rows = rows.filter(**filters)
            own = {**filters, metric.unit_field: unit.pk}
            column = [
                RollupRow(
                    unit,
                    True,
                    Figure(
                        metric,
                        value(unit.path),
                        rows.filter(**{metric.unit_field: unit}),
                        link(metric, unit, period, own),
                    ),
                )
            ]
            for c in children:
                column.append(
                    RollupRow(
                        c,
                        False,
                        Figure(
                            metric,
                            value(c.path),
                            metric.rows(user, c, period).filter(**filters),
                            link(metric, c, period, filters),
                        ),
                    )
                )
            columns[i] = column
    return [columns[i] for i in range(len(keys))]


def _countable(refs, user, unit, model, unit_field) -> list[Ref]:
    """The refs whose figures are counts of `model`'s rows in `unit`'s subtree: adding up a
    count over the branches gives the count over the subtree, exactly (a sum of decimals on
    SQLite, a float, might not)."""
    out = []
    for ref in dict.fromkeys(refs):
        metric = _metrics[ref.key]
        if (
            metric.batchable
            and metric.model is model
            and metric.unit_field == unit_field
            and ref.unit is not None
            and ref.unit.pk == unit.pk
            and scoping.can_any(user, metric.module, "view")
            and all(isinstance(a, Count) for a in _parts(metric, ref.unit, ref.period).values())
        ):
            out.append(ref)
    return out


def _figure(metric: Metric, value, user, ref: Ref) -> Figure:
    filters = dict(ref.filters)
    rows = metric.rows(user, ref.unit, ref.period)
    if filters:
        rows = rows.filter(**filters)
    return Figure(
        metric=metric,
        value=value,
        rows=rows,
        url=link(metric, ref.unit, ref.period, filters or None),
    )


def _has_content(figure: Figure) -> bool:
    # A rate of 0% says there were rows; a count of 0 says there were none.
    if figure.value is None:
        return False
    return figure.metric.measure == "%" or bool(figure.value)


def live_rows(columns: list[list[RollupRow]]) -> list[int]:
    """Indexes of the rows worth showing across aligned roll-ups: a closed unit whose figures are
    all empty is left out."""
    keep = []
    for i, row in enumerate(columns[0] if columns else []):
        active = row.own or row.unit.status == "active"
        if active or any(_has_content(col[i].figure) for col in columns):
            keep.append(i)
    return keep


@dataclass
class Comparison:
    current: Figure
    previous: Figure

    @property
    def change(self):
        try:
            return self.current.value - self.previous.value
        except TypeError:
            return None

    @property
    def change_rate(self) -> Decimal | None:
        """Change against the same period last year, in per cent (同比)."""
        cur, prev = self.current.value, self.previous.value
        if cur is None or not prev or self.current.metric.measure == "%":
            return None
        return rate(Decimal(str(cur)) - Decimal(str(prev)), Decimal(str(prev)))

    @property
    def change_points(self) -> Decimal | None:
        """For a percentage, the change in percentage points."""
        cur, prev = self.current.value, self.previous.value
        if self.current.metric.measure != "%" or cur is None or prev is None:
            return None
        return Decimal(str(cur)) - Decimal(str(prev))


def compare(key: str, user, unit, period: Period) -> Comparison:
    """The figure for the period and for the same period a year earlier."""
    return Comparison(
        compute(key, user, unit, period), compute(key, user, unit, period.previous_year())
    )


def trend(key: str, user, unit, periods: list[Period]) -> list[tuple[Period, Figure]]:
    return [(p, compute(key, user, unit, p)) for p in periods]
