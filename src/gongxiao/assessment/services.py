"""The rules of 绩效考核, every write and every step of a cycle:

    scheme   draft ──(a cycle opens on it)──▶ locked; a change is a new edition
    cycle    draft ──open──▶ open ──publish──▶ published
    sheet    open ──submit_self──▶ self_assessed ──finish_scoring──▶ scored ──review──▶ reviewed
    appeal   filed ──decide──▶ upheld (the score reopens) | rejected

Scores are given by the assessing unit (the cycle's unit) only; a sheet is reviewed by a
second person, not its scorer; a cycle publishes once every sheet is reviewed, ranking each
peer group (ties share a rank: 1, 1, 3) and sharing the sheets with the units of the cycle.
An upheld appeal reopens one indicator's score; scoring it again recomputes that sheet's
total and its peer group's ranking."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongxiao.core import scoping
from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused
from gongxiao.core.models import ChangeRecord
from gongxiao.core.periods import parse_period
from gongxiao.org.models import Unit

from . import fill, rules
from .models import Appeal, Cycle, Indicator, Scheme, Score, Sheet, Subject

ZERO = Decimal(0)


class AssessmentRefused(ActionRefused):
    """A step of an assessment the rules do not allow now."""


# --- peer groups -------------------------------------------------------------------------------

PEER_GROUPS = {
    Unit.Kind.GRASSROOTS: "基层社",
    Unit.Kind.ENTERPRISE: "社属企业",
    Unit.Kind.MEMBER: "乡镇农合联",
}


def peer_group_of(unit) -> str:
    """The peer group a unit is ranked in by default: grassroots co-ops with one another,
    enterprises with enterprises, township 农合联 with theirs."""
    return PEER_GROUPS.get(unit.kind, str(unit.get_kind_display()))


# --- schemes -----------------------------------------------------------------------------------


def weights_problem(scheme: Scheme) -> str | None:
    """Why the scheme's weights do not total exactly 100 (bonus items aside), or None."""
    return rules.weight_problem(
        [i.weight for i in scheme.indicators.all() if i.rule != rules.BONUS]
    )


def scheme_lock_reason(scheme: Scheme) -> str | None:
    day = scheme.locked_on
    if day:
        return _(
            "The scheme is locked: a cycle has opened on it (%(day)s). Make a new edition to "
            "change it."
        ) % {"day": day.isoformat()}
    return None


def check_scheme_editable(scheme: Scheme) -> None:
    reason = scheme_lock_reason(Scheme.objects.get(pk=scheme.pk)) if scheme.pk else None
    if reason:
        raise AssessmentRefused(reason)


def add_indicator(*, indicator: Indicator, user, source: str = "web") -> Indicator:
    check_scheme_editable(indicator.scheme)
    return kit.create_row(obj=indicator, user=user, source=source)


def check_new_edition(scheme: Scheme, user=None) -> None:
    if Scheme.objects.filter(based_on=scheme).exists():
        raise AssessmentRefused(_("A later edition of this scheme exists; edit that one."))


@transaction.atomic
def new_edition(*, scheme: Scheme, user, on=None, note: str = "") -> Scheme:
    """A copy of the scheme and its indicators as the next edition, open to change; the old
    edition stays as it was, with the cycles scored by it."""
    check_new_edition(scheme)
    kit.business_date(on)
    last = Scheme.objects.filter(unit=scheme.unit, code=scheme.code).order_by("-edition").first()
    copy = Scheme(
        unit=scheme.unit,
        code=scheme.code,
        name=scheme.name,
        edition=(last.edition if last else scheme.edition) + 1,
        subject=scheme.subject,
        bands=scheme.bands,
        based_on=scheme,
        note=note or scheme.note,
    )
    kit.create_row(obj=copy, user=user, source="action")
    kit.bulk_create_rows(
        model=Indicator,
        objs=[
            Indicator(
                scheme=copy,
                section=i.section,
                order=i.order,
                name=i.name,
                weight=i.weight,
                rule=i.rule,
                params=i.params,
                metric=i.metric,
                narrowing=i.narrowing,
                target=i.target,
                guidance=i.guidance,
            )
            for i in scheme.indicators.all()
        ],
        user=user,
        source="action",
    )
    return copy


# --- cycles ------------------------------------------------------------------------------------


def _scheme(cycle: Cycle) -> Scheme:
    if cycle.scheme is None:
        raise AssessmentRefused(_("A quarterly or yearly cycle is scored by a scheme."))
    return cycle.scheme


