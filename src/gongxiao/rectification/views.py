"""The page the kit does not give: the evidence download. The item's page, workflow, measures
and progress are the ledger's and its actions (ledgers.py); the kit gives them their buttons,
pages and API routes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from .models import Evidence


@login_required
def evidence_download(request, pk):
    ev = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    if not ev.file:
        raise Http404
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.name)
