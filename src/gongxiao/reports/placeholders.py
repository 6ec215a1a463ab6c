"""Placeholders in the narrative of a draft, and their resolution for the draft's unit subtree
and period. Every figure resolved is recorded (F01, F02 …) so the working papers can list the
rows behind it.

    谈话提醒{{ supervision.talks.persons }}人次，同比{{ supervision.talks.persons | 同比 }}。
    召开党组会议{{ decisions.meetings.held | 会议类型=党组会 }}次。
    {{ 若 supervision.opinions.raised: 其中{{ supervision.opinions.raised }}条已纳入整改台账 }}
    {{ 表: rectification.items.found, rectification.items.closed }}

A figure may be narrowed by any of its metric's dimensions (`维度=值`, the dimension by its key
or its field's name, the value by its code or its label; or the value alone when it names the
choice of exactly one dimension). `{{ 若 key: 文本 }}` prints the text only when the figure is
not zero, `{{ 若无 key: 文本 }}` only when it is.

A money figure may be printed in another unit of money, as the sentence asks: `| 亿元`, `| 万元`
or `| 元` (累计担保金额{{ credit.guarantees.amount | 亿元 }}亿元). The value is converted exactly
and printed with every decimal it has, never rounded silently; the working papers keep the
figure in its metric's own measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import metrics, quantities, scoping
from gongxiao.core.periods import Period

MODIFIERS = {
    "上年": "last_year",
    "上年同期": "last_year",
    "last_year": "last_year",
    "同比": "yoy",
    "yoy": "yoy",
    "本专项": "campaign",
    "campaign": "campaign",
}
TABLE_PREFIXES = ("表:", "表：", "table:")
# {{ 合计: key1, key2 }}: figures of several metrics added, only where their measures add
# (core.metrics.total: t and kg after conversion; never 亩 with 亩次, nor 吨 with 件).
TOTAL_PREFIXES = ("合计:", "合计：", "total:")
SPECIALS = {
    "单位": "unit",
    "unit": "unit",
    "期间": "period",
    "period": "period",
    "专项": "campaign",
    "campaign": "campaign",
    "截至": "as_of",
    "as_of": "as_of",
}
# Units of money a figure may be printed in (`| 亿元`): modifier "to:<symbol>".
MONEY_UNITS = ("元", "万元", "亿元")
CONDITIONS = {"若": False, "如有": False, "if": False, "若无": True, "如无": True, "unless": True}


@dataclass(frozen=True)
class FigureRef:
    key: str
    modifiers: frozenset = frozenset()
    # Narrowing by dimensions as written: ((dimension or "", value), ...).
    narrow: tuple = ()


@dataclass(frozen=True)
class TableRef:
    keys: tuple
    modifiers: frozenset = frozenset()


@dataclass(frozen=True)
class TotalRef:
    keys: tuple
    source: str = ""


@dataclass(frozen=True)
class Special:
    name: str


@dataclass(frozen=True)
class Conditional:
    """Text printed only when a figure is not zero (or, negated, only when it is)."""

    ref: FigureRef
    negate: bool
    body: tuple  # parts, as parse() gives them
    source: str = ""


@dataclass(frozen=True)
class BadRef:
    source: str
    message: str


def _tokens(text: str):
    """(start, end, inner) of each top-level {{ … }}, nested ones kept inside."""
    pos, depth, start = 0, 0, None
    while True:
        opening = text.find("{{", pos)
        closing = text.find("}}", pos)
        if closing < 0:
            return
        if 0 <= opening < closing:
            if depth == 0:
                start = opening
            depth += 1
            pos = opening + 2
            continue
        if depth:
            depth -= 1
            if depth == 0:
                yield start, closing + 2, text[start + 2 : closing].strip()
        pos = closing + 2


def parse(text: str) -> list:
    """Split text into plain strings and references."""
    text = text or ""
    parts: list = []
    pos = 0
    for start, end, inner in _tokens(text):
        if start > pos:
            parts.append(text[pos:start])
        parts.append(_parse_token(inner, text[start:end]))
        pos = end
    if pos < len(text):
        parts.append(text[pos:])
    return parts


def _parse_condition(inner: str, source: str):
    word, _sep, rest = inner.partition(" ")
    head, colon, body = _split_colon(rest)
    if not colon:
        return BadRef(source, _("A condition is written {{ 若 key: text }}."))
    ref = _parse_token(head.strip(), source)
    if not isinstance(ref, FigureRef):
        return ref if isinstance(ref, BadRef) else BadRef(source, _("A condition needs a figure."))
    return Conditional(ref, CONDITIONS[word], tuple(parse(body.strip())), source)


def _split_colon(text: str):
    m = re.search(r"[:：]", text)
    if not m:
        return text, "", ""
    return text[: m.start()], m.group(0), text[m.end() :]


def _parse_token(inner: str, source: str):
    inner = inner.strip()
    if inner in SPECIALS:
        return Special(SPECIALS[inner])
    word = inner.split(" ", 1)[0]
    if word in CONDITIONS:
        return _parse_condition(inner, source)
    head, *mods = [p.strip() for p in inner.split("|")]
    resolved = set()
    narrow = []
    for mod in mods:
        if mod in MODIFIERS:
            resolved.add(MODIFIERS[mod])
            continue
        if mod in MONEY_UNITS:
            resolved.add(f"to:{mod}")
            continue
        name, _eq, value = mod.replace("＝", "=").rpartition("=")
        name, value = name.strip(), value.strip()
        if not value or (_eq and not name):
            return BadRef(
                source,
                _("“%(mod)s” is not a modifier; use 上年, 同比, 本专项 or 维度=值.") % {"mod": mod},
            )
        narrow.append((name, value))
    for prefix in TOTAL_PREFIXES:
        if head.startswith(prefix):
            keys = tuple(
                k.strip() for k in re.split(r"[,，、+＋]", head[len(prefix) :]) if k.strip()
            )
            if len(keys) < 2:
                return BadRef(source, _("A total needs at least two metric keys."))
            unknown = [k for k in keys if k not in metrics._metrics]
            if unknown:
                return BadRef(source, _unknown(unknown[0]))
            if resolved or narrow:
                return BadRef(source, _("A total takes no modifier."))
            return TotalRef(keys, source)
    for prefix in TABLE_PREFIXES:
        if head.startswith(prefix):
            keys = tuple(k.strip() for k in re.split(r"[,，、]", head[len(prefix) :]) if k.strip())
            if not keys:
                return BadRef(source, _("A table needs at least one metric key."))
            unknown = [k for k in keys if k not in metrics._metrics]
            if unknown:
                return BadRef(source, _unknown(unknown[0]))
            if resolved - {"campaign"} or narrow:
                return BadRef(source, _("A table takes only the modifier 本专项."))
            return TableRef(keys, frozenset(resolved))
    if head not in metrics._metrics:
        return BadRef(source, _unknown(head))
    problem = _unit_problem(metrics.get_metric(head), resolved)
    if problem:
        return BadRef(source, problem)
    for name, value in narrow:
        # Names and choices are checked here; a unit or campaign named is looked up later.
        problem = narrow_problem(metrics.get_metric(head), name, value)
        if problem:
            return BadRef(source, problem)
    return FigureRef(head, frozenset(resolved), tuple(narrow))


def _target_unit(modifiers) -> str | None:
    found = [m[3:] for m in modifiers if m.startswith("to:")]
    return found[0] if found else None


def _unit_problem(metric, resolved) -> str:
    """Why the unit asked for cannot print this figure ("" when it can, or none is asked)."""
    targets = [m[3:] for m in resolved if m.startswith("to:")]
    if not targets:
        return ""
    if len(targets) > 1:
        return _("A figure is printed in one unit of money only.")
    if "yoy" in resolved:
        return _("A change (同比) is a percentage; it takes no unit of money.")
    if not quantities.compatible(metric.measure, targets[0]):
        return _(
            "“%(label)s” is counted in %(measure)s, not in money: it cannot be printed in %(unit)s."
        ) % {
            "label": metric.label,
            "measure": metric.measure,
            "unit": targets[0],
        }
    return ""


def _unknown(key):
    return _("There is no metric “%(key)s”; look its key up in the metric catalogue.") % {
        "key": key
    }


def references(text: str) -> list:
    return [p for p in parse(text) if not isinstance(p, str)]


def fmt(value) -> str:
    """A figure as the report prints it."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(value.quantize(Decimal(1)))
        return format(value.normalize(), "f")
    return str(value)


