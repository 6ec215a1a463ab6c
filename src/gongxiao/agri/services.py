"""Rules of the services to farmers: a reserve stock check that finds a shortfall raises a
rectification item (the one mechanism, rectification.services.create_item_from); an outlet's
recognised level is declared and granted on business dates; a member leaves on a date; and the
completeness of a member's record against the fields its kind requires (as data), kept as a
dated, append-only history so a past period's rate reads the same whenever it is asked for."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused
from gongxiao.rectification.services import create_item_from

from .models import (
    Member,
    MemberCompleteness,
    Organisation,
    Project,
    RequiredField,
    ServiceOutlet,
    StockCheck,
)


def _require(user, obj, action="change"):
    if not type(obj).objects.permitted(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not change this record."))


# --- reserve ---------------------------------------------------------------------------------


@transaction.atomic
def record_stock_check(*, check: StockCheck, user, source: str = "web") -> StockCheck:
    """Record a count of the reserve on its day; a count short of the task's quantity opens a
    rectification item in the assigned unit whose source is this check."""
    task = check.task
    kit.business_date(
        check.date,
        not_before=[
            (
                task.start_date,
                _("The check cannot be dated before the reserve period starts (%(d)s).")
                % {"d": task.start_date},
            )
        ],
        field="date",
    )
    if check.date > task.end_date:
        raise ValidationError(
            {
                "date": _("The check cannot be dated after the reserve period ends (%(d)s).")
                % {"d": task.end_date}
            }
        )
    check = kit.create_row(obj=check, user=user, source=source)
    if check.shortfall > 0:
        item = create_item_from(record=check, user=user)
        StockCheck.objects.filter(pk=check.pk).update(item=item)
        check.item = item
    return check


@transaction.atomic
def revise_stock_check(*, check: StockCheck, user, expected_version: int, source: str = "web"):
    """An edit of a count that had raised nothing; if the count is now short, it raises its
    rectification item as a new count would."""
    check = kit.update_row(obj=check, expected_version=expected_version, user=user, source=source)
    if check.shortfall > 0 and not check.item_id:
        item = create_item_from(record=check, user=user)
        StockCheck.objects.filter(pk=check.pk).update(item=item)
        check.item = item
    return check


def task_met(task) -> bool | None:
    """Whether the reserve was held: every check counted the full quantity (None before any
    check)."""
    checks = list(task.checks.all())
    if not checks:
        return None
    return all(c.shortfall == 0 for c in checks)


# --- outlets ---------------------------------------------------------------------------------


def check_may_declare(outlet, user=None) -> None:
    if outlet.declared_on and not outlet.granted_on and outlet.level_sought:
        raise ActionRefused(_("A declaration is already pending."))


@transaction.atomic
def declare_level(*, outlet: ServiceOutlet, user, level: str, on: datetime.date) -> ServiceOutlet:
    """Declare the outlet for recognition at a level (申报省级农事服务中心), on the day it was
    sent."""
    _require(user, outlet)
    row = ServiceOutlet.objects.select_for_update().get(pk=outlet.pk)
    check_may_declare(row)
    if level not in (
        ServiceOutlet.Level.COUNTY,
        ServiceOutlet.Level.CITY,
        ServiceOutlet.Level.PROVINCE,
    ):
        raise ValidationError({"level": _("Choose the level declared for.")})
    row.declared_on = kit.business_date(
        on,
        not_before=[
            (
                row.built_on,
                _("The declaration cannot be dated before the outlet opened (%(d)s).")
                % {"d": row.built_on},
            )
        ],
    )
    row.level_sought = level
    row.granted_on = None
    kit.update_row(obj=row, expected_version=row.version, user=user, source="action")
    return row


def check_pending(outlet, user=None) -> None:
    if not outlet.declared_on or outlet.granted_on or not outlet.level_sought:
        raise ActionRefused(_("There is no pending declaration to grant."))


@transaction.atomic
def grant_level(*, outlet: ServiceOutlet, user, on: datetime.date) -> ServiceOutlet:
    """The level declared for was granted, on the day of the recognition."""
    _require(user, outlet)
    row = ServiceOutlet.objects.select_for_update().get(pk=outlet.pk)
    check_pending(row)
    row.granted_on = kit.business_date(
        on,
        not_before=[
            (
                row.declared_on,
                _("The recognition cannot be dated before the declaration (%(d)s).")
                % {"d": row.declared_on},
            )
        ],
    )
    row.level = row.level_sought
    kit.update_row(obj=row, expected_version=row.version, user=user, source="action")
    return row


# --- members ---------------------------------------------------------------------------------


def check_member_active(member, user=None) -> None:
    if member.left_on:
        raise ActionRefused(_("The member has already left."))


@transaction.atomic
def leave(*, member: Member, user, on: datetime.date) -> Member:
    """The member left the federation on `on`."""
    _require(user, member)
    row = Member.objects.select_for_update().get(pk=member.pk)
    check_member_active(row)
    row.left_on = kit.business_date(
        on,
        not_before=[
            (
                row.joined_on,
                _("The member cannot leave before joining (%(d)s).") % {"d": row.joined_on},
            )
        ],
    )
    kit.update_row(obj=row, expected_version=row.version, user=user, source="action")
    return row


def required_fields() -> dict[str, list[str]]:
    """The fields each kind of member requires, as kept in RequiredField (seeded by migration
    0002; who the member is — its organisation or person — is always required)."""
    kept: dict[str, list[str]] = {}
    for rule in RequiredField.objects.order_by("kind", "field"):
        kept.setdefault(rule.kind, []).append(rule.field)
    return kept


def _value_of(member: Member, path: str):
    obj: object = member
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def missing_fields(member: Member, rules: dict[str, list[str]] | None = None) -> list[str]:
    """The required fields of `member`'s kind left empty."""
    rules = required_fields() if rules is None else rules
    return [p for p in rules.get(member.kind, []) if _value_of(member, p) in (None, "")]


