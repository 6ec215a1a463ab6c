"""Party-building rules: a member's placements follow his admission and transfers, his
probation ends no earlier than its minimum, attendance is one record per member and activity and
only of the organisation's members on the day. Each change is dated by its business date."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused

from .models import (
    STAGES,
    Activity,
    Attendance,
    Development,
    PartyMember,
    PartyOrganisation,
    Placement,
    add_months,
)

# The minimum probation (预备期) before a member may become a full member, in months.
PROBATION_MONTHS = dict(STAGES)["full"]


def election_notice_months() -> int:
    """How many months ahead an election falls due (按期换届提醒): a setting."""
    return int(getattr(settings, "GONGXIAO_PARTY_ELECTION_NOTICE_MONTHS", 3))


def elections_due(qs, on: datetime.date, months: int | None = None):
    months = election_notice_months() if months is None else months
    return qs.election_due_on(on, months).order_by("term_ends_on", "name")


def elections_overdue(qs, on: datetime.date):
    return qs.election_overdue_on(on).order_by("term_ends_on", "name")


# --- members -----------------------------------------------------------------------------------


@transaction.atomic
def admit_member(*, member: PartyMember, user, source: str = "web") -> PartyMember:
    """Enter a member (admitted here or transferred in) and open his placement in the
    organisation from `since`."""
    member = kit.create_row(obj=member, user=user, source=source)
    # The placement is the member's own history (written with him, shown on his page).
    Placement.objects.create(
        member=member,
        organisation=member.organisation,
        start=member.since,
        created_by=user,
        updated_by=user,
    )
    return member


FIXED = ("organisation", "since")


def check_unplaced_fields_unchanged(member: PartyMember) -> None:
    """An edit may correct the record but not move the member: a move is a transfer."""
    before = PartyMember.objects.get(pk=member.pk)
    for name in FIXED:
        if getattr(before, name) != getattr(member, name):
            raise ValidationError(
                {name: _("A member moves only by a transfer (the transfer action), with its date.")}
            )


def check_in_party(member: PartyMember, user=None) -> None:
    if member.left_on:
        raise ActionRefused(_("This member was transferred out on %(d)s.") % {"d": member.left_on})


def _end_placement(member: PartyMember, on: datetime.date, user) -> None:
    """Close the member's open placement on `on` (the member's row is locked by the caller;
    his change record names the move)."""
    Placement.objects.filter(member=member, end__isnull=True).update(
        end=on, updated_by=user, version=F("version") + 1
    )


def _move_date(member: PartyMember, on) -> datetime.date:
    return kit.business_date(
        on,
        not_before=[
            (
                member.since,
                _("The member has been in this organisation only since %(d)s.")
                % {"d": member.since},
            )
        ],
    )


@transaction.atomic
def transfer(*, member: PartyMember, organisation: PartyOrganisation, user, on=None) -> PartyMember:
    """转接组织关系 within the system: close the placement on `on` and open one in the new
    organisation from that day."""
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    check_in_party(member)
    if organisation.pk == member.organisation_id:
        raise ActionRefused(_("The member already belongs to this organisation."))
    on = _move_date(member, on)
    if on < organisation.founded_on or (
        organisation.dissolved_on and organisation.dissolved_on <= on
    ):
        raise ValidationError(
            {"organisation": _("That organisation did not exist on %(d)s.") % {"d": on}}
        )
    if not PartyOrganisation.objects.permitted(user, "add").filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("You may not add members to that organisation."))
    _end_placement(member, on, user)
    Placement.objects.create(
        member=member, organisation=organisation, start=on, created_by=user, updated_by=user
    )
    member.organisation, member.since, member.origin = organisation, on, ""
    kit.update_row(obj=member, expected_version=member.version, user=user, source="transfer")
    return member


@transaction.atomic
def transfer_out(*, member: PartyMember, destination: str, user, on=None) -> PartyMember:
    """转出: the member leaves the system's organisations on `on` for `destination`."""
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    check_in_party(member)
    on = _move_date(member, on)
    _end_placement(member, on, user)
    member.left_on, member.destination = on, destination
    kit.update_row(obj=member, expected_version=member.version, user=user, source="transfer")
    return member


def full_membership_possible_on(member: PartyMember) -> datetime.date:
    return add_months(member.joined_on, PROBATION_MONTHS)


def check_probationary(member: PartyMember, user=None) -> None:
    check_in_party(member)
    if member.full_on:
        raise ActionRefused(
            _("This member has been a full member since %(d)s.") % {"d": member.full_on}
        )


@transaction.atomic
def make_full(*, member: PartyMember, user, on=None) -> PartyMember:
    """预备党员转正 on `on`: no sooner than the minimum probation after admission."""
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    check_probationary(member)
    on = kit.business_date(on)
    possible = full_membership_possible_on(member)
    if on < possible:
        raise ValidationError(
            {
                "on": _(
                    "The probation lasts at least %(months)s months: full membership is "
                    "possible from %(d)s."
                )
                % {"months": PROBATION_MONTHS, "d": possible}
            }
        )
    member.full_on = on
    kit.update_row(obj=member, expected_version=member.version, user=user, source="full")
    return member


# --- activities --------------------------------------------------------------------------------


