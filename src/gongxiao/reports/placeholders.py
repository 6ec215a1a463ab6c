"""Placeholders in the narrative of a draft, and their resolution for the draft's unit subtree
and period. Every figure resolved is recorded (F01, F02 …) so the working papers can list the
rows behind it.

    谈话提醒{{ supervision.talks.persons }}人次，同比{{ supervision.talks.persons | 同比 }}。
    {{ 表: rectification.items.found, rectification.items.closed }}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import metrics
from gongxiao.core.periods import Period

TOKEN = re.compile(r"\{\{\s*(.*?)\s*\}\}")
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
SPECIALS = {"单位": "unit", "unit": "unit", "期间": "period", "period": "period"}


@dataclass(frozen=True)
class FigureRef:
    key: str
    modifiers: frozenset = frozenset()


@dataclass(frozen=True)
class TableRef:
    keys: tuple
    modifiers: frozenset = frozenset()


@dataclass(frozen=True)
class Special:
    name: str


@dataclass(frozen=True)
class BadRef:
    source: str
    message: str


def parse(text: str) -> list:
    """Split text into plain strings and references."""
    parts: list = []
    pos = 0
    for m in TOKEN.finditer(text or ""):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        parts.append(_parse_token(m.group(1), m.group(0)))
        pos = m.end()
    if pos < len(text or ""):
        parts.append(text[pos:])
    return parts


def _parse_token(inner: str, source: str):
    if inner in SPECIALS:
        return Special(SPECIALS[inner])
    head, *mods = [p.strip() for p in inner.split("|")]
    resolved = set()
    for mod in mods:
        if mod not in MODIFIERS:
            return BadRef(
                source,
                _("“%(mod)s” is not a modifier; use 上年, 同比 or 本专项.") % {"mod": mod},
            )
        resolved.add(MODIFIERS[mod])
    for prefix in TABLE_PREFIXES:
        if head.startswith(prefix):
            keys = tuple(k.strip() for k in re.split(r"[,，、]", head[len(prefix) :]) if k.strip())
            if not keys:
                return BadRef(source, _("A table needs at least one metric key."))
            unknown = [k for k in keys if k not in metrics._metrics]
            if unknown:
                return BadRef(source, _unknown(unknown[0]))
            if resolved - {"campaign"}:
                return BadRef(source, _("A table takes only the modifier 本专项."))
            return TableRef(keys, frozenset(resolved))
    if head not in metrics._metrics:
        return BadRef(source, _unknown(head))
    return FigureRef(head, frozenset(resolved))


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

    @property
    def label(self) -> str:
        return str(self.metric.label)


@dataclass
class Segment:
    text: str
    figure: Used | None = None
    error: str = ""


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
        self.errors: list[str] = []

    # A figure is identified by metric, unit, period and filters.
    def figure(self, key, *, unit=None, period=None, filters=None, computed=None) -> Used:
        unit = unit or self.unit
        period = period or self.period
        filters = dict(filters or {})
        ident = (key, unit.pk, period.code, tuple(sorted(filters.items())))
        if ident in self.used:
            return self.used[ident]
        fig = computed or metrics.compute(key, self.user, unit, period, filters or None)
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
        )
        self.used[ident] = used
        return used

    def segments(self, text: str, *, tables: bool = True) -> list:
        """Text and figures, in order; a table reference becomes a Table (only in body text)."""
        out = []
        for part in parse(text):
            if isinstance(part, TableRef) and not tables:
                part = BadRef(
                    "{{ 表: " + ", ".join(part.keys) + " }}",
                    _("A table goes on a line of its own in the text, not in a title or heading."),
                )
            if isinstance(part, str):
                out.append(Segment(part))
            elif isinstance(part, Special):
                out.append(Segment(self.unit.name if part.name == "unit" else self.period.label))
            elif isinstance(part, BadRef):
                out.append(self._error(part.source, part.message))
            elif isinstance(part, TableRef):
                out.append(self.table(part))
            else:
                out.append(self.figure_segment(part))
        return out

    def _error(self, source, message) -> Segment:
        self.errors.append(f"{source}: {message}")
        return Segment(source, error=message)

    def _filters(self, ref: FigureRef, metric) -> dict | str:
        if "campaign" not in ref.modifiers:
            return {}
        if not self.draft.campaign_id:
            return _("This draft names no campaign, so 本专项 cannot apply.")
        if "campaign" not in metric.dimensions:
            return _("“%(label)s” cannot be counted by campaign.") % {"label": metric.label}
        return {metric.dimensions["campaign"]: self.draft.campaign_id}

    def figure_segment(self, ref: FigureRef) -> Segment:
        source = "{{ " + " | ".join([ref.key, *sorted(ref.modifiers)]) + " }}"
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
        return Segment(fmt(used.value), used)

    def table(self, ref: TableRef) -> Table | Segment:
        """Units × metrics: the unit's own rows, each child's subtree, and the total."""
        source = "{{ 表: " + ", ".join(ref.keys) + " }}"
        filters_by_key = {}
        for key in ref.keys:
            f = self._filters(FigureRef(key, ref.modifiers), metrics.get_metric(key))
            if isinstance(f, str):
                return self._error(source, f)
            filters_by_key[key] = f
        children = metrics.child_units(self.user, self.unit)
        try:
            columns = [
                metrics.rollup(k, self.user, self.unit, self.period, filters_by_key[k], children)
                for k in ref.keys
            ]
        except PermissionDenied:
            return self._error(
                source, _("Your roles do not allow one of the figures of this table.")
            )
        headers = [_("Unit")] + [
            f"{metrics.get_metric(k).label}（{metrics.get_metric(k).measure}）" for k in ref.keys
        ]
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
                cells.append(Segment(fmt(used.value), used))
            rows.append(cells)
        total = [Segment(_("Total"))]
        for key in ref.keys:
            used = self.figure(key, filters=filters_by_key[key])
            total.append(Segment(fmt(used.value), used))
        rows.append(total)
        return Table(headers=headers, rows=rows)

    def snapshot_values(self) -> dict:
        return {_snapshot_key(ident): _json(u.value) for ident, u in self.used.items()}


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
    def figures(self) -> list[Used]:
        return list(self.resolver.used.values())


def plain_title(draft) -> str:
    """The title with the unit and period filled in and any figure left out (for file names)."""
    out = []
    for part in parse(draft.title):
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Special):
            out.append(draft.unit.name if part.name == "unit" else draft.period_obj.label)
    return "".join(out)


def build(draft, user, *, snapshot: dict | None = None) -> Document:
    """The draft with its headings numbered and its placeholders resolved."""
    resolver = Resolver(draft, user, snapshot=snapshot)
    title = resolver.segments(draft.title, tables=False)
    blocks = []
    counters = [0, 0, 0, 0, 0]
    for section in draft.sections.all():
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