def _require_assessor(cycle: Cycle, user) -> None:
    """Scores, reviews and publications are the assessing unit's alone."""
    if not scoping.can(user, "change", cycle):
        raise AssessmentRefused(
            _("Only the assessing unit (%(unit)s) scores this cycle.") % {"unit": cycle.unit.name}
        )


def _indicators(cycle: Cycle) -> list[Indicator]:
    # Read once for the dry run and the step (the runner hands both the same locked row).
    if not hasattr(cycle, "_gx_indicators"):
        cycle._gx_indicators = list(_scheme(cycle).indicators.all())  # type: ignore[attr-defined]
    return cycle._gx_indicators  # type: ignore[attr-defined]


def _assessed(cycle: Cycle) -> list:
    """(unit, person) for each unit or person the cycle assesses, read once per row object."""
    if not hasattr(cycle, "_gx_assessed"):
        pairs: list
        if _scheme(cycle).subject == Subject.PERSONS:
            pairs = [(p.unit, p) for p in cycle.assessed_persons.select_related("unit")]
        else:
            pairs = [(u, None) for u in cycle.assessed_units.order_by("code")]
        cycle._gx_assessed = pairs  # type: ignore[attr-defined]
    return cycle._gx_assessed  # type: ignore[attr-defined]


def check_openable(cycle: Cycle, user=None, *, indicators=None, assessed=None) -> None:
    """Whether the cycle may open; `indicators` and `assessed` (the (unit, person) pairs), when
    the caller has read them already."""
    if cycle.status != Cycle.Status.DRAFT:
        raise AssessmentRefused(_("The cycle is already open."))
    if cycle.kind == Cycle.Kind.COMPREHENSIVE:
        parts = list(cycle.components.select_related("part"))
        if not parts:
            raise AssessmentRefused(_("A comprehensive assessment needs the cycles it combines."))
        problem = rules.weight_problem([c.weight for c in parts])
        if problem:
            raise AssessmentRefused(_("Cycles combined: %(problem)s") % {"problem": problem})
        for c in parts:
            if c.part.status != Cycle.Status.PUBLISHED:
                raise AssessmentRefused(
                    _("“%(cycle)s” is not published yet.") % {"cycle": c.part.name}
                )
        return
    if indicators is None:
        indicators = _indicators(cycle)
    problem = rules.weight_problem([i.weight for i in indicators if i.rule != rules.BONUS])
    if problem:
        raise AssessmentRefused(problem)
    persons = _scheme(cycle).subject == Subject.PERSONS
    if assessed is None:
        assessed = _assessed(cycle)
    outside = [u.name for u, p in assessed if p is None and not u.path.startswith(cycle.unit.path)]
    if outside:
        raise AssessmentRefused(
            _("Units assessed must be the assessing unit or units below it: %(names)s.")
            % {"names": "、".join(outside)}
        )
    if persons and not assessed:
        raise AssessmentRefused(_("Name the persons assessed."))
    if not persons and not assessed:
        raise AssessmentRefused(_("Name the units assessed."))


@transaction.atomic
def open_cycle(*, cycle: Cycle, user, on=None) -> Cycle:
    """Open the cycle on its day: the scheme edition is locked, each unit (or person) assessed
    gets its sheet with one score per indicator, its target, and the figures of the bound
    metrics filled for it and the cycle's period."""
    indicators = _indicators(cycle) if cycle.scheme_id else []
    assessed = _assessed(cycle) if cycle.scheme_id else []
    check_openable(cycle, indicators=indicators, assessed=assessed)
    on = kit.business_date(on)
    cycle.status, cycle.opened_on = Cycle.Status.OPEN, on
    kit.update_row(obj=cycle, expected_version=cycle.version, user=user, source="action")
    if cycle.kind == Cycle.Kind.COMPREHENSIVE:
        seen: dict = {}
        for comp in cycle.components.select_related("part"):
            for s in comp.part.sheets.all():
                seen.setdefault((s.unit_id, s.person_id), s)
        kit.bulk_create_rows(
            model=Sheet,
            objs=[
                Sheet(
                    unit_id=s.unit_id, person_id=s.person_id, cycle=cycle, peer_group=s.peer_group
                )
                for s in seen.values()
            ],
            user=user,
            source="action",
        )
        return cycle
    sheets = kit.bulk_create_rows(
        model=Sheet,
        objs=[
            Sheet(unit=unit, person=person, cycle=cycle, peer_group=peer_group_of(unit))
            for unit, person in assessed
        ],
        user=user,
        source="action",
    )
    scores = kit.bulk_create_rows(
        model=Score,
        objs=[
            Score(sheet=sheet, indicator=ind, target=ind.target)
            for sheet in sheets
            for ind in indicators
        ],
        user=user,
        source="action",
    )
    for score in scores:
        if score.indicator.metric:
            _fill(score, user, on)
    return cycle


