"""Every change to a rectification item: the workflow as an explicit table of transitions,
measures, progress with evidence, links from the records items come from, and the escalation
ladder for overdue items."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxiao.core import scoping
from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused
from gongxiao.core.notifications import notify, register_kind
from gongxiao.org.models import RoleAssignment, User
from gongxiao.org.roles import Role

from .models import (
    Closure,
    Evidence,
    Kind,
    Measure,
    ProgressEntry,
    RectificationItem,
    Status,
    Transition,
)


class TransitionRefused(ActionRefused):
    """A workflow step that the rules do not allow; the message says why, in plain words."""


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset[str]
    target: str
    right: str  # the action on module "rectification" the user needs over the item's unit
    needs_reason: bool = False
    reviewer: bool = False  # must not be the responsible person


S = Status
# Steps that ask for a close-out: on the page, or taken over from an imported ledger.
REQUEST_ACTIONS = ("request_close_out", "import_request")
TRANSITIONS: dict[str, Step] = {
    # The responsible side starts work, asks for close-out with evidence.
    "start": Step("start", frozenset({S.OPEN}), S.IN_PROGRESS, "change"),
    "request_close_out": Step(
        "request_close_out", frozenset({S.OPEN, S.IN_PROGRESS}), S.REQUESTED, "change"
    ),
    # The responsible side takes its request back (more work found, wrong evidence) before
    # anyone has decided on it.
    "withdraw_close_out": Step(
        "withdraw_close_out", frozenset({S.REQUESTED}), S.IN_PROGRESS, "change"
    ),
    # A reviewer with the right role, not the responsible person, decides; his opinion
    # (销号意见) is kept with the step.
    "close_out": Step("close_out", frozenset({S.REQUESTED}), S.CLOSED, "review", reviewer=True),
    "reject_close_out": Step(
        "reject_close_out",
        frozenset({S.REQUESTED}),
        S.IN_PROGRESS,
        "review",
        needs_reason=True,
        reviewer=True,
    ),
    # 回头看: a follow-up review finds the problem back and reopens the item.
    "reopen": Step(
        "reopen", frozenset({S.CLOSED}), S.IN_PROGRESS, "review", needs_reason=True, reviewer=True
    ),
}


def allowed_steps(item: RectificationItem, user) -> list[Step]:
    """The steps `user` could take on `item` now (for the buttons on the page)."""
    out = []
    for step in TRANSITIONS.values():
        try:
            _check(step, item, user, reason="x", dry_run=True)
        except (TransitionRefused, PermissionDenied):
            continue
        out.append(step)
    return out


def check_step(item: RectificationItem, user, step: str) -> None:
    """The dry run of a step (its button shows when this raises nothing): every rule but the
    ones on the input (the reason) and the evidence, which the step itself checks."""
    _check(TRANSITIONS[step], item, user, reason="x", dry_run=True)


def check_open(item: RectificationItem, user) -> None:
    """Measures and progress are taken only while the item is not closed out."""
    if item.status == S.CLOSED:
        raise TransitionRefused(_("A closed item takes no measures or progress; reopen it first."))


def _check(step: Step, item: RectificationItem, user, *, reason: str, dry_run=False) -> None:
    if item.status not in step.sources:
        raise TransitionRefused(
            _("“%(step)s” is not possible while the item is “%(status)s”.")
            % {"step": STEP_LABELS[step.name], "status": item.get_status_display()}
        )
    if not RectificationItem.objects.permitted(user, step.right).filter(pk=item.pk).exists():
        raise PermissionDenied(_("Your roles do not allow this step on this item."))
    if (
        step.reviewer
        and item.responsible_person_id
        and user.person_id == item.responsible_person_id
    ):
        raise TransitionRefused(_("The responsible person cannot review his own item."))
    if step.name in ("close_out", "reject_close_out"):
        asked = (
            Transition.objects.filter(item=item, action__in=REQUEST_ACTIONS)
            .order_by("-at", "-id")
            .values_list("user_id", flat=True)
            .first()
        )
        if asked == user.pk:
            # Four eyes: who asks for the close-out does not grant it.
            raise TransitionRefused(_("The person who requested the close-out cannot review it."))
    if step.needs_reason and not (reason or "").strip():
        raise TransitionRefused(_("Give a reason for this step."))
    if step.name == "request_close_out" and not dry_run and not has_evidence(item):
        raise TransitionRefused(
            _("Close-out needs evidence: add a progress entry with at least one evidence file.")
        )


STEP_LABELS = {
    "start": gettext_lazy("Start rectification"),
    "request_close_out": gettext_lazy("Request close-out"),
    "withdraw_close_out": gettext_lazy("Withdraw the close-out request"),
    "close_out": gettext_lazy("Close out"),
    "reject_close_out": gettext_lazy("Reject close-out"),
    "reopen": gettext_lazy("Reopen after follow-up review"),
}


def has_evidence(item: RectificationItem) -> bool:
    return Evidence.objects.filter(entry__item=item).exists()


def last_step_date(item: RectificationItem) -> datetime.date | None:
    return (
        Transition.objects.filter(item=item)
        .order_by("-on", "-id")
        .values_list("on", flat=True)
        .first()
    )


def check_business_date(item: RectificationItem, on: datetime.date | None) -> datetime.date:
    """The business date (业务日期) of a step on `item`: today unless given; never in the
    future, before the problem was found or before the item's previous step."""
    today = timezone.localdate()
    if on is None:
        return today
    if isinstance(on, datetime.datetime):
        on = on.date()
    if on > today:
        raise TransitionRefused(_("The date of a step cannot be in the future."))
    if item.found_date and on < item.found_date:
        raise TransitionRefused(
            _("The date of a step cannot be before the problem was found (%(d)s).")
            % {"d": _day(item.found_date)}
        )
    previous = last_step_date(item)
    if previous and on < previous:
        raise TransitionRefused(
            _("The date of a step cannot be before the previous step (%(d)s).")
            % {"d": _day(previous)}
        )
    return on


