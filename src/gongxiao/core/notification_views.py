from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from gongxiao.core import notifications
from gongxiao.core.models import Notification


@login_required
def notification_list(request):
    """The user's notices, filtered by kind and by unread, with the kinds and their counts."""
    qs = Notification.objects.filter(recipient=request.user)
    kinds = notifications.kinds_of(request.user)
    kind = request.GET.get("kind")
    if kind is not None and kind not in {k["kind"] for k in kinds}:
        kind = None
    if kind is not None:
        qs = qs.filter(kind=kind)
    unread = bool(request.GET.get("unread"))
    if unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    for n in page:
        setattr(n, "kind_label", notifications.kind_label(n.kind))  # noqa: B010 - for the page
    query = {k: v for k, v in (("kind", kind), ("unread", "1" if unread else None)) if v}
    return render(
        request,
        "core/notifications.html",
        {
            "page": page,
            "kinds": kinds,
            "kind": kind,
            "unread": unread,
            "query": urlencode(query),
        },
    )


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one notice read and go to what it is about."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.mark_read(user=request.user, pk=note.pk)
    target = note.url or "/notifications/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/notifications/"
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request):
    """Mark every unread notice read, or every one of a kind."""
    kind = request.POST.get("kind")
    notifications.mark_read(user=request.user, kind=kind if kind is not None else None)
    return redirect("notifications")
