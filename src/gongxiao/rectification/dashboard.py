"""The rectification dashboard: found, closed, overdue and close-out rate for the working unit
and period, by unit and by campaign; every number links to its rows."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from gongxiao.core import scoping
from gongxiao.core.metrics import compute

from .models import Campaign

KEYS = [
    "rectification.items.found",
    "rectification.items.closed",
    "rectification.items.overdue",
    "rectification.items.closeout_rate",
]


def figures(user, unit, period, filters=None):
    return [compute(k, user, unit, period, filters) for k in KEYS]


@login_required
def dashboard(request):
    user = request.user
    if not scoping.can_any(user, "rectification", "view"):
        raise PermissionDenied
    unit, period = request.working_unit, request.working_period
    by_unit = []
    if unit is not None:
        children = unit.children.filter(status="active").visible_to(user).order_by("code")
        # The unit's own items first (本级), so the rows add up to the totals.
        by_unit = [(unit, figures(user, unit, period, {"unit": unit.pk}))]
        by_unit += [(child, figures(user, child, period)) for child in children]
    campaigns = Campaign.objects.visible_to(user)
    if unit is not None:
        campaigns = campaigns.filter(items__unit__path__startswith=unit.path).distinct()
    by_campaign = [(c, figures(user, unit, period, {"campaign": c.pk})) for c in campaigns[:50]]
    ctx = {
        "unit": unit,
        "period": period,
        "totals": figures(user, unit, period),
        "by_unit": by_unit,
        "by_campaign": by_campaign,
        "labels": [f.metric for f in figures(user, unit, period)],
    }
    return render(request, "rectification/dashboard.html", ctx)