def _fill(score: Score, user, on) -> None:
    ind, sheet = score.indicator, score.sheet
    period = parse_period(sheet.cycle.period)
    try:
        got = fill.figure(ind.metric, ind.narrowing, user, sheet.unit, period)
    except (ValueError, PermissionDenied) as exc:
        raise AssessmentRefused(
            _("“%(ind)s” cannot be filled: %(why)s") % {"ind": ind.name, "why": exc}
        ) from None
    before = kit.snapshot(score)
    score.auto_value = None if got.value is None else Decimal(str(got.value))
    score.auto_rows, score.auto_url = got.rows, got.url
    if not score.overridden:
        score.value = score.auto_value
        score.points = _points(score, score.value) if score.value is not None else None
        score.scored_on = on if score.points is not None else None
    score.save()
    kit.record_change(
        obj=score,
        kind=ChangeRecord.Kind.UPDATE,
        user=user,
        before=before,
        after=kit.snapshot(score),
        source="action",
    )


def _points(score: Score, value) -> Decimal:
    ind = score.indicator
    target = score.target if score.target is not None else ind.target
    try:
        return rules.points(ind.rule, ind.weight, ind.params, value, target)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from None


def check_publishable(cycle: Cycle, user=None) -> None:
    if cycle.status != Cycle.Status.OPEN:
        raise AssessmentRefused(_("Only an open cycle is published."))
    if cycle.kind == Cycle.Kind.COMPREHENSIVE:
        return
    waiting = [
        s.assessed
        for s in cycle.sheets.select_related("unit", "person")
        if s.status != Sheet.Status.REVIEWED
    ]
    if waiting:
        raise AssessmentRefused(
            _("Sheets not yet reviewed: %(names)s.") % {"names": "、".join(waiting)}
        )


@transaction.atomic
def publish(*, cycle: Cycle, user, on=None) -> Cycle:
    """Publish the results on their day: ranks within each peer group, the sheets shared with
    every unit of the cycle."""
    check_publishable(cycle)
    on = kit.business_date(
        on, not_before=[(cycle.opened_on, _("A cycle is published after it opens."))]
    )
    if cycle.kind == Cycle.Kind.COMPREHENSIVE:
        _combine(cycle, user, on)
    cycle.status, cycle.published_on = Cycle.Status.PUBLISHED, on
    kit.update_row(obj=cycle, expected_version=cycle.version, user=user, source="action")
    sheets = list(cycle.sheets.all())
    units = sorted({s.unit_id for s in sheets})
    for s in sheets:
        s.published_to.set(units)
    rank(cycle, user)
    return cycle


def _combine(cycle: Cycle, user, on) -> None:
    """Each sheet's total: the totals of the cycles combined, each by its weight."""
    parts = list(cycle.components.select_related("part"))
    for sheet in cycle.sheets.select_related("unit", "person"):
        total = ZERO
        for comp in parts:
            found = comp.part.sheets.filter(  # type: ignore[misc]
                unit_id=sheet.unit_id, person_id=sheet.person_id
            ).first()
            if found is None or found.total is None:
                raise AssessmentRefused(
                    _("%(who)s has no result in “%(cycle)s”.")
                    % {"who": sheet.assessed, "cycle": comp.part.name}
                )
            total += found.total * comp.weight / rules.HUNDRED
        before = kit.snapshot(sheet)
        sheet.total = rules.q(total)
        sheet.grade = _grade(sheet)
        sheet.status, sheet.scored_on, sheet.reviewed_on = Sheet.Status.REVIEWED, on, on
        sheet.save()
        kit.record_change(
            obj=sheet,
            kind=ChangeRecord.Kind.UPDATE,
            user=user,
            before=before,
            after=kit.snapshot(sheet),
            source="action",
        )


def _grade(sheet: Sheet) -> str:
    cycle = sheet.cycle
    bands = cycle.scheme.bands if cycle.scheme is not None else _comprehensive_bands(cycle)
    return rules.grade_for(sheet.total, bands) if sheet.total is not None else ""