@transaction.atomic
def transition(
    *,
    item: RectificationItem,
    step: str,
    user,
    reason: str = "",
    expected_version: int | None = None,
    on: datetime.date | None = None,
) -> RectificationItem:
    """Take one workflow step on business date `on` (today if not given). Refused (and nothing
    written) when the table, the role, the scope, the evidence rule, the date or the version
    say no."""
    if step not in TRANSITIONS:
        raise TransitionRefused(_("Unknown step."))
    spec = TRANSITIONS[step]
    current = RectificationItem.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and current.version != expected_version:
        raise kit.StaleEdit(
            RectificationItem.objects.select_related("updated_by__person").get(pk=item.pk)
        )
    _check(spec, current, user, reason=reason)
    on = check_business_date(current, on)
    return _apply(current, item, spec.name, spec.target, user, reason, on)


def _apply(current, item, action: str, target: str, user, reason: str, on) -> RectificationItem:
    """Write one step: the item's status and close-out, its closures, the timeline, the change
    record and the notices."""
    before = kit.snapshot(current)
    from_status = current.status
    current.status = target
    if target == S.CLOSED:
        current.closed_on = on
        current.closed_at = timezone.now()
        current.closed_by = user
        Closure.objects.create(item=current, closed_on=on)
    elif from_status == S.CLOSED:
        current.closed_on = None
        current.closed_at = None
        current.closed_by = None
        Closure.objects.filter(item=current, reopened_on__isnull=True).update(reopened_on=on)
    current.version += 1
    current.updated_by = user
    current.save()
    Transition.objects.create(
        item=current,
        action=action,
        from_status=from_status,
        to_status=target,
        user=user,
        on=on,
        reason=reason.strip(),
    )
    kit.record_change(
        obj=current,
        kind="update",
        user=user,
        before=before,
        after=kit.snapshot(current),
        source="workflow",
    )
    if target == S.CLOSED or from_status == S.CLOSED:
        _tell_source(current, closed=target == S.CLOSED, on=on, user=user)
    if action in TRANSITIONS:
        _notify_transition(current, TRANSITIONS[action], user, reason)
    item.__dict__.update(current.__dict__)
    return current


def can_approve_close_out(item: RectificationItem, user) -> bool:
    """Whether `user` could close `item` out on its page: the review right over its unit and
    not its responsible person (the four-eyes rule for the requester is met by the ledger the
    close-out was taken from)."""
    if not RectificationItem.objects.permitted(user, "review").filter(pk=item.pk).exists():
        return False
    return not (item.responsible_person_id and user.person_id == item.responsible_person_id)