# The completeness history (MemberCompleteness): a past day's figure is read from the rows dated
# by then, so an edit or a rule change today never moves last year's rate.


def _first_and_latest(member_ids) -> dict[int, tuple[MemberCompleteness, MemberCompleteness]]:
    out: dict[int, tuple[MemberCompleteness, MemberCompleteness]] = {}
    rows = MemberCompleteness.objects.filter(member_id__in=member_ids).order_by(
        "member_id", "from_date", "id"
    )
    for rec in rows:
        first = out[rec.member_id][0] if rec.member_id in out else rec
        out[rec.member_id] = (first, rec)
    return out


def _evaluate(members, *, reason: str, on: datetime.date | None = None, rules=None) -> int:
    """Append a history row for each of `members` whose state (the fields missing) differs from
    its latest one, dated `on` (today). A member with no row yet gets its first, dated the day it
    joined; a member whose joining day was moved before its first row gets one dated then, in
    the state first known. Returns the rows written."""
    on = on or timezone.localdate()
    rules = required_fields() if rules is None else rules
    members = list(members)
    known = _first_and_latest([mb.pk for mb in members])
    new = []
    for member in members:
        missing = missing_fields(member, rules)
        state = {"complete": not missing, "missing": ",".join(missing)}
        if member.pk not in known:
            new.append(
                MemberCompleteness(
                    member=member,
                    from_date=min(member.joined_on, on),
                    reason=MemberCompleteness.Reason.ENTERED,
                    **state,
                )
            )
            continue
        first, latest = known[member.pk]
        if member.joined_on < first.from_date:
            new.append(
                MemberCompleteness(
                    member=member,
                    from_date=member.joined_on,
                    reason=reason,
                    complete=first.complete,
                    missing=first.missing,
                )
            )
        if latest.missing != state["missing"]:
            new.append(
                MemberCompleteness(
                    member=member, from_date=max(on, latest.from_date), reason=reason, **state
                )
            )
    MemberCompleteness.objects.bulk_create(new)
    return len(new)


def _with_parties(members):
    return members.select_related("person", "organisation", "organisation__representative")


def reevaluate_members(members=None, *, on: datetime.date | None = None, reason: str = "") -> int:
    """Re-read `members` (all by default) against today's rules and record the state of those
    it changed, dated `on` (today). This is how a change the agri app is not told of — a
    person's ID number or phone edited in the org app — enters the history: on the day the
    figure of the current period is next computed, or the ``member_completeness`` command
    runs, whichever is first."""
    members = Member.objects.all() if members is None else members
    return _evaluate(
        _with_parties(members), reason=reason or MemberCompleteness.Reason.REVIEW, on=on
    )


def rules_changed(*, on: datetime.date | None = None) -> int:
    """The required fields changed: every member is re-read, a row appended (dated `on`, today)
    where its state changed."""
    return reevaluate_members(on=on, reason=MemberCompleteness.Reason.RULES)


def refresh_for(members, end: datetime.date) -> None:
    """Before a figure as of `end` is read: members with no history get their first row (dated
    the day they joined); when `end` is today or later, today's changes are recorded too (a
    past day's figure needs, and takes, nothing written today)."""
    today = timezone.localdate()
    if end >= today:
        reevaluate_members(members, on=today)
    else:
        reevaluate_members(members.filter(completeness__isnull=True), on=today)


