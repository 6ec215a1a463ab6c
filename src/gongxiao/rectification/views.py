"""Pages the kit does not give: the item's workflow, measures, progress with evidence, the
dashboard, the three lists and the import of existing ledgers. Each finds its rows through the
scoping layer and hands the change to services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxiao.core import scoping
from gongxiao.core import services as kit

from . import services
from .forms import MeasureForm, MeasureStateForm, ProgressForm, StepForm
from .models import Evidence, Measure, RectificationItem, Transition


def _item_url(item):
    return reverse(
        "ledger-detail", kwargs={"app_label": "rectification", "slug": "items", "pk": item.pk}
    )


def _get_item(request, pk, action="view"):
    return get_object_or_404(RectificationItem.objects.permitted(request.user, action), pk=pk)


def item_context(request, item) -> dict:
    user = request.user
    # A closed item takes no measures or progress until a follow-up review reopens it.
    can_change = (
        item.status != "closed"
        and RectificationItem.objects.editable_by(user).filter(pk=item.pk).exists()
    )
    return {
        "item": item,
        "steps": services.allowed_steps(item, user),
        "step_labels": services.STEP_LABELS,
        "timeline": Transition.objects.filter(item=item).select_related("user__person"),
        "today": timezone.localdate(),
        "last_step_on": services.last_step_date(item),
        "measures": item.measures.select_related("owner"),
        "progress": item.progress.prefetch_related("evidence"),
        "can_change": can_change,
        "measure_form": MeasureForm(user=user) if can_change else None,
        "progress_form": ProgressForm(initial={"date": timezone.localdate()})
        if can_change
        else None,
        "measure_states": Measure.State.choices,
        "source_record": item.source_record if item.source_type_id else None,
        "next_checkin": item.next_checkin_due(),
        "has_evidence": services.has_evidence(item),
    }


@login_required
@require_POST
def item_step(request, pk, step):
    item = _get_item(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_item_url(item))
    try:
        services.transition(
            item=item,
            step=step,
            user=request.user,
            reason=form.cleaned_data.get("reason") or "",
            expected_version=form.cleaned_data["version"],
            on=form.cleaned_data.get("on"),
        )
        messages.success(
            request, _("Done: %(step)s.") % {"step": services.STEP_LABELS.get(step, step)}
        )
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
    except kit.StaleEdit as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Your roles do not allow this."))
    return redirect(_item_url(item))


@login_required
@require_POST
def item_measure(request, pk):
    item = _get_item(request, pk)
    form = MeasureForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("The measure was not saved: %(err)s") % {"err": _errors(form)})
        return redirect(_item_url(item))
    try:
        services.add_measure(item=item, user=request.user, **form.cleaned_data)
        messages.success(request, _("Measure added."))
    except (services.TransitionRefused, PermissionDenied, ValidationError) as exc:
        messages.error(request, _message(exc))
    return redirect(_item_url(item))


@login_required
@require_POST
def measure_state(request, pk):
    measure = get_object_or_404(Measure.objects.visible_to(request.user), pk=pk)
    form = MeasureStateForm(request.POST)
    if form.is_valid():
        try:
            services.set_measure_state(
                measure=measure,
                state=form.cleaned_data["state"],
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
            messages.success(request, _("Saved."))
        except (kit.StaleEdit, PermissionDenied, ValidationError) as exc:
            messages.error(request, _message(exc))
    else:
        messages.error(request, _errors(form))
    return redirect(_item_url(measure.item))


@login_required
@require_POST
def item_progress(request, pk):
    item = _get_item(request, pk)
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The progress was not saved: %(err)s") % {"err": _errors(form)})
        return redirect(_item_url(item))
    try:
        services.add_progress(
            item=item,
            user=request.user,
            text=form.cleaned_data["text"],
            date=form.cleaned_data["date"],
            files=form.cleaned_data["files"],
            is_checkin=form.cleaned_data["is_checkin"],
        )
        messages.success(request, _("Progress recorded."))
    except (services.TransitionRefused, PermissionDenied, ValidationError) as exc:
        messages.error(request, _message(exc))
    return redirect(_item_url(item))


@login_required
def evidence_download(request, pk):
    ev = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    if not ev.file:
        raise Http404
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.name)


def _errors(form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{m}"
        for k, ms in form.errors.items()
        for m in ms
    )


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(kit.validation_messages(exc))
    return str(exc) or _("Your roles do not allow this.")


def can_use_module(user, action="view") -> bool:
    return scoping.can_any(user, "rectification", action)