# --- resolution ----------------------------------------------------------------------------


@dataclass
class Used:
    """A figure the document prints, with what it was computed from."""

    id: str
    metric: metrics.Metric
    period: Period
    filters: dict
    value: object
    url: str
    unit: object = None
    rows: object = None  # the scoped queryset of the rows behind the figure
    user: object = None

    @cached_property
    def narrowing(self) -> str:
        """The filters in words ("会议类型：党组会"), for the preview and the working papers; a
        table cell's own unit is named by its row, not here."""
        shown = {k: v for k, v in self.filters.items() if k != self.metric.unit_field}
        if not shown or self.rows is None:
            return ""
        return describe(self.rows.model, shown, self.user)

    @property
    def label(self) -> str:
        if self.narrowing:
            return f"{self.metric.label}（{self.narrowing}）"
        return str(self.metric.label)

    @property
    def text(self) -> str:
        return metrics.display(self.value, self.metric.measure)


@dataclass
class Segment:
    text: str
    figure: Used | None = None
    error: str = ""
    # A figure of zero (or a rate with nothing to divide): the sentence may say nothing true;
    # marked for the writer in the preview, blocking nothing.
    warning: str = ""


@dataclass
class Table:
    headers: list
    rows: list  # [[Segment, ...], ...]; the first cell names the unit