def _comprehensive_bands(cycle: Cycle):
    comp = cycle.components.select_related("part__scheme").first()
    return comp.part.scheme.bands if comp and comp.part.scheme is not None else []


def rank(cycle: Cycle, user) -> None:
    """Standard competition ranking within each peer group: ties share a rank (1, 1, 3)."""
    sheets = list(cycle.sheets.exclude(total=None))
    groups: dict[str, list] = {}
    for s in sheets:
        groups.setdefault(s.peer_group, []).append(s)
    for members in groups.values():
        ranks = rules.competition_ranks([(s.pk, s.total) for s in members])
        for s in members:
            if s.rank != ranks[s.pk]:
                before = kit.snapshot(s)
                s.rank = ranks[s.pk]
                Sheet.objects.filter(pk=s.pk).update(rank=s.rank)
                kit.record_change(
                    obj=s,
                    kind=ChangeRecord.Kind.UPDATE,
                    user=user,
                    before=before,
                    after=kit.snapshot(s),
                    source="action",
                )


def check_regroupable(sheet: Sheet, user=None) -> None:
    if user is not None:
        _require_assessor(sheet.cycle, user)
    if sheet.cycle.status != Cycle.Status.OPEN:
        raise AssessmentRefused(_("Peer groups are set while the cycle is open."))


@transaction.atomic
def set_peer_group(*, sheet: Sheet, user, peer_group: str, on=None) -> Sheet:
    """Put a unit in another peer group (a grassroots co-op run as an enterprise, say) before
    the results are published; it is ranked with that group."""
    check_regroupable(sheet, user)
    kit.business_date(on)
    if not (peer_group or "").strip():
        raise ValidationError({"peer_group": _("Name the peer group.")})
    sheet.peer_group = peer_group.strip()
    kit.update_row(obj=sheet, expected_version=sheet.version, user=user, source="action")
    return sheet


# --- sheets and scores --------------------------------------------------------------------------


def check_self_assessable(obj, user=None) -> None:
    sheet = obj.sheet if isinstance(obj, Score) else obj
    if sheet.cycle.status != Cycle.Status.OPEN:
        raise AssessmentRefused(_("The cycle is not open."))
    if sheet.status not in (Sheet.Status.OPEN,):
        raise AssessmentRefused(_("The self-assessment has been submitted."))


@transaction.atomic
def self_assess(*, score: Score, user, value=None, note: str = "", evidence=None, on=None) -> Score:
    """The unit's own value (or points) for one indicator, with a note and its evidence."""
    check_self_assessable(score)
    kit.business_date(
        on, not_before=[(score.sheet.cycle.opened_on, _("Not before the cycle opened."))]
    )
    if value is not None and score.indicator.rule == rules.MANUAL:
        _points(score, value)  # points outside 0 … max are refused here as well
    before = kit.snapshot(score)
    score.self_value, score.self_note = value, note
    if evidence:
        score.self_evidence = evidence
    score.save()
    kit.record_change(
        obj=score,
        kind=ChangeRecord.Kind.UPDATE,
        user=user,
        before=before,
        after=kit.snapshot(score),
        source="action",
    )
    return score


@transaction.atomic
def submit_self(*, sheet: Sheet, user, note: str = "", on=None) -> Sheet:
    check_self_assessable(sheet)
    on = kit.business_date(
        on, not_before=[(sheet.cycle.opened_on, _("Not before the cycle opened."))]
    )
    sheet.status, sheet.self_on, sheet.self_note = (
        Sheet.Status.SELF_ASSESSED,
        on,
        note or sheet.self_note,
    )
    kit.update_row(obj=sheet, expected_version=sheet.version, user=user, source="action")
    return sheet


def check_scorable(score: Score, user=None) -> None:
    sheet = score.sheet
    if user is not None:
        _require_assessor(sheet.cycle, user)
    if score.reopened:
        return
    if sheet.cycle.status != Cycle.Status.OPEN:
        raise AssessmentRefused(_("The cycle is not open for scoring."))
    if sheet.status not in (Sheet.Status.OPEN, Sheet.Status.SELF_ASSESSED):
        raise AssessmentRefused(_("The sheet has been scored; an appeal reopens a score."))