def _state_on(day: datetime.date, field: str = "complete"):
    return Subquery(
        MemberCompleteness.objects.filter(member=OuterRef("pk"), from_date__lte=day)
        .order_by("-from_date", "-id")
        .values(field)[:1]
    )


def complete_on(members, day: datetime.date):
    """The members among `members` whose record was complete at the end of `day`, as the
    history kept it then."""
    return members.annotate(_complete_then=_state_on(day)).filter(_complete_then=True)


def missing_on(member: Member, day: datetime.date) -> list[str] | None:
    """The required fields `member` was missing at the end of `day` (None: no history then)."""
    rec = (
        MemberCompleteness.objects.filter(member=member, from_date__lte=day)
        .order_by("-from_date", "-id")
        .first()
    )
    return rec.missing_fields if rec else None


def on_roll(members, day: datetime.date):
    """Members who had joined by `day` and not left by then."""
    return members.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


@transaction.atomic
def enter_member(*, member: Member, user, source: str = "web") -> Member:
    """A member entered (form, import, API): its completeness from the day it joined."""
    member = kit.create_row(obj=member, user=user, source=source)
    reevaluate_members(
        Member.objects.filter(pk=member.pk), reason=MemberCompleteness.Reason.ENTERED
    )
    return member


@transaction.atomic
def revise_member(*, member: Member, user, expected_version: int, source: str = "web") -> Member:
    """A member's record edited: its completeness from today, if the edit changed it."""
    member = kit.update_row(obj=member, expected_version=expected_version, user=user, source=source)
    reevaluate_members(Member.objects.filter(pk=member.pk), reason=MemberCompleteness.Reason.EDITED)
    return member


@transaction.atomic
def revise_organisation(
    *, organisation: Organisation, user, expected_version: int, source: str = "web"
) -> Organisation:
    """An organisation edited (its address, phone, representative): its membership's
    completeness from today, if the edit changed it."""
    organisation = kit.update_row(
        obj=organisation, expected_version=expected_version, user=user, source=source
    )
    reevaluate_members(
        Member.objects.filter(organisation=organisation), reason=MemberCompleteness.Reason.EDITED
    )
    return organisation


# --- projects --------------------------------------------------------------------------------


def check_not_applied(project, user=None) -> None:
    if project.applied_on:
        raise ActionRefused(_("The funds have already been applied for."))


def check_applied_not_granted(project, user=None) -> None:
    if not project.applied_on:
        raise ActionRefused(_("No funds have been applied for yet."))
    if project.granted_on:
        raise ActionRefused(_("The subsidy has already been recorded."))


def check_not_completed(project, user=None) -> None:
    if project.completed_on:
        raise ActionRefused(_("The project is already completed."))


def _project(user, project):
    _require(user, project)
    return Project.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def apply_funds(*, project: Project, user, applied_to: str, on: datetime.date) -> Project:
    """The funds were applied for, to whom, on the day the application went out."""
    row = _project(user, project)
    check_not_applied(row)
    row.applied_to = applied_to
    row.applied_on = kit.business_date(on)
    kit.update_row(obj=row, expected_version=row.version, user=user, source="action")
    return row


@transaction.atomic
def grant_funds(*, project: Project, user, subsidy, source: str, on: datetime.date) -> Project:
    """A subsidy (万元) was granted, from a source, on the day of the grant."""
    row = _project(user, project)
    check_applied_not_granted(row)
    if subsidy is None or subsidy <= 0:
        raise ValidationError({"subsidy": _("Give the subsidy granted, in 10,000 yuan.")})
    row.granted_on = kit.business_date(
        on,
        not_before=[
            (
                row.applied_on,
                _("The grant cannot be dated before the application (%(d)s).")
                % {"d": row.applied_on},
            )
        ],
    )
    row.subsidy = subsidy
    row.subsidy_source = source
    kit.update_row(obj=row, expected_version=row.version, user=user, source="action")
    return row


@transaction.atomic
def complete_project(*, project: Project, user, on: datetime.date) -> Project:
    """The project was completed (竣工, 投入使用) on `on`."""
    row = _project(user, project)
    check_not_completed(row)
    row.completed_on = kit.business_date(
        on,
        not_before=[
            (
                datetime.date(row.year - 1, 1, 1),
                _("The completion cannot be dated before the year before the plan."),
            )
        ],
    )
    kit.update_row(obj=row, expected_version=row.version, user=user, source="action")
    return row
