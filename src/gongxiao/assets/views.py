"""Pages of co-op assets beyond the kit: the filled lease contract (统一租赁合同文本)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.encoding import escape_uri_path

from . import contract
from .models import Lease

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def contract_docx(request, pk: int):
    """The lease's contract filled from its data, for whoever may see the lease (else 404)."""
    if not str(pk).isdigit():
        raise Http404
    lease = get_object_or_404(
        Lease.objects.visible_to(request.user).select_related("unit", "property"), pk=pk
    )
    data = contract.render(lease)
    name = f"租赁合同-{lease.property.name}-{lease.tenant_name}.docx"
    resp = HttpResponse(data, content_type=DOCX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return resp