def members_on(organisation: PartyOrganisation, day: datetime.date):
    """The persons who belonged to `organisation` at the end of `day`."""
    from gongxiao.org.models import Person

    return Person.objects.filter(
        party_membership__placements__in=Placement.objects.on(day).filter(organisation=organisation)
    ).distinct()


@transaction.atomic
def record_attendance(
    *, activity: Activity, user, present=(), absent=(), reason: str = ""
) -> Activity:
    """Record who of the organisation's members attended an activity and who was absent (with
    the reason): one record per member and activity, corrected in place when given again."""
    present, absent = list(present), list(absent)
    if not present and not absent:
        raise ValidationError(_("Name at least one member present or absent."))
    both = {p.pk for p in present} & {p.pk for p in absent}
    if both:
        names = "、".join(p.name for p in present if p.pk in both)
        raise ValidationError(
            {"absent": _("Present and absent at once: %(names)s.") % {"names": names}}
        )
    if absent and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the absence.")})
    allowed = set(members_on(activity.organisation, activity.date).values_list("pk", flat=True))
    strangers = [p for p in [*present, *absent] if p.pk not in allowed]
    if strangers:
        raise ValidationError(
            _(
                "Not members of %(org)s on %(d)s: %(names)s. Count other participants in the "
                "headcount."
            )
            % {
                "org": activity.organisation,
                "d": activity.date,
                "names": "、".join(p.name for p in strangers),
            }
        )
    existing = {a.person_id: a for a in Attendance.objects.filter(activity=activity)}
    for person, is_present in [*((p, True) for p in present), *((p, False) for p in absent)]:
        why = "" if is_present else reason.strip()
        row = existing.get(person.pk)
        if row is None:
            kit.create_row(
                obj=Attendance(
                    activity=activity, person=person, present=is_present, absence_reason=why
                ),
                user=user,
                source="attendance",
            )
        elif (row.present, row.absence_reason) != (is_present, why):
            row.present, row.absence_reason = is_present, why
            kit.update_row(obj=row, expected_version=row.version, user=user, source="attendance")
    return activity


# --- development (发展党员) --------------------------------------------------------------------


def _next_stage(stage: str) -> str | None:
    order = [s for s, _months in STAGES]
    i = order.index(stage)
    return order[i + 1] if i + 1 < len(order) else None


def check_not_done(development: Development, user=None) -> None:
    if _next_stage(development.stage) is None:
        raise ActionRefused(_("This person is already a full member."))


def stage_possible_on(development: Development, stage: str) -> datetime.date:
    """The first day `stage` may be reached: the previous stage's date plus its minimum."""
    order = [s for s, _months in STAGES]
    previous = order[order.index(stage) - 1]
    months = dict(STAGES)[stage]
    return add_months(development.stage_date(previous), months)


@transaction.atomic
def advance(
    *, development: Development, stage: str, user, on=None, sponsors=(), meeting=None
) -> Development:
    """Take the next stage of development on `on`. A stage skipped, or reached before the
    minimum time since the previous one, is refused with the stage due or the date it becomes
    possible. Admission names two sponsors who are full members and the branch meeting that
    decided, and makes the person a probationary member of the branch; full membership follows
    the member's own rule."""
    dev = Development.objects.select_for_update().get(pk=development.pk)
    check_not_done(dev)
    expected = _next_stage(dev.stage) or ""
    labels = dict(Development.Stage.choices)
    if stage != expected:
        raise ValidationError(
            {
                "stage": _("A stage cannot be skipped: the next stage is %(stage)s.")
                % {"stage": labels[expected]}
            }
        )
    on = kit.business_date(on)
    possible = stage_possible_on(dev, stage)
    if on < possible:
        raise ValidationError(
            {
                "on": _(
                    "%(stage)s is possible from %(d)s, %(months)s months after the previous stage."
                )
                % {"stage": labels[stage], "d": possible, "months": dict(STAGES)[stage]}
            }
        )
    sponsors = list(sponsors)
    if stage == "probationary":
        full_members = PartyMember.objects.filter(
            person__in=sponsors, full_on__lte=on, left_on__isnull=True
        ).count()
        if len(sponsors) != 2 or full_members != 2:
            raise ValidationError(
                {"sponsors": _("Admission needs two sponsors who are full members.")}
            )
        if (
            meeting is None
            or meeting.organisation_id != dev.organisation_id
            or meeting.kind != Activity.Kind.BRANCH_MEETING
        ):
            raise ValidationError({"meeting": _("Name the branch general meeting that decided.")})
        if meeting.date > on:
            raise ValidationError({"meeting": _("The meeting cannot be after the admission.")})
        dev.meeting = meeting
        admit_member(
            member=PartyMember(
                person=dev.person, organisation=dev.organisation, joined_on=on, since=on
            ),
            user=user,
            source="development",
        )
    if stage == "full":
        member = PartyMember.objects.get(person=dev.person)
        make_full(member=member, user=user, on=on)
    setattr(dev, Development.DATE_FIELDS[stage], on)
    dev.stage = stage
    kit.update_row(obj=dev, expected_version=dev.version, user=user, source="development")
    if sponsors:
        kit.set_m2m(obj=dev, values={"sponsors": sponsors}, user=user, source="development")
    return dev
