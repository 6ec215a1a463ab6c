"""Quantities and their measures (SPEC §4: "figures of different measures are never added;
declared conversions only").

A measure belongs to a dimension (mass, area, service area, pieces, money …) and has a factor
to that dimension's base. Two quantities add, subtract or compare only within one dimension,
after conversion (kg and t, 亩 and m², 元 and 万元); 亩 and 亩次, t and 件 never do, and a rate
(%) adds to nothing. A measure not declared here is a dimension of its own: it adds only to
itself, so a measure a later module invents can never be summed with another by accident.

    Quantity(Decimal("1.5"), "t") + Quantity(Decimal("500"), "kg")   # 2 t
    Quantity(Decimal("10"), "亩") + Quantity(Decimal("10"), "亩次")    # MeasureMismatch

Models keep a quantity as a value field beside a measure field (`measure_choices(...)`) and
sum it in the database with `converted_sum`, which counts only the rows whose measure converts
to the target (`convertible_to` names them, so the rows behind a figure are exactly those it
adds).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Case, F, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Measure:
    symbol: str  # as printed after the number: t, kg, 亩, 亩次, 件, 万元, 人次, %
    dimension: str
    factor: Decimal = Decimal(1)  # how many of the dimension's base one of this is
    # A rate, or an average, adds to nothing, not even to itself.
    additive: bool = True


class MeasureMismatch(ValueError):
    """Quantities of different measures were to be added or compared: the message says which,
    in the reader's language."""

    def __init__(self, a: str, b: str):
        self.measures = (a, b)
        if a == b:
            message = _("Figures in %(a)s cannot be added together.") % {"a": a}
        else:
            message = _(
                "Figures in %(a)s and in %(b)s are different quantities: they cannot be "
                "added or compared."
            ) % {"a": a, "b": b}
        super().__init__(message)


_TEN_THOUSAND = Decimal(10000)
_MU = Decimal(10000) / Decimal(15)  # 1 亩 = 10000/15 m² (SPEC §5)

_declared: dict[str, Measure] = {}


def declare(measure: Measure, *aliases: str) -> Measure:
    for symbol in (measure.symbol, *aliases):
        _declared[symbol] = measure
    return measure


# Mass (base kg).
declare(Measure("kg", "mass"), "千克", "公斤")
declare(Measure("t", "mass", Decimal(1000)), "吨")
# Land area (base m²). 亩 and 亩次 are different dimensions: land held vs. land × times served.
declare(Measure("m²", "area"), "平方米", "m2")
declare(Measure("亩", "area", _MU))
declare(Measure("公顷", "area", Decimal(10000)), "ha")
declare(Measure("亩次", "service_area"))
declare(Measure("万亩次", "service_area", _TEN_THOUSAND))
# Pieces of something counted one by one (packaging collected, items sold).
declare(Measure("件", "pieces"))
# Money (base 元).
declare(Measure("元", "money"))
declare(Measure("万元", "money", _TEN_THOUSAND))
declare(Measure("亿元", "money", Decimal(100_000_000)))
# Counts of different things: each its own dimension, never added to another.
for _symbol, _dimension in [
    ("次", "times"),
    ("场", "events"),
    ("人次", "person_times"),
    ("人", "persons"),
    ("户", "households"),
    ("条", "entries"),
    ("份", "copies"),
    ("项", "matters"),
    ("家", "organisations"),
    ("个", "things"),
    ("笔", "transactions"),
]:
    declare(Measure(_symbol, _dimension))
declare(Measure("%", "rate", additive=False))


def measure(symbol: str) -> Measure:
    """The declared measure of `symbol`; an undeclared one is a dimension of its own."""
    found = _declared.get(symbol)
    if found is not None:
        return found
    return Measure(symbol, f"undeclared:{symbol}")


def compatible(a: str, b: str) -> bool:
    ma, mb = measure(a), measure(b)
    return ma.additive and mb.additive and ma.dimension == mb.dimension


def check_addable(a: str, b: str) -> None:
    if not compatible(a, b):
        raise MeasureMismatch(a, b)


def same_kind(a: str, b: str) -> bool:
    """Whether quantities in `a` and `b` may be converted and compared (a rate with a rate)."""
    return measure(a).dimension == measure(b).dimension