class Resolver:
    """Resolves references for one draft and one user, remembering every figure it used."""

    def __init__(self, draft, user, *, snapshot: dict | None = None):
        self.draft = draft
        self.user = user
        self.unit = draft.unit
        self.period = draft.period_obj
        self.as_of = timezone.now()
        self.snapshot = snapshot or None
        self.used: dict[tuple, Used] = {}
        # Figures computed up front (prefetch), by metrics.Ref.
        self.prefetched: dict[metrics.Ref, metrics.Figure] = {}
        # Tables rolled up up front: (keys, modifiers) -> their columns.
        self.prefetched_tables: dict[tuple, list[list[metrics.RollupRow]]] = {}
        self.errors: list[str] = []
        self.warnings: list[str] = []

    # A figure is identified by metric, unit, period and filters.
    def figure(self, key, *, unit=None, period=None, filters=None, computed=None) -> Used:
        unit = unit or self.unit
        period = period or self.period
        filters = dict(filters or {})
        ident = (key, unit.pk, period.code, tuple(sorted(filters.items())))
        if ident in self.used:
            return self.used[ident]
        fig = (
            computed
            or self.prefetched.get(metrics.Ref.of(key, unit, period, filters))
            or metrics.compute(key, self.user, unit, period, filters or None)
        )
        value = fig.value
        if self.snapshot is not None:
            value = self.snapshot.get(_snapshot_key(ident), value)
        used = Used(
            id=f"F{len(self.used) + 1:02d}",
            metric=fig.metric,
            period=period,
            filters=filters,
            value=value,
            url=fig.url,
            unit=unit,
            rows=fig.rows,
            user=self.user,
        )
        self.used[ident] = used
        return used

    def prefetch(self, texts) -> None:
        """Compute every figure the texts may print in a few queries (metrics.compute_many: the
        figures over the same rows in one), so that resolving them asks the database nothing
        more. A figure written wrongly is left for resolution to report."""
        refs: list[metrics.Ref] = []
        tables: dict[tuple, dict] = {}
        for text in texts:
            self._collect(parse(text), refs, tables)
        found: dict = {}
        if tables:
            children = metrics.child_units(self.user, self.unit)
        for (keys, modifiers), filters_by_key in tables.items():
            # A table's roll-up query gives the counts over the same rows as well, added up.
            try:
                self.prefetched_tables[(keys, modifiers)] = metrics.rollup_many(
                    keys,
                    self.user,
                    self.unit,
                    self.period,
                    filters_by_key,
                    children,
                    also=[r for r in refs if r not in found],
                    found=found,
                )
            except PermissionDenied:
                continue
        found.update(metrics.compute_many([r for r in refs if r not in found], self.user))
        self.prefetched.update(found)

    def _collect(self, parts, refs: list, tables: dict) -> None:
        for part in parts:
            if isinstance(part, Conditional):
                self._collect([part.ref, *part.body], refs, tables)
            elif isinstance(part, FigureRef):
                filters = self._filters(part, metrics.get_metric(part.key))
                if isinstance(filters, str):
                    continue
                last_year = self.period.previous_year()
                if "yoy" in part.modifiers:
                    periods = [self.period, last_year]
                elif "last_year" in part.modifiers:
                    periods = [last_year]
                else:
                    periods = [self.period]
                refs += [metrics.Ref.of(part.key, self.unit, p, filters) for p in periods]
            elif isinstance(part, TotalRef):
                refs += [metrics.Ref.of(k, self.unit, self.period) for k in part.keys]
            elif isinstance(part, TableRef):
                filters_by_key = {}
                for key in part.keys:
                    ref = FigureRef(key, part.modifiers)
                    filters = self._filters(ref, metrics.get_metric(key))
                    if isinstance(filters, str):
                        break
                    filters_by_key[key] = filters
                    refs.append(metrics.Ref.of(key, self.unit, self.period, filters))
                else:
                    tables[(part.keys, part.modifiers)] = filters_by_key

    def segments(self, text: str, *, tables: bool = True) -> list:
        """Text and figures, in order; a table reference becomes a Table (only in body text)."""
        return self._segments(parse(text), tables=tables)

    def _segments(self, parts, *, tables: bool) -> list:
        out = []
        after_rate = False
        for part in parts:
            if isinstance(part, TableRef) and not tables:
                part = BadRef(
                    "{{ 表: " + ", ".join(part.keys) + " }}",
                    _("A table goes on a line of its own in the text, not in a title or heading."),
                )
            if isinstance(part, str):
                if after_rate and part[:1] in ("%", "％"):
                    part = part[1:]  # "{{ rate }}%" written the old way: the rate has its %
                if part:
                    out.append(Segment(part))
            elif isinstance(part, Special):
                out.append(self.special(part))
            elif isinstance(part, BadRef):
                out.append(self._error(part.source, part.message))
            elif isinstance(part, TableRef):
                out.append(self.table(part))
            elif isinstance(part, TotalRef):
                out.append(self.total(part))
            elif isinstance(part, Conditional):
                out += self.conditional(part)
            else:
                out.append(self.figure_segment(part))
            last = out[-1] if out else None
            after_rate = bool(
                isinstance(last, Segment) and last.figure and last.figure.metric.measure == "%"
            )
        return out

    def special(self, part: Special) -> Segment:
        if part.name == "unit":
            return Segment(self.unit.name)
        if part.name == "period":
            return Segment(self.period.label)
        if part.name == "as_of":
            return Segment(as_of_words(self.period))
        if not self.draft.campaign_id:
            return self._error(
                "{{ 专项 }}", _("This draft names no campaign, so {{ 专项 }} cannot apply.")
            )
        return Segment(self.draft.campaign.name)

    def conditional(self, part: Conditional) -> list:
        """The text, or nothing, as the figure is zero or not; the figure is recorded, since
        the text depends on it."""
        seg = self.figure_segment(part.ref, warn=False)
        if seg.error:
            return [seg]
        value = seg.figure.value
        present = value is not None and value != 0 and str(value) not in ("0", "0.0")
        if present == part.negate:
            return []
        return self._segments(part.body, tables=False)

    def _error(self, source, message) -> Segment:
        self.errors.append(f"{source}: {message}")
        return Segment(source, error=message)

    def _filters(self, ref: FigureRef, metric) -> dict | str:
        filters = {}
        if "campaign" in ref.modifiers:
            if not self.draft.campaign_id:
                return _("This draft names no campaign, so 本专项 cannot apply.")
            if "campaign" not in metric.dimensions:
                return _("“%(label)s” cannot be counted by campaign.") % {"label": metric.label}
            filters[metric.dimensions["campaign"]] = self.draft.campaign_id
        for name, value in ref.narrow:
            found = narrow(metric, name, value, self.user)
            if isinstance(found, str):
                return found
            filters.update(found)
        return filters

    def figure_segment(self, ref: FigureRef, *, warn: bool = True) -> Segment:
        mods = [m[3:] if m.startswith("to:") else m for m in sorted(ref.modifiers)]
        mods += [f"{n}={v}" if n else v for n, v in ref.narrow]
        source = "{{ " + " | ".join([ref.key, *mods]) + " }}"
        metric = metrics.get_metric(ref.key)
        filters = self._filters(ref, metric)
        if isinstance(filters, str):
            return self._error(source, filters)
        try:
            if "yoy" in ref.modifiers:
                cur = self.figure(ref.key, filters=filters)
                prev = self.figure(ref.key, period=self.period.previous_year(), filters=filters)
                return Segment(_change_text(metric, cur.value, prev.value), cur)
            period = self.period.previous_year() if "last_year" in ref.modifiers else None
            used = self.figure(ref.key, period=period, filters=filters)
        except PermissionDenied:
            return self._error(
                source,
                _("Your roles do not allow the figure “%(label)s”.") % {"label": metric.label},
            )
        target = _target_unit(ref.modifiers)
        if target and used.value is not None:
            converted = quantities.convert(used.value, metric.measure, target)
            seg = Segment(fmt(converted), used)
        else:
            seg = Segment(used.text, used)
        if warn and _empty(used):
            seg.warning = (
                _("%(label)s is none: check the sentence, or rewrite or delete it.")
                if metric.measure == "%"
                else _("%(label)s is zero: check the sentence, or rewrite or delete it.")
            ) % {"label": used.label}
            self.warnings.append(f"{used.id} {source}: {seg.warning}")
        return seg

    def total(self, ref: TotalRef) -> Segment:
        """The sum of several figures in the first one's measure, each recorded (so the working
        papers list the rows of each); refused when their measures do not add."""
        try:
            target = metrics.check_addable(list(ref.keys))
        except metrics.MeasureMismatch as exc:
            return self._error(ref.source, str(exc))
        try:
            used = [self.figure(k) for k in ref.keys]
        except PermissionDenied:
            return self._error(
                ref.source, _("Your roles do not allow one of the figures of this total.")
            )
        quantity = quantities.total(
            [metrics.Quantity(Decimal(str(u.value or 0)), u.metric.measure) for u in used], target
        )
        return Segment(metrics.number(quantity.value))

    def table(self, ref: TableRef) -> Table | Segment:
        """Units × metrics: the unit's own rows, each child's subtree, and the total."""
        source = "{{ 表: " + ", ".join(ref.keys) + " }}"
        filters_by_key = {}
        for key in ref.keys:
            f = self._filters(FigureRef(key, ref.modifiers), metrics.get_metric(key))
            if isinstance(f, str):
                return self._error(source, f)
            filters_by_key[key] = f
        try:
            columns = self.prefetched_tables.get((ref.keys, ref.modifiers)) or metrics.rollup_many(
                ref.keys, self.user, self.unit, self.period, filters_by_key
            )
        except PermissionDenied:
            return self._error(
                source, _("Your roles do not allow one of the figures of this table.")
            )
        headers = [_("Unit")] + [_header(metrics.get_metric(k)) for k in ref.keys]
        rows = []
        for i in metrics.live_rows(columns):
            row = columns[0][i]
            name = _("%(unit)s (own)") % {"unit": row.unit.name} if row.own else row.unit.name
            cells = [Segment(name)]
            for col, key in zip(columns, ref.keys, strict=True):
                r = col[i]
                filters = dict(filters_by_key[key])
                if r.own:
                    filters[metrics.get_metric(key).unit_field] = r.unit.pk
                used = self.figure(key, unit=r.unit, filters=filters, computed=r.figure)
                cells.append(Segment(used.text, used))
            rows.append(cells)
        total = [Segment(_("Total"))]
        for key in ref.keys:
            used = self.figure(key, filters=filters_by_key[key])
            total.append(Segment(used.text, used))
        rows.append(total)
        return Table(headers=headers, rows=rows)

    def snapshot_values(self) -> dict:
        return {_snapshot_key(ident): _json(u.value) for ident, u in self.used.items()}

    def snapshot_figures(self) -> list[dict]:
        out = []
        for u in self.used.values():
            rows = None
            if u.rows is not None:
                rows = [str(pk) for pk in u.rows.order_by().values_list("pk", flat=True)]
            out.append(
                {
                    "id": u.id,
                    "key": u.metric.key,
                    "label": u.label,
                    "unit": u.unit.pk,
                    "period": u.period.code,
                    "filters": [[k, _json(v)] for k, v in sorted(u.filters.items())],
                    "value": _json(u.value),
                    "rows": rows,
                }
            )
        return out


