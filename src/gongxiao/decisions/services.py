"""The procedure of collective decision, enforced here and nowhere else: who may state, in
which order, quorum and passing rules as data, sealing with a hash chain, amendments, and the
verification of every seal."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused
from gongxiao.org.models import Unit

from . import anchors
from .models import (
    Amendment,
    Attendance,
    DecisionRule,
    FollowUp,
    Matter,
    Meeting,
    Outcome,
    Seal,
    SealedRecordError,
    Statement,
)


class ProcedureRefused(ActionRefused):
    """A step the procedure does not allow; the message says why (409 in the API)."""


def _require(user, meeting: Meeting, action: str = "change") -> None:
    if not Meeting.objects.permitted(user, action).filter(pk=meeting.pk).exists():
        raise PermissionDenied(_("You may not record this meeting."))


def _open(meeting: Meeting) -> None:
    if Meeting.objects.filter(pk=meeting.pk, sealed_at__isnull=False).exists():
        raise SealedRecordError(_("The meeting is sealed; append an amendment instead."))


def rule_for(body: str, category: str, rules: dict | None = None) -> DecisionRule:
    """The most specific rule: body and category, body, category, then the default. `rules`
    (all rules by (body, category), read once) spares a page one query per matter."""
    if rules is None:
        rules = {
            (r.body, r.category): r
            for r in DecisionRule.objects.filter(body__in=[body, ""], category__in=[category, ""])
        }
    for key in ((body, category), (body, ""), ("", category), ("", "")):
        if key in rules:
            return rules[key]
    return DecisionRule(body="", category="")  # more than half, more than half


def all_rules() -> dict:
    return {(r.body, r.category): r for r in DecisionRule.objects.all()}


# --- dry runs: the same checks decide the buttons and refuse the step ----------------------


def check_open(meeting: Meeting, user=None) -> None:
    """Refused once the meeting is sealed (read from the row given: the runner's is current)."""
    if meeting.sealed_at:
        raise SealedRecordError(_("The meeting is sealed; append an amendment instead."))


def check_attendance_open(meeting: Meeting, user=None) -> None:
    check_open(meeting)
    if Statement.objects.filter(matter__meeting=meeting).exists():
        # Attendance decides quorum, order and outcome: fixed once voting began.
        raise ProcedureRefused(
            _("Positions have been stated at this meeting; its attendance is fixed.")
        )


def check_sealable(meeting: Meeting, user=None) -> None:
    check_open(meeting)
    if not meeting.attendances.filter(role=Attendance.Role.MEMBER).exists():
        raise ProcedureRefused(_("Record the members due before sealing."))
    if not meeting.minutes.strip():
        raise ProcedureRefused(_("The minutes are missing; write them before sealing."))
    titles = list(
        meeting.matters.filter(outcome=Outcome.PENDING).values_list("title", flat=True)[:20]
    )
    if titles:
        raise ProcedureRefused(
            _("These matters have no outcome yet: %(m)s.") % {"m": "、".join(titles)}
        )
    if not meeting.matters.exists():
        raise ProcedureRefused(_("A meeting without matters cannot be sealed."))


def check_sealed(meeting: Meeting, user=None) -> None:
    if not meeting.sealed_at:
        raise ProcedureRefused(_("Only a sealed meeting takes amendments; edit it directly."))


def _pending(matter: Matter) -> None:
    if matter.outcome != Outcome.PENDING:
        raise ProcedureRefused(
            _("This matter is already decided (%(o)s).") % {"o": matter.get_outcome_display()}
        )


def check_statable(matter: Matter, user=None) -> None:
    """A position may be stated: the meeting open, the matter pending, a quorum present and a
    present voting member still to state."""
    check_open(matter.meeting)
    _pending(matter)
    t = tally(matter)
    if not t.quorum:
        raise ProcedureRefused(
            _("No quorum for this matter: %(present)s of %(due)s members present (%(rule)s).")
            % {"present": t.present, "due": t.due, "rule": t.rule.describe()}
        )
    if t.stated >= t.present:
        raise ProcedureRefused(_("Every present member has stated a position."))


def attendances(meeting: Meeting) -> list[Attendance]:
    """The meeting's attendances with their people: the page's prefetched ones, else one query."""
    cache = getattr(meeting, "_prefetched_objects_cache", {})
    if "attendances" in cache:
        return list(cache["attendances"])
    return list(meeting.attendances.select_related("person"))


def waiting(matter: Matter) -> list[Attendance]:
    """The present voting members who have not stated on `matter`, the principal leader last
    (主要负责同志最后表态)."""
    stated = {s.person_id for s in matter.statements.all()}
    return sorted(
        (
            a
            for a in attendances(matter.meeting)
            if a.role == Attendance.Role.MEMBER and a.present and a.person_id not in stated
        ),
        key=lambda a: (a.is_principal, a.person.name, a.person_id),
    )


def check_deferrable(matter: Matter, user=None) -> None:
    check_open(matter.meeting)
    if matter.outcome != Outcome.PENDING or matter.statements.all():
        raise ProcedureRefused(_("Only a matter on which nobody has stated yet can be deferred."))


def check_decided(matter: Matter, user=None) -> None:
    """The decision text (决定事项) is written once the outcome is known, before sealing."""
    check_open(matter.meeting)
    if matter.outcome == Outcome.PENDING:
        raise ProcedureRefused(_("Record the decision once the matter is decided."))


def check_passed(matter: Matter, user=None) -> None:
    if matter.outcome != Outcome.PASSED:
        raise ProcedureRefused(_("Only a passed decision is carried out."))


# --- attendance ----------------------------------------------------------------------------


@transaction.atomic
def set_attendance(
    *,
    meeting: Meeting,
    person,
    user,
    role=Attendance.Role.MEMBER,
    present=True,
    absence_reason: str = "",
    is_principal: bool = False,
) -> Attendance:
    _require(user, meeting)
    _open(meeting)
    if role not in Attendance.Role.values:
        raise ValidationError({"role": _("Choose member or attendee.")})
    if len(absence_reason) > 200:
        raise ValidationError({"absence_reason": _("Keep the reason under 200 characters.")})
    check_attendance_open(meeting)
    if not present and not absence_reason.strip():
        raise ValidationError({"absence_reason": _("Give the reason for the absence.")})
    if is_principal and role != Attendance.Role.MEMBER:
        raise ValidationError({"is_principal": _("The principal leader is a voting member.")})
    if is_principal:
        Attendance.objects.filter(meeting=meeting, is_principal=True).exclude(person=person).update(
            is_principal=False
        )
    old = Attendance.objects.filter(meeting=meeting, person=person).first()
    before = kit.snapshot(old) if old else None
    att, created = Attendance.objects.update_or_create(
        meeting=meeting,
        person=person,
        defaults={
            "role": role,
            "present": present,
            "absence_reason": "" if present else absence_reason.strip(),
            "is_principal": is_principal,
            "updated_by": user,
        },
    )
    kit.record_change(
        obj=att,
        kind="create" if created else "update",
        user=user,
        before=before,
        after=kit.snapshot(att),
        source="procedure",
    )
    return att


# --- statements and outcome ----------------------------------------------------------------


@dataclass
class Tally:
    due: int
    present: int
    agree: int
    disagree: int
    defer: int
    stated: int
    rule: DecisionRule

    @property
    def quorum(self) -> bool:
        return self.due > 0 and self.rule.quorum_met(self.present, self.due)


def tally(matter: Matter, rules: dict | None = None) -> Tally:
    """The count of a matter; reads the attendances and statements prefetched on a page (one
    query for all matters, not three per matter) and the rules given."""
    members = [a for a in matter.meeting.attendances.all() if a.role == Attendance.Role.MEMBER]
    positions = [s.position for s in matter.statements.all()]
    return Tally(
        due=len(members),
        present=sum(1 for a in members if a.present),
        agree=positions.count(Statement.Position.AGREE),
        disagree=positions.count(Statement.Position.DISAGREE),
        defer=positions.count(Statement.Position.DEFER),
        stated=len(positions),
        rule=rule_for(
            matter.meeting.body, matter.category, rules or getattr(matter.meeting, "rules", None)
        ),
    )


@transaction.atomic
def record_statement(
    *, matter: Matter, person, position: str, user, remarks: str = ""
) -> Statement:
    """Record one member's position. Only present voting members state; the principal leader
    states last, after every other present voting member
    (班子成员必须亮明态度，主要负责同志最后表态)."""
    matter = Matter.objects.select_for_update().select_related("meeting").get(pk=matter.pk)
    meeting = matter.meeting
    _require(user, meeting)
    _open(meeting)
    if position not in Statement.Position.values:
        raise ValidationError({"position": _("Choose agree, disagree or defer.")})
    _pending(matter)
    att = Attendance.objects.filter(meeting=meeting, person=person).first()
    if att is None or att.role != Attendance.Role.MEMBER:
        raise ProcedureRefused(_("%(p)s is not a voting member of this meeting.") % {"p": person})
    if not att.present:
        raise ProcedureRefused(_("%(p)s is absent and cannot state a position.") % {"p": person})
    t = tally(matter)
    if not t.quorum:
        raise ProcedureRefused(
            _("No quorum for this matter: %(present)s of %(due)s members present (%(rule)s).")
            % {"present": t.present, "due": t.due, "rule": t.rule.describe()}
        )
    if Statement.objects.filter(matter=matter, person=person).exists():
        raise ProcedureRefused(
            _("%(p)s has already stated a position on this matter.") % {"p": person}
        )
    if att.is_principal:
        waiting = Attendance.objects.filter(
            meeting=meeting, role=Attendance.Role.MEMBER, present=True, is_principal=False
        ).exclude(person__in=Statement.objects.filter(matter=matter).values("person"))
        if waiting.exists():
            names = "、".join(str(a.person) for a in waiting.select_related("person"))
            raise ProcedureRefused(
                _("The principal leader states last: %(names)s have not stated yet.")
                % {"names": names}
            )
    seq = (
        Statement.objects.filter(matter=matter).aggregate(Max("sequence"))["sequence__max"] or 0
    ) + 1
    statement = Statement.objects.create(
        matter=matter,
        person=person,
        position=position,
        remarks=remarks.strip(),
        sequence=seq,
        recorded_by=user,
    )
    kit.record_change(
        obj=statement, kind="create", user=user, after=kit.snapshot(statement), source="procedure"
    )
    _settle(matter, user)
    return statement


def _write_outcome(matter: Matter, user, **values) -> None:
    """Write the outcome like any edit: a new version (so a form opened before is refused) and
    a line in the change history."""
    before = kit.snapshot(Matter.objects.get(pk=matter.pk))
    Matter.objects.filter(pk=matter.pk).update(version=F("version") + 1, **values)
    matter.refresh_from_db()
    kit.record_change(
        obj=matter,
        kind="update",
        user=user,
        before=before,
        after=kit.snapshot(matter),
        source="procedure",
    )


def _settle(matter: Matter, user) -> None:
    """Once every present voting member has stated, the outcome follows from the rule: passed
    when agreeing members reach the share of members due; otherwise deferred when more asked to
    defer than disagreed, else rejected."""
    t = tally(matter)
    if t.stated < t.present:
        return
    if t.rule.passes(t.agree, t.due):
        outcome = Outcome.PASSED
    elif t.defer > t.disagree:
        outcome = Outcome.DEFERRED
    else:
        outcome = Outcome.REJECTED
    _write_outcome(matter, user, outcome=outcome, decided_on=matter.meeting.date)


@transaction.atomic
def defer_matter(*, matter: Matter, user, reason: str) -> Matter:
    """缓议: the meeting decides not to decide now (before any position is stated)."""
    meeting = matter.meeting
    _require(user, meeting)
    _open(meeting)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for deferring.")})
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.outcome != Outcome.PENDING or matter.statements.exists():
        raise ProcedureRefused(_("Only a matter on which nobody has stated yet can be deferred."))
    _write_outcome(
        matter,
        user,
        outcome=Outcome.DEFERRED,
        decided_on=meeting.date,
        decision_text=(matter.decision_text + "\n" if matter.decision_text else "")
        + _("Deferred: %(r)s") % {"r": reason.strip()},
    )
    matter.refresh_from_db()
    return matter


@transaction.atomic
def set_decision_text(
    *, matter: Matter, user, text: str, expected_version: int | None = None
) -> Matter:
    """决定事项: written once the outcome is known, before the meeting is sealed (the action
    runner checks the version; a direct caller may pass the one it read)."""
    meeting = matter.meeting
    _require(user, meeting)
    _open(meeting)
    current = Matter.objects.select_for_update().select_related("meeting").get(pk=matter.pk)
    if expected_version is not None and current.version != expected_version:
        raise kit.StaleEdit(Matter.objects.select_related("updated_by__person").get(pk=matter.pk))
    check_decided(current)
    _write_outcome(current, user, decision_text=text.strip())
    return current


@transaction.atomic
def add_follow_up(*, matter: Matter, user, text: str, date, completed: bool = False) -> FollowUp:
    if not Meeting.objects.permitted(user, "change").filter(pk=matter.meeting_id).exists():
        raise PermissionDenied(_("You may not record this meeting."))
    check_passed(Matter.objects.get(pk=matter.pk))
    if not text.strip():
        raise ValidationError({"text": _("Describe how the decision is being carried out.")})
    date = kit.business_date(
        date,
        not_before=[
            (
                matter.meeting.date,
                _("Carrying out cannot be dated before the meeting (%(d)s).")
                % {"d": matter.meeting.date},
            )
        ],
        field="date",
    )
    return kit.create_row(
        obj=FollowUp(matter=matter, text=text.strip(), date=date, completed=completed), user=user
    )


# --- sealing -------------------------------------------------------------------------------


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def canonical_meeting(meeting: Meeting) -> str:
    """The meeting's content in one stable form: sorted keys, fixed ordering of members,
    matters and statements, dates in ISO form, amounts with two decimals."""
    m = Meeting.objects.select_related("unit", "chair").get(pk=meeting.pk)
    content = {
        "unit": m.unit_id,
        "body": m.body,
        "year": m.year,
        "sequence": m.sequence,
        "date": m.date.isoformat(),
        "place": m.place,
        "minutes": m.minutes,
        # Ids, not names: renaming a person or a unit later must not look like tampering.
        "chair": m.chair_id,
        "attendance": [
            [a.person_id, a.role, a.is_principal, a.present, a.absence_reason]
            for a in m.attendances.order_by("person_id")
        ],
        "matters": [
            {
                "order": x.order,
                "category": x.category,
                "title": x.title,
                "amount": _money(x.amount),
                "proposer": x.proposer_id,
                "materials": x.materials,
                "prior": [
                    x.feasibility_study,
                    x.legal_review,
                    x.opinions_solicited,
                    x.risk_assessment,
                ],
                "party_prior_study": x.party_prior_study,
                "outcome": x.outcome,
                "decision": x.decision_text,
                "statements": [
                    [s.sequence, s.person_id, s.position, s.remarks]
                    for s in x.statements.order_by("sequence", "id")
                ],
            }
            for x in m.matters.order_by("order", "id")
        ],
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_amendment(amendment: Amendment) -> str:
    return json.dumps(
        {
            "meeting": amendment.meeting_id,
            "text": amendment.text,
            "by": amendment.created_by_id,
            "at": amendment.created_at.astimezone(datetime.UTC).isoformat(),
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def seal_key() -> bytes:
    """The HMAC key, from settings (the environment in production), never from the database."""
    key = getattr(settings, "GONGXIAO_SEAL_KEY", "")
    if not key:
        raise ImproperlyConfigured("GONGXIAO_SEAL_KEY is not set: seals cannot be made or checked.")
    return key.encode()


def digest(previous: str, content: str, at, scheme: str = Seal.Scheme.HMAC_V1) -> str:
    """The link over the previous link, the time of sealing (in UTC) and the canonical content:
    HMAC-SHA256 with the seal key (`hmac-v1`), or plain SHA-256 for seals made before the key
    (`sha256`, anyone can recompute it: trusted only as far as the anchors file holds it)."""
    stamp = at.astimezone(datetime.UTC).isoformat()
    message = f"{previous}\n{stamp}\n{content}".encode()
    if scheme == Seal.Scheme.SHA256:
        return hashlib.sha256(message).hexdigest()
    if scheme == Seal.Scheme.HMAC_V1:
        return hmac.new(seal_key(), message, hashlib.sha256).hexdigest()
    raise ValueError(f"unknown seal scheme {scheme!r}")


def _chain(unit, *, kind, meeting, user, content, amendment=None, at=None) -> Seal:
    last = Seal.objects.select_for_update().filter(unit=unit).order_by("-position").first()
    previous = last.digest if last else ""
    # Whole seconds: the stored time must give back the same text on every database.
    at = (at or timezone.now()).replace(microsecond=0)
    seal = Seal.objects.create(
        unit=unit,
        position=(last.position + 1) if last else 1,
        kind=kind,
        meeting=meeting,
        amendment=amendment,
        previous=previous,
        scheme=Seal.Scheme.HMAC_V1,
        digest=digest(previous, content, at, Seal.Scheme.HMAC_V1),
        sealed_at=at,
        sealed_by=user,
    )
    # The chain's new head goes to the anchors file once it is committed, never before: the
    # file must not hold a seal the database rolled back.
    anchors.after_commit(seal)
    return seal


@transaction.atomic
def seal_meeting(*, meeting: Meeting, user, at=None, on=None) -> Seal:
    """Confirm the minutes on `on` (today if not given; not before the meeting) and seal:
    refused while a matter lacks an outcome or the minutes are missing. From then on the
    meeting is read-only; corrections are amendments."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require(user, meeting)
    _open(meeting)
    on = kit.business_date(
        on,
        not_before=[
            (
                meeting.date,
                _("The minutes cannot be confirmed before the meeting (%(d)s).")
                % {"d": meeting.date},
            )
        ],
    )
    check_sealable(meeting)
    seal = _chain(
        meeting.unit,
        kind=Seal.Kind.MEETING,
        meeting=meeting,
        user=user,
        content=canonical_meeting(meeting),
        at=at,
    )
    before = kit.snapshot(meeting)
    # The version with it, in the one write before the guard closes: the seal is the row's
    # last change, and a page read before it is out of date.
    Meeting.objects.filter(pk=meeting.pk).update(
        sealed_at=seal.sealed_at, sealed_on=on, sealed_by=user, version=F("version") + 1
    )
    meeting.refresh_from_db()
    kit.record_change(
        obj=meeting,
        kind="update",
        user=user,
        before=before,
        after=kit.snapshot(meeting),
        source="seal",
    )
    return seal


@transaction.atomic
def amend(*, meeting: Meeting, user, text: str) -> Amendment:
    """更正: append a sealed correction to a sealed meeting."""
    _require(user, meeting)
    check_sealed(Meeting.objects.get(pk=meeting.pk))
    if not text.strip():
        raise ValidationError({"text": _("Write the correction.")})
    amendment = Amendment.objects.create(
        meeting=meeting, text=text.strip(), created_by=user, created_at=timezone.now()
    )
    _chain(
        meeting.unit,
        kind=Seal.Kind.AMENDMENT,
        meeting=meeting,
        user=user,
        content=canonical_amendment(amendment),
        amendment=amendment,
        at=amendment.created_at,
    )
    kit.record_change(
        obj=amendment,
        kind="create",
        user=user,
        after=kit.snapshot(amendment),
        source="amendment",
    )
    return amendment


@dataclass
class Broken:
    seal: Seal | None
    meeting: Meeting | None
    reason: str
    # changed | chain | unsealed | no_seal | missing | legacy | anchor | shortened | anchors
    code: str
    unit: object = None  # the unit (or its id) when no meeting names it

    def __str__(self):
        if self.meeting is not None:
            what = str(self.meeting)
        elif self.unit is not None:
            what = _("unit %(u)s") % {"u": self.unit}
        else:
            what = "?"
        where = f"#{self.seal.position} " if self.seal else ""
        return f"{where}{what}：{self.reason}"


@dataclass
class Verification:
    problems: list[Broken]
    seals: int  # seals checked
    unanchored: int  # seals newer than the last anchor of their unit
    anchors_path: object = None


def _check_unit(unit_id, chain: list[Seal], marks: dict[int, str], *, local: bool, problems):
    """One unit's chain: links, content, scheme, and the anchors given for it."""
    unit = chain[0].unit if chain else (Unit.objects.filter(pk=unit_id).first() or unit_id)
    prior = None
    keyed_seen = False
    for seal in chain:
        expected_position = prior.position + 1 if prior else 1
        expected_previous = prior.digest if prior else ""
        meeting = Meeting.objects.filter(pk=seal.meeting_id).first()
        if seal.position != expected_position or seal.previous != expected_previous:
            problems.append(
                Broken(
                    seal,
                    meeting,
                    _("the chain is broken here (a seal is missing, moved or altered)"),
                    "chain",
                    unit,
                )
            )
        content = None
        if meeting is None:
            problems.append(
                Broken(
                    seal,
                    None,
                    _("the meeting sealed here is missing from the database"),
                    "missing",
                    unit,
                )
            )
        elif seal.kind == Seal.Kind.MEETING:
            content = canonical_meeting(meeting)
            if meeting.sealed_at is None:
                problems.append(
                    Broken(seal, meeting, _("the meeting was unsealed in the database"), "unsealed")
                )
        else:
            amendment = Amendment.objects.filter(pk=seal.amendment_id).first()
            if amendment is None:
                problems.append(
                    Broken(
                        seal,
                        meeting,
                        _("the amendment sealed here is missing from the database"),
                        "missing",
                    )
                )
            else:
                content = canonical_amendment(amendment)
        if seal.scheme not in Seal.Scheme.values:
            problems.append(Broken(seal, meeting, _("unknown seal scheme"), "changed", unit))
        elif (
            content is not None
            and digest(seal.previous, content, seal.sealed_at, seal.scheme) != seal.digest
        ):
            problems.append(Broken(seal, meeting, _("changed after sealing"), "changed", unit))
        if seal.scheme == Seal.Scheme.SHA256:
            # Anyone can recompute plain SHA-256: such a seal counts only where it was before
            # the key came (before every keyed seal, and in the anchors file).
            if keyed_seen:
                problems.append(
                    Broken(
                        seal,
                        meeting,
                        _("an unkeyed (SHA-256) seal after keyed ones"),
                        "legacy",
                        unit,
                    )
                )
            elif local and marks.get(seal.position) != seal.digest:
                problems.append(
                    Broken(
                        seal,
                        meeting,
                        _("an unkeyed (SHA-256) seal that the anchors file does not hold"),
                        "legacy",
                        unit,
                    )
                )
        else:
            keyed_seen = True
        prior = seal
    by_position = {seal.position: seal for seal in chain}
    length = max(by_position, default=0)
    for count, anchored in sorted(marks.items()):
        seal = by_position.get(count)
        if seal is None:
            if count < length:
                problems.append(
                    Broken(
                        None,
                        None,
                        _("seal #%(n)s is in the anchors but not in the database") % {"n": count},
                        "anchor",
                        unit,
                    )
                )
        elif seal.digest != anchored:
            problems.append(
                Broken(
                    seal,
                    Meeting.objects.filter(pk=seal.meeting_id).first(),
                    _("differs from its anchor (the chain was rewritten or recomputed)"),
                    "anchor",
                    unit,
                )
            )
    last = max(marks, default=0)
    if last > length:
        problems.append(
            Broken(
                None,
                None,
                _(
                    "the chain is shortened: the anchors hold %(a)s seal(s), the database "
                    "%(d)s (the last anchored digest is %(digest)s)"
                )
                % {"a": last, "d": length, "digest": marks[last][:16]},
                "shortened",
                unit,
            )
        )
    return sum(1 for seal in chain if seal.position > last)


def verify(units=None, anchors_path=None) -> Verification:
    """Recompute every seal from the rows as they are now and compare each unit's chain with
    the anchors (the file of this instance, or a copy sent upward with `anchors_path`).
    Reports a record changed after sealing, a missing record, links that do not follow, a
    chain shorter than its anchors or differing from them, an unkeyed seal where none may be,
    and a meeting marked sealed without a seal."""
    local = anchors_path is None
    marks = anchors.read(anchors_path)
    problems: list[Broken] = []
    seals = Seal.objects.select_related("unit").order_by("unit_id", "position")
    unit_ids = set(seals.values_list("unit_id", flat=True).distinct()) | set(marks.by_unit)
    if units is not None:
        wanted = {getattr(u, "pk", u) for u in units}
        unit_ids &= wanted
        seals = seals.filter(unit_id__in=wanted)
    for error in marks.errors:
        problems.append(Broken(None, None, f"{marks.path}: {error}", "anchors"))
    total = seals.count()
    if total and not marks.exists:
        problems.append(
            Broken(
                None, None, _("the anchors file %(p)s is missing") % {"p": marks.path}, "anchors"
            )
        )
    unanchored = 0
    for unit_id in sorted(unit_ids):
        chain = list(seals.filter(unit_id=unit_id))
        unanchored += _check_unit(
            unit_id, chain, marks.by_unit.get(unit_id, {}), local=local, problems=problems
        )
    orphans = Meeting.objects.filter(sealed_at__isnull=False).exclude(
        pk__in=Seal.objects.filter(kind=Seal.Kind.MEETING).values("meeting_id")
    )
    if units is not None:
        orphans = orphans.filter(unit__in=units)
    for meeting in orphans:
        problems.append(Broken(None, meeting, _("marked sealed but has no seal"), "no_seal"))
    return Verification(problems, total, unanchored, marks.path)


def verify_seals(units=None, anchors_path=None) -> list[Broken]:
    return verify(units, anchors_path).problems