@transaction.atomic
def score_indicator(
    *, score: Score, user, value, reason: str = "", evidence=None, on=None
) -> Score:
    """The assessor's value (or points) for one indicator. Where the indicator is filled from a
    metric, a value other than the figure is an override: refused without a reason and its
    evidence, and the figure is kept beside it."""
    check_scorable(score, user)
    on = kit.business_date(
        on, not_before=[(score.sheet.cycle.opened_on, _("Not before the cycle opened."))]
    )
    value = rules.dec(value, _("value"))
    points = _points(score, value)
    before = kit.snapshot(score)
    ind = score.indicator
    override = bool(ind.metric) and score.auto_value is not None and value != score.auto_value
    if override:
        if not (reason or "").strip():
            raise ValidationError(
                {
                    "reason": _(
                        "The value differs from the metric's figure (%(auto)s): "
                        "give the reason for the override."
                    )
                    % {"auto": rules._fmt(score.auto_value)}
                }
            )
        if not (evidence or score.override_evidence):
            raise ValidationError({"evidence": _("An override needs its evidence.")})
    score.value, score.points, score.scored_on = value, points, on
    score.overridden = override
    score.override_reason = reason if override else ""
    if override and evidence:
        score.override_evidence = evidence
    was_reopened = score.reopened
    score.reopened = False
    score.save()
    kit.record_change(
        obj=score,
        kind=ChangeRecord.Kind.UPDATE,
        user=user,
        before=before,
        after=kit.snapshot(score),
        source="action",
    )
    if was_reopened:
        _retotal(score.sheet, user)
    return score


@transaction.atomic
def set_target(*, score: Score, user, target, on=None) -> Score:
    """The target of one unit for one indicator in this cycle (计划: 打造百强基层社5家), kept
    with the score; points already given by proportion follow it."""
    check_scorable(score, user)
    kit.business_date(on)
    before = kit.snapshot(score)
    score.target = rules.dec(target, _("target"))
    if score.value is not None:
        score.points = _points(score, score.value)
    score.save()
    kit.record_change(
        obj=score,
        kind=ChangeRecord.Kind.UPDATE,
        user=user,
        before=before,
        after=kit.snapshot(score),
        source="action",
    )
    return score


def check_refillable(score: Score, user=None) -> None:
    if not score.indicator.metric:
        raise AssessmentRefused(_("This indicator is not filled from a metric."))
    check_scorable(score, user)


@transaction.atomic
def refill(*, score: Score, user, on=None) -> Score:
    """The figure read again (rows entered late are counted); an override stays as given."""
    check_refillable(score, user)
    _fill(score, user, kit.business_date(on))
    return score


def _retotal(sheet: Sheet, user) -> None:
    sheet = Sheet.objects.select_related("cycle__scheme").get(pk=sheet.pk)
    if sheet.total is None:
        return
    before = kit.snapshot(sheet)
    sheet.total = sum((s.points or ZERO for s in sheet.scores.all()), ZERO)
    sheet.grade = _grade(sheet)
    Sheet.objects.filter(pk=sheet.pk).update(total=sheet.total, grade=sheet.grade)
    kit.record_change(
        obj=sheet,
        kind=ChangeRecord.Kind.UPDATE,
        user=user,
        before=before,
        after=kit.snapshot(sheet),
        source="action",
    )
    if sheet.cycle.status == Cycle.Status.PUBLISHED:
        rank(sheet.cycle, user)


def check_finishable(sheet: Sheet, user=None) -> None:
    if user is not None:
        _require_assessor(sheet.cycle, user)
    if sheet.cycle.status != Cycle.Status.OPEN:
        raise AssessmentRefused(_("The cycle is not open for scoring."))
    if sheet.status not in (Sheet.Status.OPEN, Sheet.Status.SELF_ASSESSED):
        raise AssessmentRefused(_("The sheet has been scored."))
    missing = [
        s.indicator.name for s in sheet.scores.select_related("indicator") if s.points is None
    ]
    if missing:
        raise AssessmentRefused(
            _("Indicators not yet scored: %(names)s.") % {"names": "、".join(missing)}
        )


@transaction.atomic
def finish_scoring(*, sheet: Sheet, user, on=None) -> Sheet:
    check_finishable(sheet, user)
    on = kit.business_date(
        on, not_before=[(sheet.cycle.opened_on, _("Not before the cycle opened."))]
    )
    sheet.total = sum((s.points for s in sheet.scores.all()), ZERO)
    sheet.grade = _grade(sheet)
    sheet.status, sheet.scored_on, sheet.scored_by = Sheet.Status.SCORED, on, user
    kit.update_row(obj=sheet, expected_version=sheet.version, user=user, source="action")
    return sheet