def _header(metric) -> str:
    # A rate's cells print their own %.
    if metric.measure == "%":
        return str(metric.label)
    return f"{metric.label}（{metric.measure}）"


def _empty(used) -> bool:
    if used.value is None:
        return True
    if used.metric.measure == "%":
        return False  # 0% says there were rows, none done
    try:
        return Decimal(str(used.value)) == 0
    except ArithmeticError:
        return False


def as_of_words(period: Period, today=None) -> str:
    """截至目前 for a period not yet over, 截至2022年12月31日 for a past one."""
    today = today or timezone.localdate()
    if period.end >= today:
        return _("so far (as of now)")
    end = period.end
    return _("as of %(date)s") % {"date": f"{end.year}年{end.month}月{end.day}日"}


def _forms(text) -> set[str]:
    """A label as it may be written: whole, and the part in brackets ("Party group meeting
    (党组会)" → 党组会), in the active language."""
    text = str(text).strip()
    out = {text, text.lower()}
    m = re.search(r"[（(]([^）)]+)[）)]\s*$", text)
    if m:
        out.add(m.group(1).strip())
        out.add(text[: m.start()].strip())
    return out


def _label_forms(lazy) -> set[str]:
    from django.utils import translation

    out = set()
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out |= _forms(lazy)
    return out


