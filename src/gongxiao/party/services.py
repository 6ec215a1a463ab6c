"""Party-building rules: a member's placements follow his admission and transfers, his
probation ends no earlier than its minimum, attendance is one record per member and activity and
only of the organisation's members on the day. Each change is dated by its business date."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused

from .models import (
    STAGE_ORDER,
    Activity,
    Attendance,
    Cadre,
    CadrePost,
    Development,
    PartyMember,
    PartyOrganisation,
    Placement,
    PointsEntry,
    PointsItem,
    PointsScheme,
    Rule,
    Writing,
    add_months,
    stage_months,
)


def probation_months() -> int:
    """The minimum probation (预备期) before a member may become a full member, in months."""
    return stage_months()["full"]


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
    kit.update_row(obj=member, expected_version=member.version, user=user, source="workflow")
    return member


@transaction.atomic
def transfer_out(*, member: PartyMember, destination: str, user, on=None) -> PartyMember:
    """转出: the member leaves the system's organisations on `on` for `destination`."""
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    check_in_party(member)
    on = _move_date(member, on)
    _end_placement(member, on, user)
    member.left_on, member.destination = on, destination
    kit.update_row(obj=member, expected_version=member.version, user=user, source="workflow")
    return member


def full_membership_possible_on(member: PartyMember) -> datetime.date:
    return add_months(member.joined_on, probation_months())


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
                % {"months": probation_months(), "d": possible}
            }
        )
    member.full_on = on
    kit.update_row(obj=member, expected_version=member.version, user=user, source="workflow")
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
    if activity.date > timezone.localdate():
        raise ValidationError(
            _("Attendance is recorded once the activity has taken place (%(d)s).")
            % {"d": activity.date}
        )
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
                source="workflow",
            )
        elif (row.present, row.absence_reason) != (is_present, why):
            row.present, row.absence_reason = is_present, why
            kit.update_row(obj=row, expected_version=row.version, user=user, source="workflow")
    award_attendance_points(activity=activity, user=user)
    return activity


# --- development (发展党员) --------------------------------------------------------------------


def _next_stage(stage: str) -> str | None:
    order = STAGE_ORDER
    i = order.index(stage)
    return order[i + 1] if i + 1 < len(order) else None


def check_not_done(development: Development, user=None) -> None:
    if _next_stage(development.stage) is None:
        raise ActionRefused(_("This person is already a full member."))


def stage_possible_on(development: Development, stage: str) -> datetime.date:
    """The first day `stage` may be reached: the previous stage's date plus its minimum."""
    order = STAGE_ORDER
    previous = order[order.index(stage) - 1]
    months = stage_months()[stage]
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
                % {"stage": labels[stage], "d": possible, "months": stage_months()[stage]}
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
            source="workflow",
        )
    if stage == "full":
        member = PartyMember.objects.get(person=dev.person)
        make_full(member=member, user=user, on=on)
    setattr(dev, Development.DATE_FIELDS[stage], on)
    dev.stage = stage
    kit.update_row(obj=dev, expected_version=dev.version, user=user, source="workflow")
    if sponsors:
        kit.set_m2m(obj=dev, values={"sponsors": sponsors}, user=user, source="workflow")
    return dev


# --- points (党员积分) -------------------------------------------------------------------------


def organisation_of(member: PartyMember, on: datetime.date) -> PartyOrganisation | None:
    """The organisation the member belonged to at the end of `on` (his placements say)."""
    placement = Placement.objects.on(on).filter(member=member).select_related("organisation")
    found = placement.first()
    return found.organisation if found else None


def scheme_in_force(organisation: PartyOrganisation, on: datetime.date) -> PointsScheme | None:
    """The points scheme of the organisation's unit, else of the nearest unit above it, in
    force on `on` (the latest version from before then)."""
    return (
        PointsScheme.objects.filter(
            unit__in=organisation.unit.ancestors(include_self=True), valid_from__lte=on
        )
        .order_by("-unit__depth", "-valid_from")
        .first()
    )


