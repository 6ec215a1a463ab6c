"""Pages the kit does not give: the evidence download and the context of the item's page
(timeline, measures, progress). The item's workflow, measures and progress are actions
declared in ledgers.py; the kit gives them their buttons, pages and API routes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongxiao.core import scoping

from . import services
from .models import Evidence, Measure, Transition


def item_context(request, item) -> dict:
    return {
        "item": item,
        "timeline": Transition.objects.filter(item=item).select_related("user__person"),
        "today": timezone.localdate(),
        "measures": item.measures.select_related("owner"),
        "progress": item.progress.prefetch_related("evidence"),
        "measure_states": Measure.State.choices,
        "source_record": item.source_record if item.source_type_id else None,
        "next_checkin": item.next_checkin_due(),
        "has_evidence": services.has_evidence(item),
    }


@login_required
def evidence_download(request, pk):
    ev = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    if not ev.file:
        raise Http404
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.name)


def can_use_module(user, action="view") -> bool:
    return scoping.can_any(user, "rectification", action)