def _row_model(metric, user):
    """The model of the metric's rows, without running a query on them."""
    import datetime

    day = datetime.date(2000, 1, 1)
    return metric.rows(user, None, Period("2000", day, day)).model


def narrow_problem(metric, name: str, value: str) -> str:
    """Why `name=value` cannot narrow `metric`, as far as can be told without the database."""
    found = narrow(metric, name, value, None, static=True)
    return found if isinstance(found, str) else ""


def narrow(metric, name: str, value: str, user, *, static: bool = False) -> dict | str:
    """{path: value} narrowing `metric` by dimension `name` (its key or its field's name; any
    dimension whose choices hold `value` when empty) to `value` (a code or a label), or the
    message saying why not. `static`: relations (a unit, a campaign) are taken as fitting."""
    from .labels import _field

    model = _row_model(metric, user)
    dims = {k: p for k, p in metric.dimensions.items()}
    if name:
        chosen = {}
        for key, path in dims.items():
            field = _field(model, path)
            names = {key, path}
            if field is not None:
                names |= _label_forms(field.verbose_name)
            if name in names or name.lower() in names:
                chosen[key] = path
        if not chosen:
            return _(
                "“%(label)s” has no dimension “%(name)s”; it can be narrowed by: %(dims)s."
            ) % {"label": metric.label, "name": name, "dims": _dimension_names(metric, model)}
    else:
        chosen = dims
    matches = []
    for path in chosen.values():
        field = _field(model, path)
        if static and field is not None and field.is_relation:
            if name:
                return {path: value}
            continue
        code = _match_value(model, path, value, user)
        if code is not None:
            matches.append((path, code))
    if len(matches) == 1:
        return {matches[0][0]: matches[0][1]}
    if not matches:
        return _("“%(value)s” is not a value by which “%(label)s” can be narrowed.") % {
            "value": value,
            "label": metric.label,
        }
    return _("“%(value)s” fits more than one dimension of “%(label)s”; write 维度=值.") % {
        "value": value,
        "label": metric.label,
    }


