"""Rules of credit cooperation.

Rating (信用等级评定)
    A scorecard edition is usable when its scored sections add up to 100 points, each scored
    section's items to its points, and its grade bands rise with the grade. A rating is opened
    for a member and a year on a usable edition, scored item by item with evidence (评分), and
    approved (审批) by someone other than the rater; an approved rating no longer changes. Once
    an edition has a rating it is frozen: a change is a new edition, and every rating keeps the
    edition, the items as they stood and the points it scored.

    The total: each scored section counts its items' points up to its cap; the bonus items add
    up to the bonus section's cap, the deduction items take away up to theirs; the total is kept
    between 0 and 100.

    The rounding rule: points are kept to two decimals, and a score given with more is refused,
    never rounded; the total is their exact sum. The grade is the best band whose lowest total
    the exact total reaches: nothing is rounded up into a better grade, so with AAA ≥ 80,
    AA ≥ 70, A ≥ 60, a total of 69.99 is A and 59.5 earns no grade.

Guarantees (融资担保)
    A guarantee is in force (在保) from its start; its balance (在保余额) on a day is its
    amount less the releases (解保) dated up to that day, and nothing from the day of a
    compensation (代偿). Recoveries (追偿回收) reduce what the compensation left unrecovered.
    A guarantee past its end date with no release is still in force (overdue): nothing is
    released silently. Every figure on a day is computed from the events dated up to it, so it
    reads the same whenever asked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused

from .models import (
    GRADE_ORDER,
    ZERO,
    CreditRating,
    Grade,
    GradeBand,
    Guarantee,
    GuaranteeEvent,
    RatingScore,
    Scorecard,
    ScoreItem,
    ScoreSection,
)

FULL_MARKS = Decimal(100)
CENT = Decimal("0.01")


class CreditRefused(ActionRefused):
    """A step the credit rules do not allow now; the message says why."""


def _require(user, obj, action="change"):
    if not type(obj).objects.permitted(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not change this record."))


# --- scorecards --------------------------------------------------------------------------------


def is_used(scorecard: Scorecard) -> bool:
    return CreditRating.objects.filter(scorecard=scorecard).exists()


def scorecard_problems(scorecard: Scorecard) -> list[str]:
    """What keeps this edition from being used for a rating (none: it may)."""
    problems = []
    sections = list(scorecard.sections.prefetch_related("items"))
    base = [s for s in sections if s.kind == ScoreSection.Kind.BASE]
    total = sum((s.points for s in base), ZERO)
    if total != FULL_MARKS:
        problems.append(
            _("The scored sections add up to %(n)s points, not 100.") % {"n": _n(total)}
        )
    for s in sections:
        items = list(s.items.all())
        if not items:
            problems.append(_("The section “%(s)s” has no items.") % {"s": s.title})
        elif s.kind == ScoreSection.Kind.BASE:
            points = sum((i.points for i in items), ZERO)
            if points != s.points:
                problems.append(
                    _("The items of “%(s)s” add up to %(n)s points, not its %(cap)s.")
                    % {"s": s.title, "n": _n(points), "cap": _n(s.points)}
                )
    bands = {b.grade: b.min_score for b in scorecard.bands.all()}
    if not bands:
        problems.append(_("The scorecard has no grade bands."))
    ordered = [bands[g] for g in GRADE_ORDER if g in bands]
    if any(better <= worse for better, worse in zip(ordered, ordered[1:], strict=False)):
        problems.append(_("A better grade must need a higher total than a lower grade."))
    return problems


def check_scorecard_usable(scorecard: Scorecard) -> None:
    problems = scorecard_problems(scorecard)
    if problems:
        raise CreditRefused(
            _("The scorecard cannot be used yet: %(p)s") % {"p": "；".join(problems)}
        )


def scorecard_lock(scorecard: Scorecard | None) -> str | None:
    if scorecard is not None and scorecard.pk and is_used(scorecard):
        return _(
            "Ratings have used this edition of the scorecard, so it no longer changes: "
            "make a new edition to change it."
        )
    return None


def check_may_copy(scorecard: Scorecard, user=None) -> None:
    newer = Scorecard.objects.filter(
        unit_id=scorecard.unit_id, name=scorecard.name, edition__gt=scorecard.edition
    )
    if newer.exists():
        raise CreditRefused(_("A newer edition of this scorecard exists: copy that one."))


@transaction.atomic
def new_edition(*, scorecard: Scorecard, user, on: datetime.date) -> Scorecard:
    """A copy of this edition as the next, in use from `on`, to be changed while no rating has
    used it; the edition copied stays as it is, with its ratings."""
    _require(user, scorecard, "add")
    check_may_copy(scorecard)
    copy = Scorecard(
        unit_id=scorecard.unit_id,
        name=scorecard.name,
        valid_from=on,
        note=scorecard.note,
    )
    copy.edition = scorecard.edition + 1
    copy.previous = scorecard
    kit.create_row(obj=copy, user=user, source="action")
    _copy_content(scorecard, copy, user)
    return copy


def _copy_content(source: Scorecard, target: Scorecard, user) -> None:
    """The sections, items and bands of `source` written anew under `target` (same unit: the
    copy's own creation checked the scope), in three inserts; the copy's history row lists
    what it holds."""
    old = list(source.sections.prefetch_related("items").order_by("order", "id"))
    stamp = {"created_by": user, "updated_by": user}
    new = ScoreSection.objects.bulk_create(
        [
            ScoreSection(
                scorecard=target,
                order=s.order,
                title=s.title,
                kind=s.kind,
                points=s.points,
                **stamp,
            )
            for s in old
        ]
    )
    items = [
        ScoreItem(
            section=sec,
            code=i.code,
            order=i.order,
            title=i.title,
            points=i.points,
            guidance=i.guidance,
            **stamp,
        )
        for s, sec in zip(old, new, strict=True)
        for i in s.items.all()
    ]
    ScoreItem.objects.bulk_create(items)
    bands = [
        GradeBand(scorecard=target, grade=b.grade, min_score=b.min_score, **stamp)
        for b in source.bands.all()
    ]
    GradeBand.objects.bulk_create(bands)
    kit.record_change(
        obj=target,
        kind="update",
        user=user,
        before={},
        after={
            "copied_from": f"{source}",
            "items": [f"{i.code} {i.title} {i.points}" for i in items],
            "bands": [f"{b.grade} ≥ {b.min_score}" for b in bands],
        },
        source="action",
    )


# The built-in scorecard after SPEC §5: household situation 40, finances 50, credit history
# 10, with bonus and deduction items; grades AAA ≥ 80, AA ≥ 70, A ≥ 60.
BUILTIN_NAME = "农户信用等级评分表"
BUILTIN_SECTIONS = [
    (
        "家庭基本情况",
        "base",
        40,
        [
            ("h1", "家庭人口及劳动力状况", 10),
            ("h2", "从业经历与经营年限", 10),
            ("h3", "住房及固定资产", 10),
            ("h4", "遵纪守法与邻里评价", 10),
        ],
    ),
    (
        "家庭经济状况",
        "base",
        50,
        [
            ("f1", "家庭年纯收入", 20),
            ("f2", "资产负债情况", 15),
            ("f3", "生产经营规模与效益", 15),
        ],
    ),
    ("信用记录", "base", 10, [("c1", "借贷及还款记录", 10)]),
    ("加分项目", "bonus", 5, [("b1", "获评示范户、参加农合联培训等", 5)]),
    ("扣分项目", "deduction", 20, [("d1", "不良信用记录、欠息逾期等", 20)]),
]
BUILTIN_BANDS = [("AAA", 80), ("AA", 70), ("A", 60)]


@transaction.atomic
def create_builtin_scorecard(*, unit, user, valid_from: datetime.date, source="web") -> Scorecard:
    card = kit.create_row(
        obj=Scorecard(unit=unit, name=BUILTIN_NAME, valid_from=valid_from), user=user, source=source
    )
    for n, (title, kind, points, items) in enumerate(BUILTIN_SECTIONS, 1):
        sec = kit.create_row(
            obj=ScoreSection(
                scorecard=card, order=n, title=title, kind=kind, points=Decimal(points)
            ),
            user=user,
            source=source,
        )
        for k, (code, item, max_points) in enumerate(items, 1):
            kit.create_row(
                obj=ScoreItem(
                    section=sec, code=code, order=k, title=item, points=Decimal(max_points)
                ),
                user=user,
                source=source,
            )
    for grade, floor in BUILTIN_BANDS:
        kit.create_row(
            obj=GradeBand(scorecard=card, grade=grade, min_score=Decimal(floor)),
            user=user,
            source=source,
        )
    return card


# --- scoring -----------------------------------------------------------------------------------


def grade_for(total: Decimal | None, bands) -> str:
    """The best grade whose lowest total `total` reaches, compared exactly (no rounding); ""
    below every band. `bands`: GradeBand rows or (grade, min_score) pairs."""
    if total is None:
        return ""
    pairs = [(b.grade, b.min_score) if isinstance(b, GradeBand) else tuple(b) for b in bands]
    reached = [g for g, floor in pairs if total >= Decimal(floor)]
    for g in GRADE_ORDER:
        if g in reached:
            return str(g)
    return ""


def check_points(value, max_points: Decimal, *, label: str) -> Decimal:
    """A score as given, refused (never rounded) when negative, above the item's maximum or
    with more than two decimals."""
    try:
        value = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError(_("%(item)s: not a number.") % {"item": label}) from None
    if not value.is_finite():
        raise ValidationError(_("%(item)s: not a number.") % {"item": label})
    if value != value.quantize(CENT):
        raise ValidationError(
            _("%(item)s: points are kept to two decimals; %(v)s is not rounded, enter it again.")
            % {"item": label, "v": value}
        )
    if value < 0 or value > max_points:
        raise ValidationError(
            _("%(item)s: the points must be between 0 and %(max)s.")
            % {"item": label, "max": _n(max_points)}
        )
    return value


def total_of(lines) -> Decimal:
    """The total of scored lines, each (section, points): a scored section counts up to its
    cap, the bonus adds up to its cap, the deduction takes away up to its cap, and the total
    stays between 0 and 100."""
    by_section: dict = {}
    for section, points in lines:
        by_section.setdefault(section, []).append(points)
    base = bonus = deduction = ZERO
    for section, points in by_section.items():
        counted = min(sum(points, ZERO), section.points)
        if section.kind == ScoreSection.Kind.BONUS:
            bonus += counted
        elif section.kind == ScoreSection.Kind.DEDUCTION:
            deduction += counted
        else:
            base += counted
    return min(max(base + bonus - deduction, ZERO), FULL_MARKS)


def items_of(scorecard: Scorecard) -> list[ScoreItem]:
    return list(
        ScoreItem.objects.filter(section__scorecard=scorecard)
        .select_related("section")
        .order_by("section__order", "section_id", "order", "id")
    )


def check_may_score(rating: CreditRating, user=None) -> None:
    if rating.status == CreditRating.Status.APPROVED:
        raise CreditRefused(_("The rating is approved; it no longer changes."))


def check_may_approve(rating: CreditRating, user=None) -> None:
    if rating.status != CreditRating.Status.SCORED:
        raise CreditRefused(_("Only a scored rating awaiting approval can be approved."))
    if user is not None and rating.rated_by_id == getattr(user, "pk", None):
        raise CreditRefused(
            _("The rater cannot approve his own rating: another person must approve it.")
        )


def check_may_return(rating: CreditRating, user=None) -> None:
    if rating.status != CreditRating.Status.SCORED:
        raise CreditRefused(_("Only a scored rating awaiting approval can be returned."))


def _active_in(member, year: int) -> bool:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return member.joined_on <= end and (member.left_on is None or member.left_on >= start)


@transaction.atomic
def open_rating(*, rating: CreditRating, user, source: str = "web") -> CreditRating:
    """A rating of a member for a year on a usable scorecard edition, to be scored."""
    rating.full_clean()
    if not _active_in(rating.member, rating.year):
        raise ValidationError(
            {"member": _("The member was not in the federation in %(y)s.") % {"y": rating.year}}
        )
    if rating.scorecard.valid_from > datetime.date(rating.year, 12, 31):
        raise ValidationError(
            {
                "scorecard": _("This edition is in use only from %(d)s.")
                % {"d": rating.scorecard.valid_from}
            }
        )
    problems = scorecard_problems(rating.scorecard)
    if problems:
        raise ValidationError({"scorecard": problems})
    rating.edition = rating.scorecard.edition
    rating.status = CreditRating.Status.DRAFT
    return kit.create_row(obj=rating, user=user, source=source)


@transaction.atomic
def score_rating(
    *, rating: CreditRating, user, on: datetime.date, scores: dict, evidence: dict | None = None
) -> CreditRating:
    """Score every item of the rating's edition (`scores`: item code → points; a bonus or
    deduction item left out scores 0), with evidence per item; the total and the grade follow.
    The scorer becomes the rater; a scored rating may be scored again until approved."""
    _require(user, rating)
    row = CreditRating.objects.select_for_update().get(pk=rating.pk)
    check_may_score(row)
    evidence = evidence or {}
    items = items_of(row.scorecard)
    known = {i.code for i in items}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ValidationError(
            _("The scorecard has no item %(codes)s.") % {"codes": "、".join(unknown)}
        )
    lines, errors = [], []
    for item in items:
        value = scores.get(item.code)
        if value in (None, ""):
            if item.section.kind == ScoreSection.Kind.BASE:
                errors.append(_("%(item)s: score this item.") % {"item": item.title})
                continue
            value = ZERO
        try:
            lines.append((item, check_points(value, item.points, label=item.title)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    row.rated_on = kit.business_date(
        on,
        not_before=[
            (
                row.member.joined_on,
                _("The rating cannot be dated before the member joined (%(d)s).")
                % {"d": row.member.joined_on},
            )
        ],
    )
    RatingScore.objects.filter(rating=row).delete()
    RatingScore.objects.bulk_create(
        [
            RatingScore(
                rating=row,
                item=item,
                section_title=item.section.title,
                section_kind=item.section.kind,
                item_code=item.code,
                item_title=item.title,
                max_points=item.points,
                score=points,
                evidence=str(evidence.get(item.code) or "")[:300],
                created_by=user,
                updated_by=user,
            )
            for item, points in lines
        ]
    )
    row.total = total_of([(item.section, points) for item, points in lines])
    row.grade = grade_for(row.total, row.scorecard.bands.all())
    row.rated_by = user
    row.status = CreditRating.Status.SCORED
    row.returned_reason = ""
    return kit.update_row(obj=row, expected_version=row.version, user=user, source="action")


@transaction.atomic
def approve_rating(*, rating: CreditRating, user, on: datetime.date) -> CreditRating:
    """The rating approved by someone other than its rater, on or after the day it was rated."""
    _require(user, rating)
    row = CreditRating.objects.select_for_update().get(pk=rating.pk)
    check_may_approve(row, user)
    row.approved_on = kit.business_date(
        on,
        not_before=[
            (
                row.rated_on,
                _("The approval cannot be dated before the rating (%(d)s).") % {"d": row.rated_on},
            )
        ],
    )
    row.approved_by = user
    row.status = CreditRating.Status.APPROVED
    return kit.update_row(obj=row, expected_version=row.version, user=user, source="action")


@transaction.atomic
def return_rating(*, rating: CreditRating, user, on: datetime.date, reason: str) -> CreditRating:
    """Sent back to be scored again, with the reason."""
    _require(user, rating)
    row = CreditRating.objects.select_for_update().get(pk=rating.pk)
    check_may_return(row)
    kit.business_date(on)
    row.status = CreditRating.Status.DRAFT
    row.returned_reason = reason[:200]
    return kit.update_row(obj=row, expected_version=row.version, user=user, source="action")


def approved_by_end(rows, year: int, end: datetime.date):
    """Ratings of `year` approved by `end` (business dates)."""
    return rows.filter(year=year, status=CreditRating.Status.APPROVED, approved_on__lte=end)


def due_for_rerating(rows, year: int, end: datetime.date | None = None):
    """Last year's approved ratings whose member, still in the federation, has no rating of
    `year` approved by `end` (the end of `year` unless given): the yearly re-rating due."""
    end = end or datetime.date(year, 12, 31)
    newer = CreditRating.objects.filter(
        member=OuterRef("member"),
        year=year,
        status=CreditRating.Status.APPROVED,
        approved_on__lte=end,
    )
    return (
        approved_by_end(rows, year - 1, end)
        .filter(Q(member__left_on__isnull=True) | Q(member__left_on__gt=end))
        .filter(~Exists(newer))
    )


# --- credit villages and towns (信用村、信用镇) --------------------------------------------------


def village_share() -> Decimal:
    """The share of households rated at or above the grade that makes a credit village or
    town, in percent (setting GONGXIAO_CREDIT_VILLAGE_SHARE, 70 by default)."""
    return Decimal(str(getattr(settings, "GONGXIAO_CREDIT_VILLAGE_SHARE", 70)))


def village_grade() -> str:
    """The grade a household needs to count (setting GONGXIAO_CREDIT_VILLAGE_GRADE, A)."""
    return str(getattr(settings, "GONGXIAO_CREDIT_VILLAGE_GRADE", Grade.A))


def grades_at_or_above(grade: str) -> list[str]:
    order = [str(g) for g in GRADE_ORDER]
    return order[: order.index(grade) + 1] if grade in order else order


@dataclass
class CreditArea:
    unit: Any
    households: int
    rated: int

    @property
    def share(self) -> Decimal:
        return (Decimal(self.rated) * 100 / Decimal(self.households)) if self.households else ZERO


def credit_areas(members, ratings, year: int, end: datetime.date) -> list[CreditArea]:
    """Per unit of the tree holding households of its own (members who are farmers or large
    grain growers, in the federation at `end`), how many have a rating of `year` approved by
    `end` at or above the grade; a unit whose share reaches the setting is a credit village
    (or town). `members`, `ratings`: scoped querysets."""
    from gongxiao.agri.models import PERSON_KINDS

    households = members.filter(kind__in=list(PERSON_KINDS), joined_on__lte=end).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=end)
    )
    good = approved_by_end(ratings, year, end).filter(
        grade__in=grades_at_or_above(village_grade()), member__in=households
    )
    counts: dict = {}
    for unit_id in households.values_list("unit_id", flat=True):
        counts.setdefault(unit_id, [0, 0])[0] += 1
    for unit_id in good.values_list("member__unit_id", flat=True):
        counts.setdefault(unit_id, [0, 0])[1] += 1
    from gongxiao.org.models import Unit

    units = Unit.objects.in_bulk(list(counts))
    return [CreditArea(units[u], n, r) for u, (n, r) in sorted(counts.items())]


def credit_villages(members, ratings, year: int, end: datetime.date) -> list[CreditArea]:
    share = village_share()
    return [
        a for a in credit_areas(members, ratings, year, end) if a.households and a.share >= share
    ]


def village_ratings(members, ratings, end: datetime.date):
    """The ratings that make credit villages at `end`: those at or above the grade, of the
    year of `end` and approved by it, of households of the units that reach the share."""
    year = end.year
    villages = credit_villages(members, ratings, year, end)
    return approved_by_end(ratings, year, end).filter(
        member__unit__in=[v.unit.pk for v in villages],
        member__kind__in=_household_kinds(),
        grade__in=grades_at_or_above(village_grade()),
    )


def _household_kinds() -> list[str]:
    from gongxiao.agri.models import PERSON_KINDS

    return [str(k) for k in PERSON_KINDS]


# --- guarantees --------------------------------------------------------------------------------


MONEY = DecimalField(max_digits=16, decimal_places=4)


def _events_sum(kind: str, on: datetime.date):
    return Coalesce(
        Subquery(
            GuaranteeEvent.objects.filter(guarantee=OuterRef("pk"), kind=kind, date__lte=on)
            .order_by()
            .values("guarantee")
            .annotate(s=Sum("amount"))
            .values("s"),
            output_field=MONEY,
        ),
        Value(ZERO, output_field=MONEY),
    )


def with_position(rows, on: datetime.date):
    """The guarantees annotated with their position at the end of `on`: released, compensated
    (the day it was, or None), recovered, balance (在保余额) and in_force (在保)."""
    first_comp = GuaranteeEvent.objects.filter(
        guarantee=OuterRef("pk"), kind=GuaranteeEvent.Kind.COMPENSATION, date__lte=on
    )
    return rows.annotate(
        released=_events_sum(GuaranteeEvent.Kind.RELEASE, on),
        compensated_amount=_events_sum(GuaranteeEvent.Kind.COMPENSATION, on),
        recovered=_events_sum(GuaranteeEvent.Kind.RECOVERY, on),
        was_compensated=Exists(first_comp),
    )


def outstanding_on(rows, on: datetime.date):
    """The guarantees in force (在保) at the end of `on`, each annotated with its `balance`."""
    return (
        with_position(rows, on)
        .filter(start_date__lte=on, was_compensated=False)
        .annotate(balance=F("amount") - F("released"))
        .filter(balance__gt=0)
    )


@dataclass
class Position:
    """A guarantee on a day, from its events dated up to it."""

    started: bool
    balance: Decimal
    released: Decimal
    compensated: Decimal
    recovered: Decimal
    compensated_on: datetime.date | None

    @property
    def in_force(self) -> bool:
        return self.started and self.balance > 0

    @property
    def unrecovered(self) -> Decimal:
        return self.compensated - self.recovered

    @property
    def status(self) -> str:
        if not self.started:
            return _("not started")
        if self.compensated_on is not None:
            return _("compensated (代偿)")
        if self.balance > 0:
            return _("in force (在保)")
        return _("released (解保)")


def position(guarantee: Guarantee, on: datetime.date, events=None) -> Position:
    events = [e for e in (events if events is not None else guarantee.events.all()) if e.date <= on]

    def total(kind):
        return sum((e.amount for e in events if e.kind == kind), ZERO)

    comp_days = [e.date for e in events if e.kind == GuaranteeEvent.Kind.COMPENSATION]
    released = total(GuaranteeEvent.Kind.RELEASE)
    started = guarantee.start_date <= on
    balance = ZERO if (comp_days or not started) else guarantee.amount - released
    return Position(
        started=started,
        balance=balance,
        released=released,
        compensated=total(GuaranteeEvent.Kind.COMPENSATION),
        recovered=total(GuaranteeEvent.Kind.RECOVERY),
        compensated_on=min(comp_days) if comp_days else None,
    )


def _last_event_day(guarantee) -> datetime.date:
    last = guarantee.events.order_by("-date").values_list("date", flat=True).first()
    return max(last, guarantee.start_date) if last else guarantee.start_date


def check_in_force(guarantee: Guarantee, user=None) -> None:
    pos = position(guarantee, datetime.date.max)
    if pos.compensated_on is not None:
        raise CreditRefused(_("The guarantee was compensated; it is no longer in force."))
    if pos.balance <= 0:
        raise CreditRefused(_("The guarantee has been released in full."))


def check_compensated(guarantee: Guarantee, user=None) -> None:
    pos = position(guarantee, datetime.date.max)
    if pos.compensated_on is None:
        raise CreditRefused(_("Only a compensated guarantee has anything to recover."))
    if pos.unrecovered <= 0:
        raise CreditRefused(_("The compensation has been recovered in full."))


def _event_day(guarantee, on, kind_label) -> datetime.date:
    floor = _last_event_day(guarantee)
    return kit.business_date(
        on,
        not_before=[
            (
                floor,
                _("%(event)s cannot be dated before %(d)s (the start or the last event).")
                % {"event": kind_label, "d": floor},
            )
        ],
    )


def _amount(value, most: Decimal, *, field="amount") -> Decimal:
    value = Decimal(str(value))
    if value <= 0:
        raise ValidationError({field: _("The amount must be more than 0.")})
    if value > most:
        raise ValidationError(
            {field: _("The amount cannot exceed %(n)s (10,000 yuan).") % {"n": _n(most)}}
        )
    return value


def _record(guarantee, user, kind, day, amount, note) -> GuaranteeEvent:
    return kit.create_row(
        obj=GuaranteeEvent(guarantee=guarantee, kind=kind, date=day, amount=amount, note=note),
        user=user,
        source="action",
    )


@transaction.atomic
def release(*, guarantee: Guarantee, user, on, amount=None, note: str = "") -> GuaranteeEvent:
    """解保: the balance released on `on`, all of it unless `amount` is given (a part)."""
    _require(user, guarantee)
    row = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
    check_in_force(row)
    day = _event_day(row, on, _("A release"))
    balance = position(row, datetime.date.max).balance
    amount = balance if amount in (None, "") else _amount(amount, balance)
    return _record(row, user, GuaranteeEvent.Kind.RELEASE, day, amount, note)


@transaction.atomic
def compensate(*, guarantee: Guarantee, user, on, amount, note: str = "") -> GuaranteeEvent:
    """代偿: the guarantor paid the lender `amount` on `on`; the guarantee leaves 在保."""
    _require(user, guarantee)
    row = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
    check_in_force(row)
    day = _event_day(row, on, _("A compensation"))
    amount = _amount(amount, position(row, datetime.date.max).balance)
    return _record(row, user, GuaranteeEvent.Kind.COMPENSATION, day, amount, note)


@transaction.atomic
def recover(*, guarantee: Guarantee, user, on, amount, note: str = "") -> GuaranteeEvent:
    """追偿回收: `amount` of the compensation recovered on `on`."""
    _require(user, guarantee)
    row = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
    check_compensated(row)
    day = _event_day(row, on, _("A recovery"))
    amount = _amount(amount, position(row, datetime.date.max).unrecovered)
    return _record(row, user, GuaranteeEvent.Kind.RECOVERY, day, amount, note)


def _n(value) -> str:
    from gongxiao.core.metrics import number

    return number(value)