@transaction.atomic
def take_over_state(
    *, item: RectificationItem, user, status: str, on: datetime.date | None, reason: str
) -> RectificationItem:
    """The state an imported ledger records for a new item, dated from the file and held to
    the page's rules: 已销号 closes the item only when the importing user could have approved
    the close-out; otherwise it arrives as a close-out request for a reviewer."""
    current = RectificationItem.objects.select_for_update().get(pk=item.pk)
    if current.status != S.OPEN or status == S.OPEN:
        return current
    on = check_business_date(current, on)
    if status == S.CLOSED and not can_approve_close_out(current, user):
        status = S.REQUESTED
    if status == S.CLOSED:
        current = _apply(current, item, "import_request", S.REQUESTED, user, reason, on)
        return _apply(current, item, "import_close_out", S.CLOSED, user, reason, on)
    action = "import_request" if status == S.REQUESTED else "import"
    result = _apply(current, item, action, status, user, reason, on)
    if status == S.REQUESTED:
        _notify_transition(result, TRANSITIONS["request_close_out"], user, reason)
    return result


def _day(d) -> str:
    """A date in a message or notice, as pages write it (2026年12月1日)."""
    return date_format(d, "DATE_FORMAT") if d else ""


# The kinds of rectification notices, grouped and filtered in the notification centre.
LADDER_KINDS = ("reminder", "overdue", "escalation")
register_kind("close_out_request", gettext_lazy("Close-out requests"))
register_kind("review_result", gettext_lazy("Review decisions"))
register_kind("reminder", gettext_lazy("Deadline reminders"))
register_kind("overdue", gettext_lazy("Overdue items"))
register_kind("escalation", gettext_lazy("Escalations"))
register_kind("checkin", gettext_lazy("Check-ins due"))


def _item_url(item) -> str:
    return reverse(
        "ledger-detail", kwargs={"app_label": "rectification", "slug": "items", "pk": item.pk}
    )


def _notify_transition(item, step: Step, user, reason):
    """Tell the other side: reviewers of a close-out request, the responsible person of a
    decision."""
    title = _("%(step)s: %(item)s") % {
        "step": STEP_LABELS[step.name],
        "item": f"{item.unit.short_name or item.unit.name} · {item.title}",
    }
    body = reason
    key = f"rect:{item.pk}:{step.name}:{item.version}"
    about: dict[str, Any] = {"subject": f"rect:{item.pk}", "url": _item_url(item)}
    if step.name == "request_close_out":
        for reviewer in reviewers_of(item):
            if reviewer != user:
                notify(
                    recipient=reviewer,
                    key=key,
                    title=title,
                    body=body,
                    kind="close_out_request",
                    supersedes=("close_out_request",),
                    **about,
                )
    elif step.name in ("close_out", "reject_close_out", "reopen"):
        requester = User.objects.filter(
            pk__in=Transition.objects.filter(item=item, action__in=REQUEST_ACTIONS)
            .order_by("-at", "-id")
            .values("user_id")[:1]
        ).first()
        # The decision on the item is the latest word on it: the ladder's notices of the item
        # and the earlier decisions are superseded.
        result: dict[str, Any] = {
            "kind": "review_result",
            "supersedes": (*LADDER_KINDS, "review_result"),
        }
        if requester and requester not in (user, _user_of(item.responsible_person)):
            notify(recipient=requester, key=key, title=title, body=body, **result, **about)
        person_user = _user_of(item.responsible_person)
        if person_user and person_user != user:
            notify(
                recipient=person_user,
                key=key,
                title=title,
                body=body,
                level="warning" if step.name != "close_out" else "info",
                **result,
                **about,
            )


def reviewers_of(item) -> list[User]:
    """Users with a reviewing role over the item's unit (leaders, discipline) other than the
    responsible person."""
    ancestors = item.unit.path.strip("/").split("/")
    unit_ids = [int(x) for x in ancestors]
    qs = User.objects.filter(
        is_active=True,
        assignments__unit_id__in=unit_ids,
        assignments__role__in=[Role.LEADER, Role.DISCIPLINE],
    ).distinct()
    if item.responsible_person_id:
        qs = qs.exclude(person_id=item.responsible_person_id)
    return list(qs)