def _dimension_names(metric, model) -> str:
    from .labels import field_label

    return "、".join(field_label(model, p) for p in metric.dimensions.values()) or "—"


def _match_value(model, path, value, user):
    from .labels import _field

    field = _field(model, path)
    if field is None:
        return None
    if field.choices:
        for code, label in field.flatchoices:
            if value == str(code) or value in _label_forms(label):
                return code
        return None
    if field.is_relation:
        related = field.related_model
        qs = related._default_manager.all()
        if value.isdigit():
            obj = qs.filter(pk=int(value)).first()
        else:
            names = [f.name for f in related._meta.fields if f.name in ("name", "title")]
            obj = None
            for n in names:
                found = list(qs.filter(**{n: value})[:2])
                if len(found) == 1:
                    obj = found[0]
                    break
        if obj is None or (user is not None and not scoping.can_see_related(user, obj)):
            return None
        return obj.pk
    return None


def describe(model, filters: dict, user) -> str:
    """Filters in words: 会议类型：党组会；专项：… ."""
    from .labels import choice_label, field_label

    return "；".join(
        f"{field_label(model, path)}：{choice_label(model, path, v, user)}"
        for path, v in filters.items()
    )


def _snapshot_key(ident) -> str:
    key, unit_pk, period, filters = ident
    return f"{key}|{unit_pk}|{period}|" + ",".join(f"{k}={v}" for k, v in filters)


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def _change_text(metric, cur, prev) -> str:
    if cur is None or prev is None:
        return _("not comparable")
    cur, prev = Decimal(str(cur)), Decimal(str(prev))
    if metric.measure == "%":
        diff = cur - prev
        if diff == 0:
            return _("unchanged")
        word = _("up") if diff > 0 else _("down")
        return _("%(word)s %(n)s percentage points") % {"word": word, "n": fmt(abs(diff))}
    if prev == 0:
        return _("none in the same period last year") if cur else _("unchanged")
    r = metrics.rate(cur - prev, prev)
    if r == 0:
        return _("unchanged")
    word = _("up") if r > 0 else _("down")
    return _("%(word)s %(n)s%%") % {"word": word, "n": fmt(abs(r))}


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "table"
    level: int = 0
    number: str = ""
    segments: list = field(default_factory=list)
    table: Table | None = None

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """一 … 九十九; from a hundred on, the digits (a report has never so many headings)."""
    if n >= 100:
        return str(n)
    if n <= 10:
        return CHINESE_NUMERALS[n]
    if n < 20:
        return "十" + (CHINESE_NUMERALS[n - 10] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CHINESE_NUMERALS[tens] + "十" + (CHINESE_NUMERALS[ones] if ones else "")


def heading_number(level: int, n: int) -> str:
    """一、 （一） 1. （1）: no punctuation after the bracketed forms (GB/T 9704-2012)."""
    return {1: f"{chinese_number(n)}、", 2: f"（{chinese_number(n)}）", 3: f"{n}.", 4: f"（{n}）"}[
        level
    ]


@dataclass
class Document:
    title: list  # segments
    blocks: list
    resolver: Resolver

    @property
    def errors(self) -> list[str]:
        return self.resolver.errors

    @property
    def warnings(self) -> list[str]:
        return self.resolver.warnings

    @property
    def figures(self) -> list[Used]:
        return list(self.resolver.used.values())


def plain_title(draft) -> str:
    """The title with the unit and period filled in and any figure left out (for file names)."""
    out = []
    for part in parse(draft.title):
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Special):
            if part.name == "unit":
                out.append(draft.unit.name)
            elif part.name == "period":
                out.append(draft.period_obj.label)
            elif part.name == "as_of":
                out.append(as_of_words(draft.period_obj))
            elif draft.campaign_id:
                out.append(draft.campaign.name)
    return "".join(out)


def build(draft, user, *, snapshot: dict | None = None) -> Document:
    """The draft with its headings numbered and its placeholders resolved."""
    resolver = Resolver(draft, user, snapshot=snapshot)
    sections = list(draft.sections.all())
    resolver.prefetch([draft.title, *(t for s in sections for t in (s.heading, s.body or ""))])
    title = resolver.segments(draft.title, tables=False)
    blocks = []
    counters = [0, 0, 0, 0, 0]
    for section in sections:
        if section.level:
            counters[section.level] += 1
            for deeper in range(section.level + 1, 5):
                counters[deeper] = 0
            blocks.append(
                Block(
                    "heading",
                    section.level,
                    heading_number(section.level, counters[section.level]),
                    resolver.segments(section.heading, tables=False),
                )
            )
        for line in (section.body or "").splitlines():
            if not line.strip():
                continue
            segments = resolver.segments(line.strip())
            tables = [s for s in segments if isinstance(s, Table)]
            rest = [s for s in segments if not isinstance(s, Table)]
            if any(s.text.strip() for s in rest):
                blocks.append(Block("paragraph", section.level, segments=rest))
            for t in tables:
                blocks.append(Block("table", section.level, table=t))
    return Document(title=title, blocks=blocks, resolver=resolver)