def factor(source: str, target: str) -> Decimal:
    """What one `source` is in `target` (1000 for t → kg); refused across dimensions."""
    if not same_kind(source, target):
        raise MeasureMismatch(source, target)
    return measure(source).factor / measure(target).factor


def convert(value, source: str, target: str) -> Decimal:
    if source == target:
        return Decimal(value)
    return Decimal(value) * factor(source, target)


def convertible_to(target: str, among: Iterable[str] | None = None) -> list[str]:
    """The symbols (of `among`, default every declared one) that convert to `target`."""
    symbols = list(among) if among is not None else list(_declared)
    return [s for s in symbols if compatible(s, target)]


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    measure: str

    def __post_init__(self):
        if isinstance(self.value, float):
            raise TypeError("A quantity is a Decimal, never a float.")
        object.__setattr__(self, "value", Decimal(self.value))

    def to(self, target: str) -> Quantity:
        return Quantity(convert(self.value, self.measure, target), target)

    def __add__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        check_addable(self.measure, other.measure)
        return Quantity(self.value + other.to(self.measure).value, self.measure)

    def __sub__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        check_addable(self.measure, other.measure)
        return Quantity(self.value - other.to(self.measure).value, self.measure)

    def _cmp(self, other: Quantity) -> tuple[Decimal, Decimal]:
        if not isinstance(other, Quantity):
            raise TypeError("A quantity compares only with a quantity.")
        return self.value, other.to(self.measure).value

    def __lt__(self, other: Quantity) -> bool:
        a, b = self._cmp(other)
        return a < b

    def __le__(self, other: Quantity) -> bool:
        a, b = self._cmp(other)
        return a <= b

    def __gt__(self, other: Quantity) -> bool:
        a, b = self._cmp(other)
        return a > b

    def __ge__(self, other: Quantity) -> bool:
        a, b = self._cmp(other)
        return a >= b

    def same_as(self, other: Quantity) -> bool:
        a, b = self._cmp(other)
        return a == b

    def __str__(self) -> str:
        from gongxiao.core.metrics import number

        return f"{number(self.value)}{self.measure}"


def total(quantities: Iterable[Quantity], target: str | None = None) -> Quantity:
    """The sum of `quantities` in `target` (the first one's measure by default); refused when
    any two are of different dimensions."""
    items = list(quantities)
    if target is None:
        if not items:
            raise ValueError("A total of nothing needs its measure.")
        target = items[0].measure
    if not measure(target).additive:
        raise MeasureMismatch(target, target)
    out = Quantity(Decimal(0), target)
    for q in items:
        out = out + q
    return out


# --- models --------------------------------------------------------------------------------


# How a stored symbol reads in a choice list.
LABELS = {
    "t": gettext_lazy("tonnes (t)"),
    "kg": gettext_lazy("kilograms (kg)"),
    "件": gettext_lazy("pieces"),
    "亩": gettext_lazy("mu"),
    "亩次": gettext_lazy("mu-times"),
    "m²": gettext_lazy("square metres"),
    "元": gettext_lazy("yuan"),
    "万元": gettext_lazy("10,000 yuan"),
}


def measure_choices(*symbols: str) -> list[tuple[str, object]]:
    """Choices for a model's measure field: each symbol as stored and as shown."""
    for s in symbols:
        if s not in LABELS:
            raise ValueError(f"Measure {s!r} has no label in core.quantities.LABELS.")
    return [(s, LABELS[s]) for s in symbols]


def converted_sum(value_field: str, measure_field: str, target: str, among: Iterable[str]):
    """Sum(value) over rows, each converted from its row's measure to `target`; rows of a
    measure that does not convert count nothing (filter them out with `convertible_to`, so the
    rows listed are those added)."""
    output = models.DecimalField(max_digits=20, decimal_places=6)
    whens = [
        When(
            **{measure_field: s},
            then=F(value_field) * Value(factor(s, target), output_field=output),
        )
        for s in convertible_to(target, among)
    ]
    return Sum(Case(*whens, default=Value(Decimal(0)), output_field=output), output_field=output)