def check_scheme_unused(scheme: PointsScheme, user=None) -> None:
    if PointsEntry.objects.filter(item__scheme=scheme).exists():
        raise ActionRefused(
            _("Points have been given under this version: make a new version to change it.")
        )


@transaction.atomic
def award_points(
    *,
    member: PartyMember,
    item: PointsItem,
    user,
    reason: str,
    on=None,
    points=None,
    source: str = PointsEntry.Source.ENTERED,
    activity: Activity | None = None,
    channel: str = "web",
) -> PointsEntry:
    """Give a member the points of an item on `on` (a deduction item takes them off): the item
    must be one of the scheme in force for his organisation that day; `points` may give less
    than the item's full points (an appraisal of 18 of 20). Caps are applied to the totals,
    never by refusing an entry: the ledger keeps what happened."""
    on = kit.business_date(on, not_before=[(member.joined_on, _("Not yet admitted then."))])
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the points.")})
    organisation = organisation_of(member, on)
    if organisation is None:
        raise ValidationError(
            {"on": _("%(m)s belonged to no party organisation on %(d)s.") % {"m": member, "d": on}}
        )
    scheme = scheme_in_force(organisation, on)
    if scheme is None or item.scheme_id != scheme.pk:
        raise ValidationError(
            {
                "item": _("“%(item)s” is not an item of the scheme in force on %(d)s (%(s)s).")
                % {"item": item.name, "d": on, "s": scheme or _("none")}
            }
        )
    value = item.points if points in (None, "") else Decimal(str(points))
    if not 0 < value <= item.points:
        raise ValidationError(
            {"points": _("Between 0 and the item's %(p)s points.") % {"p": item.points}}
        )
    entry = PointsEntry(
        member=member,
        organisation=organisation,
        item=item,
        date=on,
        points=item.sign * value,
        reason=reason.strip(),
        source=source,
        activity=activity,
    )
    return kit.create_row(
        obj=entry, user=user, source=channel if source == PointsEntry.Source.ENTERED else "workflow"
    )


def check_reversible(entry: PointsEntry, user=None) -> None:
    if entry.source == PointsEntry.Source.REVERSAL:
        raise ActionRefused(_("A reversal is not reversed: give the points again."))
    if PointsEntry.objects.filter(reverses=entry).exists():
        raise ActionRefused(_("This entry has been reversed already."))