def _user_of(person):
    if person is None:
        return None
    return User.objects.filter(person=person, is_active=True).first()


# --- measures and progress -------------------------------------------------------------------


def _require(user, item, action="change"):
    if not RectificationItem.objects.permitted(user, action).filter(pk=item.pk).exists():
        raise PermissionDenied(_("You may not change this item."))


@transaction.atomic
def add_measure(*, item, user, description: str, owner=None, deadline=None) -> Measure:
    _require(user, item)
    if item.status == S.CLOSED:
        raise TransitionRefused(_("A closed item takes no new measures; reopen it first."))
    measure = Measure(item=item, description=description, owner=owner, deadline=deadline)
    return kit.create_row(obj=measure, user=user)


@transaction.atomic
def set_measure_state(*, measure: Measure, state: str, user, expected_version: int) -> Measure:
    _require(user, measure.item)
    if measure.item.status == S.CLOSED:
        raise TransitionRefused(_("A closed item's measures cannot change; reopen it first."))
    measure.state = state
    return kit.update_row(obj=measure, expected_version=expected_version, user=user)


@transaction.atomic
def add_progress(
    *, item, user, text: str, date: datetime.date | None = None, files=(), is_checkin: bool = False
) -> ProgressEntry:
    """Record progress with its evidence files; the first progress starts an open item."""
    _require(user, item)
    if item.status == S.CLOSED:
        raise TransitionRefused(_("A closed item takes no progress; reopen it first."))
    if not (text or "").strip():
        raise ValidationError({"text": _("Describe the progress.")})
    today = timezone.localdate()
    date = date or today
    if date > today:
        raise ValidationError({"date": _("Progress cannot be dated in the future.")})
    if item.found_date and date < item.found_date:
        raise ValidationError(
            {
                "date": _("Progress cannot be dated before the problem was found (%(d)s).")
                % {"d": _day(item.found_date)}
            }
        )
    if is_checkin and item.kind != Kind.ONGOING:
        raise ValidationError({"is_checkin": _("Only ongoing items have periodic check-ins.")})
    entry = kit.create_row(
        obj=ProgressEntry(item=item, date=date, text=text.strip(), is_checkin=is_checkin), user=user
    )
    for f in files:
        _check_file(f)
        ev = Evidence(entry=entry, name=f.name[:200], uploaded_by=user)
        ev.file.save(f.name, f, save=False)
        ev.save()
        # Every write has its change record: the file kept, by whom, for which entry.
        kit.record_change(obj=ev, kind="create", user=user, after=kit.snapshot(ev))
    if item.status == S.OPEN:
        # Work started the day the first progress happened, not the day it was entered.
        transition(item=item, step="start", user=user, on=max(date, last_step_date(item) or date))
    return entry


MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = (
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ofd",
    ".zip",
    ".txt",
)


def _check_file(f) -> None:
    if f.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"files": _("“%(name)s” is larger than 20 MB.") % {"name": f.name}})
    if not f.name.lower().endswith(EVIDENCE_TYPES):
        raise ValidationError(
            {
                "files": _(
                    "“%(name)s” is not an accepted type of file (PDF, "
                    "images, Word, Excel, OFD, ZIP)."
                )
                % {"name": f.name}
            }
        )


# --- items from other records ----------------------------------------------------------------


@transaction.atomic
def create_item_from(*, record, user, **fields) -> RectificationItem:
    """The one mechanism for "this record raises a rectification item" (an inspection finding,
    an adopted audit recommendation, a meeting opinion; inventory differences, safety hazards,
    reserve shortfalls next). The item points at `record`, found back with `items_raised_by`.
    A record may offer `item_defaults()` (category, kind, deadline from its own dates …),
    which the given `fields` override, and hears of its item's close-out and reopening through
    `item_closed(item=, on=, user=)` and `item_reopened(item=, on=, user=)`, in the step's
    transaction."""
    defaults = record.item_defaults() if hasattr(record, "item_defaults") else {}
    item = RectificationItem(**{**defaults, **fields})
    item.source_type = ContentType.objects.get_for_model(type(record))
    item.source_id = record.pk
    return kit.create_row(obj=item, user=user)


def items_raised_by(record):
    """The items `record` raised (through the index on the item's source)."""
    return RectificationItem.objects.filter(
        source_type=ContentType.objects.get_for_model(type(record)), source_id=record.pk
    )


