from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongxiao.core import notifications
from gongxiao.core.models import Notification


@login_required
def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


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
    notifications.mark_read(user=request.user)
    return redirect("notifications")