@transaction.atomic
def reverse_entry(*, entry: PointsEntry, user, reason: str, on=None) -> PointsEntry:
    """冲销: correct an entry by a counter-entry of the same item and organisation; the entry
    itself stays as it was."""
    entry = PointsEntry.objects.select_for_update().get(pk=entry.pk)
    check_reversible(entry)
    on = kit.business_date(
        on, not_before=[(entry.date, _("Not before the entry (%(d)s).") % {"d": entry.date})]
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the reversal.")})
    counter = PointsEntry(
        member=entry.member,
        organisation=entry.organisation,
        item=entry.item,
        date=on,
        points=-entry.points,
        reason=reason.strip(),
        source=PointsEntry.Source.REVERSAL,
        activity=entry.activity,
        reverses=entry,
    )
    return kit.create_row(obj=counter, user=user, source="workflow")


def award_attendance_points(*, activity: Activity, user) -> None:
    """Points for attending: each member present gets the items of the scheme in force that
    are awarded for this kind of activity, once per activity; one marked absent after all has
    his attendance points reversed."""
    scheme = scheme_in_force(activity.organisation, activity.date)
    if scheme is None:
        return
    items = list(scheme.items.filter(awarded_for=activity.kind))
    if not items:
        return
    label = dict(Activity.Kind.choices)[activity.kind]
    for att in activity.attendances.select_related("person"):
        member = PartyMember.objects.filter(person=att.person_id).first()
        if member is None:
            continue
        for item in items:
            given = PointsEntry.objects.filter(activity=activity, member=member, item=item)
            net = given.aggregate(s=Sum("points"))["s"] or 0
            if att.present and not net:
                award_points(
                    member=member,
                    item=item,
                    user=user,
                    on=activity.date,
                    reason=f"{label}：{activity.topic}",
                    source=PointsEntry.Source.ATTENDANCE,
                    activity=activity,
                )
            elif not att.present and net:
                last = given.filter(reverses__isnull=True, reversed_by__isnull=True).exclude(
                    source=PointsEntry.Source.REVERSAL
                )
                for entry in last:
                    reverse_entry(
                        entry=entry,
                        user=user,
                        on=activity.date,
                        reason=_("Marked absent: %(why)s") % {"why": att.absence_reason},
                    )


@dataclass
class PointsTotal:
    """A member's points of a year: per item as given and as capped, per part capped, and the
    total (never below zero)."""

    member: PartyMember
    year: int
    by_item: dict = field(default_factory=dict)  # item -> (given, counted)
    by_part: dict = field(default_factory=dict)  # part -> counted
    total: Decimal = Decimal(0)


def _cap(value: Decimal, cap) -> Decimal:
    return value if cap is None else min(value, cap)


def yearly_points(member: PartyMember, year: int, entries=None) -> PointsTotal:
    """The year's points with the caps applied: each item at most its yearly cap, each part at
    most its cap in the scheme (daily conduct 80, appraisal 20, bonus 10), deductions taken off
    (at most their cap); the total is not below zero."""
    if entries is None:
        entries = PointsEntry.objects.filter(member=member, date__year=year).select_related(
            "item__scheme"
        )
    sums: dict[PointsItem, Decimal] = {}
    for e in entries:
        sums[e.item] = sums.get(e.item, Decimal(0)) + e.points
    result = PointsTotal(member=member, year=year)
    if not sums:
        return result
    scheme = max((i.scheme for i in sums), key=lambda s: s.valid_from)
    parts = {p: Decimal(0) for p in PointsItem.Part.values}
    for item, given in sums.items():
        counted = _cap(abs(given), item.yearly_cap) if given else Decimal(0)
        if given < 0 and item.part != PointsItem.Part.DEDUCTION:
            counted = Decimal(0)  # over-reversed: nothing counts
        result.by_item[item] = (given, counted)
        parts[item.part] += counted
    for part, value in parts.items():
        result.by_part[part] = _cap(value, scheme.cap_of(part))
    gain = sum((result.by_part[p] for p in ("conduct", "appraisal", "bonus")), Decimal(0))
    result.total = max(Decimal(0), gain - result.by_part["deduction"])
    return result


def ranking(organisation: PartyOrganisation, year: int) -> list[tuple[int, PointsTotal]]:
    """The members of the organisation at the year's end (or today, within the year) ranked by
    their points of the year, highest first; equal totals share a rank (1, 1, 3)."""
    day = min(datetime.date(year, 12, 31), timezone.localdate())
    members = list(
        PartyMember.objects.filter(
            placements__in=Placement.objects.on(day).filter(organisation=organisation)
        )
        .select_related("person")
        .distinct()
    )
    entries: dict[int, list[PointsEntry]] = {mb.pk: [] for mb in members}
    for e in PointsEntry.objects.filter(member__in=members, date__year=year).select_related(
        "item__scheme"
    ):
        entries[e.member_id].append(e)
    totals = sorted(
        (yearly_points(mb, year, entries[mb.pk]) for mb in members),
        key=lambda t: (-t.total, t.member.person.name),
    )
    out: list[tuple[int, PointsTotal]] = []
    for i, t in enumerate(totals):
        rank = out[-1][0] if out and out[-1][1].total == t.total else i + 1
        out.append((rank, t))
    return out


@transaction.atomic
def new_scheme_version(*, scheme: PointsScheme, user, on=None) -> PointsScheme:
    """A new version of a scheme from `on`, its items copied (to be changed before use); the
    old one stays as it was for the points given under it."""
    if on is None:
        raise ValidationError({"on": _("Give the day the new version is in force from.")})
    if on <= scheme.valid_from:
        raise ValidationError(
            {"on": _("The new version must start after %(d)s.") % {"d": scheme.valid_from}}
        )
    if PointsScheme.objects.filter(previous=scheme).exists():
        raise ActionRefused(_("This version has a newer one already."))
    new = PointsScheme(
        unit=scheme.unit,
        name=scheme.name,
        valid_from=on,
        conduct_cap=scheme.conduct_cap,
        appraisal_cap=scheme.appraisal_cap,
        bonus_cap=scheme.bonus_cap,
        deduction_cap=scheme.deduction_cap,
        previous=scheme,
    )
    new = kit.create_row(obj=new, user=user, source="workflow")
    for item in scheme.items.all():
        item.pk, item.scheme, item.version = None, new, 1
        kit.create_row(obj=item, user=user, source="workflow")
    return new


def check_latest_scheme(scheme: PointsScheme, user=None) -> None:
    if PointsScheme.objects.filter(previous=scheme).exists():
        raise ActionRefused(_("This version has a newer one already."))


# --- cadres ------------------------------------------------------------------------------------


def check_serving(cadre: Cadre, user=None) -> None:
    if cadre.retired_on:
        raise ActionRefused(_("This cadre retired on %(d)s.") % {"d": cadre.retired_on})
    if cadre.left_on:
        raise ActionRefused(_("This cadre left the system on %(d)s.") % {"d": cadre.left_on})


def _last_post(cadre: Cadre) -> CadrePost | None:
    return cadre.posts.order_by("-start", "-id").first()


def _end_date(cadre: Cadre, on) -> datetime.date:
    last = _last_post(cadre)
    floors = [(cadre.since, _("He has been a cadre only since %(d)s.") % {"d": cadre.since})]
    if last is not None:
        floors.append((last.start, _("His current post began only on %(d)s.") % {"d": last.start}))
    return kit.business_date(on, not_before=floors)


@transaction.atomic
def take_post(*, post: CadrePost, user, source: str = "web") -> CadrePost:
    """任职, 轮岗交流, 职务变更, 调动: the cadre takes a post from `start`, which closes the post
    he held; the first post is an appointment, a transfer is to another unit, and a cadre
    moved to another unit is managed there from that day."""
    cadre = Cadre.objects.select_for_update().get(pk=post.cadre_id)
    check_serving(cadre)
    start = kit.business_date(
        post.start,
        field="start",
        not_before=[(cadre.since, _("He has been a cadre only since %(d)s.") % {"d": cadre.since})],
    )
    last = _last_post(cadre)
    C = CadrePost.Change
    if last is None and post.change != C.APPOINTMENT:
        raise ValidationError({"change": _("A cadre's first post is an appointment (任职).")})
    if last is not None:
        if start <= last.start:
            raise ValidationError(
                {
                    "start": _("His current post began on %(d)s: a new one starts later.")
                    % {"d": last.start}
                }
            )
        if post.change == C.TRANSFER and post.unit_id == last.unit_id:
            raise ValidationError({"unit": _("A transfer (调动) is to another unit.")})
        if post.change == C.ROTATION and (post.unit_id, post.post) == (last.unit_id, last.post):
            raise ValidationError({"post": _("A rotation (轮岗交流) is to another post.")})
        if last.end is None:
            last.end = start
            kit.update_row(obj=last, expected_version=last.version, user=user, source="workflow")
    post = kit.create_row(obj=post, user=user, source=source)
    if post.unit_id != cadre.unit_id:
        cadre.unit_id = post.unit_id
        kit.update_row(obj=cadre, expected_version=cadre.version, user=user, source="workflow")
    return post


def _leave(cadre: Cadre, user, on, **fields) -> Cadre:
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    check_serving(cadre)
    on = _end_date(cadre, on)
    last = _last_post(cadre)
    if last is not None and last.end is None:
        last.end = on
        kit.update_row(obj=last, expected_version=last.version, user=user, source="workflow")
    for name, value in fields.items():
        setattr(cadre, name, on if value is None else value)
    kit.update_row(obj=cadre, expected_version=cadre.version, user=user, source="workflow")
    return cadre


@transaction.atomic
def retire(*, cadre: Cadre, user, on=None) -> Cadre:
    """退休 on `on`: his post ends that day."""
    return _leave(cadre, user, on, retired_on=None)


@transaction.atomic
def transfer_cadre_out(*, cadre: Cadre, destination: str, user, on=None) -> Cadre:
    """调出: he leaves the system on `on` for `destination`."""
    if not destination.strip():
        raise ValidationError({"destination": _("Say where he was transferred to.")})
    return _leave(cadre, user, on, left_on=None, destination=destination.strip())


# --- writings ----------------------------------------------------------------------------------


def check_not_adopted(writing: Writing, user=None) -> None:
    if writing.adopted_on:
        raise ActionRefused(_("Adopted already on %(d)s.") % {"d": writing.adopted_on})
    if not writing.submitted_to:
        raise ActionRefused(_("Only a piece submitted can be adopted: say where it went."))


@transaction.atomic
def adopt(*, writing: Writing, user, level: str, by: str = "", on=None) -> Writing:
    """采用: the piece was adopted (published, taken into a bulletin) at a level on `on`."""
    writing = Writing.objects.select_for_update().get(pk=writing.pk)
    check_not_adopted(writing)
    on = kit.business_date(
        on,
        not_before=[(writing.date, _("Not before it was written (%(d)s).") % {"d": writing.date})],
    )
    if level not in Writing.Level.values:
        raise ValidationError({"level": _("Choose the level that adopted it.")})
    writing.adopted_on, writing.adopted_level, writing.adopted_by = on, level, by.strip()
    kit.update_row(obj=writing, expected_version=writing.version, user=user, source="workflow")
    return writing


# --- the register of rules ---------------------------------------------------------------------


def check_current(rule: Rule, user=None) -> None:
    if rule.superseded_on:
        raise ActionRefused(
            _("Revised on %(d)s: act on the version in force.") % {"d": rule.superseded_on}
        )
    if rule.abolished_on:
        raise ActionRefused(_("Abolished on %(d)s.") % {"d": rule.abolished_on})


def _after_issue(rule: Rule, on) -> datetime.date:
    on = kit.business_date(on)
    if on <= rule.issued_on:
        raise ValidationError(
            {
                "on": _("Issued on %(d)s: a revision or abolition comes later.")
                % {"d": rule.issued_on}
            }
        )
    return on


@transaction.atomic
def revise_rule(
    *, rule: Rule, user, on=None, number: str = "", title: str = "", meeting=None, file=None
) -> Rule:
    """修订: a new version in force from `on`, replacing this one from that day."""
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    check_current(rule)
    on = _after_issue(rule, on)
    new = Rule(
        unit=rule.unit,
        kind=rule.kind,
        title=title.strip() or rule.title,
        number=number.strip(),
        issued_on=on,
        meeting=meeting,
        previous=rule,
    )
    if file:
        new.file = file
    # The new version first: a bad number refuses it before the old one is marked revised
    # (and the transaction keeps the two together).
    new = kit.create_row(obj=new, user=user, source="workflow")
    rule.superseded_on = on
    kit.update_row(obj=rule, expected_version=rule.version, user=user, source="workflow")
    return new


@transaction.atomic
def abolish_rule(*, rule: Rule, user, on=None) -> Rule:
    """废止 on `on`."""
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    check_current(rule)
    rule.abolished_on = _after_issue(rule, on)
    kit.update_row(obj=rule, expected_version=rule.version, user=user, source="workflow")
    return rule


def versions(rule: Rule) -> list[Rule]:
    """Every version of the rule, the first issued first."""
    first = rule
    while first.previous is not None:
        first = first.previous
    chain = [first]
    while True:
        nxt = Rule.objects.filter(previous=chain[-1]).first()
        if nxt is None:
            return chain
        chain.append(nxt)


def version_in_force(rule: Rule, on: datetime.date) -> Rule | None:
    """The version of this rule in force at the end of `on` (None before the first was issued
    or after it was abolished)."""
    ids = [v.pk for v in versions(rule)]
    return Rule.objects.in_force_on(on).filter(pk__in=ids).first()
