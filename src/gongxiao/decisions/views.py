"""The meeting page's procedure (attendance, statements, deferral, sealing, amendments,
follow-up) and the filing lists. Rows are found through the scoping layer; every rule is in
services."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxiao.core import scoping
from gongxiao.core import services as kit
from gongxiao.org.models import Person

from . import anchors, services
from .models import Attendance, Matter, Meeting, Outcome, SealedRecordError, Statement

REFUSALS = (services.ProcedureRefused, PermissionDenied, ValidationError, SealedRecordError)


def _url(meeting):
    return reverse(
        "ledger-detail", kwargs={"app_label": "decisions", "slug": "meetings", "pk": meeting.pk}
    )


def _meeting(request, pk, action="view"):
    return get_object_or_404(Meeting.objects.permitted(request.user, action), pk=pk)


def _id(value) -> int | None:
    """A posted id, or None when it is not a number (a tampered form gets a message, not a 500)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _say(request, exc):
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(kit.validation_messages(exc)))
    else:
        messages.error(request, str(exc) or _("Your roles do not allow this."))


def meeting_context(request, meeting) -> dict:
    user = request.user
    can_change = (
        not meeting.sealed_at and Meeting.objects.editable_by(user).filter(pk=meeting.pk).exists()
    )
    matters = []
    for m in meeting.matters.select_related("proposer").prefetch_related(
        "statements__person", "follow_ups"
    ):
        t = services.tally(m)
        stated = {s.person_id for s in m.statements.all()}
        # The principal leader last in the list, as he states last.
        waiting = sorted(
            (
                a
                for a in meeting.attendances.all()
                if a.role == Attendance.Role.MEMBER and a.present and a.person_id not in stated
            ),
            key=lambda a: a.is_principal,
        )
        matters.append({"matter": m, "tally": t, "waiting": waiting})
    people = scoping.scope_related(Person.objects.all(), user).filter(
        unit__path__startswith=meeting.unit.path
    )
    return {
        "meeting": meeting,
        "attendances": meeting.attendances.select_related("person"),
        "matters": matters,
        "can_change": can_change,
        "can_amend": bool(meeting.sealed_at)
        and Meeting.objects.editable_by(user).filter(pk=meeting.pk).exists(),
        "seals": meeting.seals.order_by("position"),
        # The unit's chain head (count and last digest), printed on the sealed minutes.
        "chain_head": next(iter(anchors.heads([meeting.unit_id])), None)
        if meeting.sealed_at
        else None,
        "amendments": meeting.amendments.all(),
        "people": people.order_by("name")[:300] if can_change else [],
        "positions": Statement.Position.choices,
        "roles": Attendance.Role.choices,
        "passed": Outcome.PASSED,
        "today": timezone.localdate(),
    }


@login_required
@require_POST
def attendance(request, pk):
    meeting = _meeting(request, pk)
    person = (
        scoping.scope_related(Person.objects.all(), request.user)
        .filter(pk=_id(request.POST.get("person")))
        .first()
    )
    if person is None:
        messages.error(request, _("Choose a person."))
        return redirect(_url(meeting))
    try:
        services.set_attendance(
            meeting=meeting,
            person=person,
            user=request.user,
            role=request.POST.get("role", "member"),
            present=request.POST.get("present") == "on",
            absence_reason=request.POST.get("absence_reason", ""),
            is_principal=request.POST.get("is_principal") == "on",
        )
        messages.success(request, _("Attendance recorded."))
    except REFUSALS as exc:
        _say(request, exc)
    return redirect(_url(meeting))


@login_required
@require_POST
def statement(request, pk):
    matter = get_object_or_404(
        Matter.objects.visible_to(request.user).select_related("meeting"), pk=pk
    )
    person = Person.objects.filter(
        pk=_id(request.POST.get("person")), pk__in=matter.meeting.attendances.values("person")
    ).first()
    try:
        if person is None:
            raise services.ProcedureRefused(_("Choose a member of this meeting."))
        services.record_statement(
            matter=matter,
            person=person,
            position=request.POST.get("position", ""),
            remarks=request.POST.get("remarks", ""),
            user=request.user,
        )
        messages.success(request, _("Statement recorded."))
    except REFUSALS as exc:
        _say(request, exc)
    return redirect(_url(matter.meeting))


@login_required
@require_POST
def defer(request, pk):
    matter = get_object_or_404(
        Matter.objects.visible_to(request.user).select_related("meeting"), pk=pk
    )
    try:
        services.defer_matter(
            matter=matter, user=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Deferred."))
    except REFUSALS as exc:
        _say(request, exc)
    return redirect(_url(matter.meeting))


@login_required
@require_POST
def follow_up(request, pk):
    matter = get_object_or_404(
        Matter.objects.visible_to(request.user).select_related("meeting"), pk=pk
    )
    try:
        services.add_follow_up(
            matter=matter,
            user=request.user,
            text=request.POST.get("text", ""),
            date=request.POST.get("date") or timezone.localdate(),
            completed=request.POST.get("completed") == "on",
        )
        messages.success(request, _("Follow-up recorded."))
    except REFUSALS as exc:
        _say(request, exc)
    return redirect(_url(matter.meeting))


@login_required
@require_POST
def decision(request, pk):
    matter = get_object_or_404(
        Matter.objects.visible_to(request.user).select_related("meeting"), pk=pk
    )
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("The form is missing its version; reload the page."))
        return redirect(_url(matter.meeting))
    try:
        services.set_decision_text(
            matter=matter,
            user=request.user,
            text=request.POST.get("text", ""),
            expected_version=version,
        )
        messages.success(request, _("Saved."))
    except (*REFUSALS, kit.StaleEdit) as exc:
        _say(request, exc)
    return redirect(_url(matter.meeting))


def _business_date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError({"on": _("Write the date as 2023-06-30.")}) from None


@login_required
@require_POST
def seal(request, pk):
    meeting = _meeting(request, pk)
    try:
        s = services.seal_meeting(
            meeting=meeting, user=request.user, on=_business_date(request.POST.get("on"))
        )
        messages.success(request, _("Sealed. Digest %(d)s…") % {"d": s.digest[:16]})
    except REFUSALS as exc:
        _say(request, exc)
    return redirect(_url(meeting))


@login_required
@require_POST
def amendment(request, pk):
    meeting = _meeting(request, pk)
    try:
        services.amend(meeting=meeting, user=request.user, text=request.POST.get("text", ""))
        messages.success(request, _("Amendment appended and sealed."))
    except REFUSALS as exc:
        _say(request, exc)
    return redirect(_url(meeting))
