"""The scoring rules of an indicator (指标项), as data: each kind reads its parameters from the
indicator's `params` and turns a measured value (or, for a manual indicator, the points given)
into points. Pure functions over Decimal, so each rule is tested at its edges by calling one.

    manual      points given by the assessor, 0 … the indicator's weight
    ladder      {"steps": [[threshold, points], …]}: the points of the highest threshold reached
    proportion  points = weight × value ÷ target, capped at the weight (or at {"cap": …})
    deduction   {"per": 2, "floor": 0}: the weight less `per` for each occurrence, never below floor
    bonus       {"per": 1, "cap": 5}: `per` for each occurrence, never above cap (加分项, outside
                the 100 points of the weights)
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ZERO = Decimal(0)
HUNDRED = Decimal(100)
POINT = Decimal("0.01")

MANUAL, LADDER, PROPORTION, DEDUCTION, BONUS = (
    "manual",
    "ladder",
    "proportion",
    "deduction",
    "bonus",
)
KINDS = (MANUAL, LADDER, PROPORTION, DEDUCTION, BONUS)
# Kinds whose value is a measured figure (a count, an amount) rather than points given.
MEASURED = (LADDER, PROPORTION, DEDUCTION, BONUS)


def dec(value, name: str = "") -> Decimal:
    """A parameter as a Decimal, or a ValidationError naming it."""
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(
            _("“%(value)s” is not a number (%(name)s).") % {"value": value, "name": name}
        ) from None
    if not out.is_finite():
        raise ValidationError(
            _("“%(value)s” is not a number (%(name)s).") % {"value": value, "name": name}
        )
    return out


def q(value: Decimal) -> Decimal:
    return value.quantize(POINT, rounding=ROUND_HALF_UP)


def check_params(kind: str, weight: Decimal, params: dict) -> dict:
    """The parameters of `kind` cleaned, or a ValidationError saying what is wrong."""
    params = dict(params or {})
    if kind not in KINDS:
        raise ValidationError(_("Unknown scoring rule “%(kind)s”.") % {"kind": kind})
    if kind == BONUS:
        if weight != ZERO:
            raise ValidationError(
                _("A bonus indicator carries no weight: its points come on top of the 100.")
            )
    elif weight <= ZERO:
        raise ValidationError(_("The weight of an indicator must be above 0."))
    if kind == LADDER:
        steps = params.get("steps")
        if not isinstance(steps, list) or not steps:
            raise ValidationError(_("A ladder needs its steps: [[threshold, points], …]."))
        clean: list[tuple[Decimal, Decimal]] = []
        for step in steps:
            if not isinstance(step, (list, tuple)) or len(step) != 2:
                raise ValidationError(_("Each step of a ladder is [threshold, points]."))
            threshold, points = dec(step[0], _("threshold")), dec(step[1], _("points"))
            if not ZERO <= points <= weight:
                raise ValidationError(
                    _("A step gives %(points)s points, outside 0 … %(weight)s.")
                    % {"points": points, "weight": weight}
                )
            if clean and threshold <= clean[-1][0]:
                raise ValidationError(_("The thresholds of a ladder must rise step by step."))
            clean.append((threshold, points))
        return {"steps": [[str(t), str(p)] for t, p in clean]}
    if kind == PROPORTION:
        cap = dec(params.get("cap", weight), _("cap"))
        if not ZERO < cap <= weight:
            raise ValidationError(
                _("The cap of a proportion must be above 0 and at most the weight %(weight)s.")
                % {"weight": weight}
            )
        return {"cap": str(cap)}
    if kind == DEDUCTION:
        per = dec(params.get("per"), _("points per occurrence"))
        floor = dec(params.get("floor", 0), _("floor"))
        if per <= ZERO:
            raise ValidationError(_("A deduction per occurrence must be above 0."))
        if not ZERO <= floor < weight:
            raise ValidationError(
                _("The floor of a deduction must be at least 0 and below the weight %(weight)s.")
                % {"weight": weight}
            )
        return {"per": str(per), "floor": str(floor)}
    if kind == BONUS:
        per = dec(params.get("per"), _("points per occurrence"))
        cap = dec(params.get("cap"), _("cap"))
        if per <= ZERO or cap <= ZERO:
            raise ValidationError(_("A bonus needs points per occurrence and a cap above 0."))
        return {"per": str(per), "cap": str(cap)}
    return {}


def points(kind: str, weight: Decimal, params: dict, value, target=None) -> Decimal:
    """The points for `value` under the rule; a ValidationError for a value the rule refuses."""
    value = dec(value, _("value"))
    if kind == MANUAL:
        if not ZERO <= value <= weight:
            raise ValidationError(
                _("The points given must be between 0 and %(weight)s; %(value)s is not.")
                % {"weight": q(weight), "value": value}
            )
        return q(value)
    if value < ZERO:
        raise ValidationError(_("A measured value cannot be below 0."))
    if kind == LADDER:
        reached = ZERO
        for threshold, pts in params["steps"]:
            if value >= Decimal(threshold):
                reached = Decimal(pts)
        return q(reached)
    if kind == PROPORTION:
        if target in (None, "") or Decimal(str(target)) <= ZERO:
            raise ValidationError(_("A proportion of a target needs a target above 0."))
        cap = Decimal(params.get("cap", weight))
        return q(min(weight * value / Decimal(str(target)), cap))
    if kind == DEDUCTION:
        per, floor = Decimal(params["per"]), Decimal(params.get("floor", 0))
        return q(max(weight - per * value, floor))
    if kind == BONUS:
        per, cap = Decimal(params["per"]), Decimal(params["cap"])
        return q(min(per * value, cap))
    raise ValidationError(_("Unknown scoring rule “%(kind)s”.") % {"kind": kind})


def weight_problem(weights) -> str | None:
    """Why weights (of the indicators that count toward the 100) do not total exactly 100, or
    None when they do."""
    total = sum((Decimal(str(w)) for w in weights), ZERO)
    if total == HUNDRED:
        return None
    diff = HUNDRED - total
    if diff > 0:
        return _("The weights total %(total)s points, %(diff)s short of 100.") % {
            "total": _fmt(total),
            "diff": _fmt(diff),
        }
    return _("The weights total %(total)s points, %(diff)s over 100.") % {
        "total": _fmt(total),
        "diff": _fmt(-diff),
    }


def _fmt(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def competition_ranks(totals: list[tuple[object, Decimal]]) -> dict:
    """Standard competition ranking (1, 1, 3): each key's rank by total, highest first; ties
    share a rank and the next rank skips."""
    ordered = sorted(totals, key=lambda kv: -kv[1])
    ranks: dict = {}
    previous, rank = None, 0
    for i, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = i, total
        ranks[key] = rank
    return ranks


def grade_for(total: Decimal, bands) -> str:
    """The grade of the band the total falls in: bands [[minimum, grade], …]."""
    best = ""
    for minimum, grade in sorted(bands or [], key=lambda b: Decimal(str(b[0]))):
        if total >= Decimal(str(minimum)):
            best = grade
    return best


PERSON_BANDS = [["90", "优秀"], ["75", "称职"], ["60", "基本称职"], ["0", "不称职"]]


def check_bands(bands) -> list:
    if not bands:
        return []
    if not isinstance(bands, list):
        raise ValidationError(_("Grade bands are a list: [[minimum, grade], …]."))
    out = []
    for band in bands:
        if not isinstance(band, (list, tuple)) or len(band) != 2 or not str(band[1]).strip():
            raise ValidationError(_("Each grade band is [minimum, grade]."))
        minimum = dec(band[0], _("minimum"))
        if not ZERO <= minimum <= HUNDRED:
            raise ValidationError(_("The minimum of a grade band must be between 0 and 100."))
        out.append([str(minimum), str(band[1]).strip()])
    mins = [Decimal(b[0]) for b in out]
    if len(set(mins)) != len(mins):
        raise ValidationError(_("Two grade bands start at the same score."))
    return out