def _tell_source(item: RectificationItem, *, closed: bool, on, user) -> None:
    if not item.source_type_id:
        return
    record = item.source_record
    hook = getattr(record, "item_closed" if closed else "item_reopened", None)
    if hook is not None:
        hook(item=item, on=on, user=user)


# --- escalation ------------------------------------------------------------------------------


@dataclass
class LadderResult:
    reminded: int = 0
    overdue: int = 0
    escalated: int = 0
    checkins: int = 0

    @property
    def total(self) -> int:
        return self.reminded + self.overdue + self.escalated + self.checkins


def run_escalation(
    *,
    today: datetime.date | None = None,
    remind_days: int | None = None,
    escalate_after: int | None = None,
) -> LadderResult:
    """The ladder: before the deadline the responsible person is reminded; once overdue the
    responsible leader too; after `escalate_after` days the discipline role of the parent unit.
    Safe to run any number of times: each notice has a key and is sent once."""
    today = today or timezone.localdate()
    remind_days = settings.GONGXIAO_REMIND_DAYS if remind_days is None else remind_days
    escalate_after = (
        settings.GONGXIAO_ESCALATE_AFTER_DAYS if escalate_after is None else escalate_after
    )
    result = LadderResult()
    open_items = RectificationItem.objects.exclude(status=S.CLOSED).select_related(
        "unit", "unit__parent", "responsible_person", "responsible_leader"
    )
    soon = open_items.filter(
        deadline__gte=today, deadline__lte=today + datetime.timedelta(days=remind_days)
    )
    for item in soon:
        user = _user_of(item.responsible_person)
        days = (item.deadline - today).days
        if user and notify(
            recipient=user,
            key=f"rect:{item.pk}:remind:{item.deadline}",
            kind="reminder",
            subject=f"rect:{item.pk}",
            title=_("Due in %(n)s days: %(item)s") % {"n": days, "item": item.title},
            body=_("Deadline %(d)s.") % {"d": _day(item.deadline)},
            url=_item_url(item),
        ):
            result.reminded += 1
    for item in open_items.filter(deadline__lt=today):
        days = (today - item.deadline).days
        title = _("Overdue by %(n)s days: %(item)s") % {"n": days, "item": item.title}
        body = _("Deadline %(d)s; responsible unit %(u)s.") % {
            "d": _day(item.deadline),
            "u": item.unit.name,
        }
        for person in (item.responsible_person, item.responsible_leader):
            user = _user_of(person)
            if user and notify(
                recipient=user,
                key=f"rect:{item.pk}:overdue:{item.deadline}",
                kind="overdue",
                subject=f"rect:{item.pk}",
                supersedes=("reminder", "overdue"),
                title=title,
                body=body,
                url=_item_url(item),
                level="warning",
            ):
                result.overdue += 1
        if days >= escalate_after:
            parent = item.unit.parent or item.unit
            for user in _discipline_users(parent):
                if notify(
                    recipient=user,
                    key=f"rect:{item.pk}:escalate:{item.deadline}",
                    kind="escalation",
                    subject=f"rect:{item.pk}",
                    supersedes=LADDER_KINDS,
                    title=_("Escalated, overdue by %(n)s days: %(item)s")
                    % {"n": days, "item": item.title},
                    body=body,
                    url=_item_url(item),
                    level="danger",
                ):
                    result.escalated += 1
    for item in open_items.filter(kind=Kind.ONGOING):
        due = item.next_checkin_due()
        if due and due <= today:
            user = _user_of(item.responsible_person)
            if user and notify(
                recipient=user,
                key=f"rect:{item.pk}:checkin:{due}",
                kind="checkin",
                subject=f"rect:{item.pk}",
                supersedes=("checkin",),
                title=_("Check-in due: %(item)s") % {"item": item.title},
                body=_("Report progress on this ongoing item (due %(d)s).") % {"d": _day(due)},
                url=_item_url(item),
            ):
                result.checkins += 1
    return result


def _discipline_users(unit) -> list[User]:
    ids = RoleAssignment.objects.filter(unit=unit, role=Role.DISCIPLINE).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def can_see(user, item) -> bool:
    return scoping.can(user, "view", item)