def check_reviewable(sheet: Sheet, user=None) -> None:
    if sheet.status != Sheet.Status.SCORED:
        raise AssessmentRefused(_("Only a scored sheet is reviewed."))
    if user is not None:
        _require_assessor(sheet.cycle, user)
        if sheet.scored_by_id == user.pk:
            raise AssessmentRefused(_("A sheet is reviewed by a second person, not by its scorer."))


@transaction.atomic
def review(*, sheet: Sheet, user, on=None) -> Sheet:
    check_reviewable(sheet, user)
    on = kit.business_date(
        on, not_before=[(sheet.scored_on, _("A sheet is reviewed after it is scored."))]
    )
    sheet.status, sheet.reviewed_on, sheet.reviewed_by = Sheet.Status.REVIEWED, on, user
    kit.update_row(obj=sheet, expected_version=sheet.version, user=user, source="action")
    return sheet


# --- appeals -----------------------------------------------------------------------------------


def check_appealable(sheet: Sheet, user=None) -> None:
    if sheet.cycle.status != Cycle.Status.PUBLISHED:
        raise AssessmentRefused(_("An appeal is filed against published results."))
    if sheet.cycle.kind == Cycle.Kind.COMPREHENSIVE:
        raise AssessmentRefused(_("Appeal against the score of the cycle it comes from."))


@transaction.atomic
def file_appeal(*, sheet: Sheet, user, score: Score, reason: str, on=None) -> Appeal:
    check_appealable(sheet)
    if score.sheet_id != sheet.pk:
        raise ValidationError({"score": _("The score appealed must be on this sheet.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("An appeal states its reason.")})
    on = kit.business_date(
        on, not_before=[(sheet.cycle.published_on, _("An appeal follows the publication."))]
    )
    appeal = Appeal(sheet=sheet, score=score, reason=reason, filed_on=on)
    return kit.create_row(obj=appeal, user=user, source="action")


def check_decidable(appeal: Appeal, user=None) -> None:
    if appeal.status != Appeal.Status.FILED:
        raise AssessmentRefused(_("The appeal has been decided."))
    if user is not None:
        _require_assessor(appeal.sheet.cycle, user)


@transaction.atomic
def decide_appeal(*, appeal: Appeal, user, upheld: bool, decision: str, on=None) -> Appeal:
    """The decision on an appeal; upheld, the one score reopens for the assessor to score again."""
    check_decidable(appeal, user)
    if not (decision or "").strip():
        raise ValidationError({"decision": _("Write the decision and its grounds.")})
    on = kit.business_date(on, not_before=[(appeal.filed_on, _("A decision follows the appeal."))])
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.decision, appeal.decided_on, appeal.decided_by = decision, on, user
    kit.update_row(obj=appeal, expected_version=appeal.version, user=user, source="action")
    if upheld:
        score = appeal.score
        before = kit.snapshot(score)
        score.reopened = True
        score.save()
        kit.record_change(
            obj=score,
            kind=ChangeRecord.Kind.UPDATE,
            user=user,
            before=before,
            after=kit.snapshot(score),
            source="action",
        )
    return appeal


# --- results -----------------------------------------------------------------------------------


def previous_sheet(sheet: Sheet) -> Sheet | None:
    """The same unit's (or person's) sheet in the assessing unit's last published cycle of the
    same kind and scheme before this one."""
    cycle = sheet.cycle
    qs = Sheet.objects.filter(  # type: ignore[misc]
        cycle__unit_id=cycle.unit_id,
        cycle__kind=cycle.kind,
        cycle__status=Cycle.Status.PUBLISHED,
        cycle__period_end__lt=cycle.period_start,
        unit_id=sheet.unit_id,
        person_id=sheet.person_id,
    )
    if cycle.scheme is not None:
        qs = qs.filter(cycle__scheme__code=cycle.scheme.code)
    return qs.order_by("-cycle__period_end").first()


def change(sheet: Sheet) -> Decimal | None:
    prev = previous_sheet(sheet)
    if prev is None or prev.total is None or sheet.total is None:
        return None
    return sheet.total - prev.total


def ranking(cycle: Cycle, user) -> list[Sheet]:
    """The published sheets of a cycle the user may see, by peer group and rank."""
    return list(
        Sheet.objects.visible_to(user)
        .filter(cycle=cycle)
        .select_related("unit", "person")
        .order_by("peer_group", "rank", "unit__code")
    )
