"""Home page and the working-context switch."""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxiao.core import scoping
from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.models import ChangeRecord, Job
from gongxiao.core.periods import parse_period
from gongxiao.core.views import capped_count


@login_required
def home(request):
    user = request.user
    unit = request.working_unit
    cards = []
    for ledger in all_ledgers():
        if not scoping.can_any(user, ledger.module, "view"):
            continue
        qs = ledger.queryset_for(user)
        if unit is not None:
            qs = qs.filter(**{f"{ledger.model.scope_field}__path__startswith": unit.path})
        count, capped = capped_count(qs)
        cards.append({"ledger": ledger, "count": count, "capped": capped, "unit": unit})
    units = scoping.units_for(user)
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    # Per ledger, the units where the user may view that ledger's module: a change to the four
    # forms is no one's business but the discipline role's.
    reach = Q(pk__in=[])
    for ledger in all_ledgers():
        if not scoping.can_any(user, ledger.module, "view"):
            continue
        units_q = scoping.units_for(user, ledger.module, "view")
        if unit is not None:
            units_q = units_q.filter(path__startswith=unit.path)
        reach |= Q(
            content_type=ContentType.objects.get_for_model(ledger.model),
            unit_id__in=units_q.values("pk"),
        )
    changes = ChangeRecord.objects.filter(reach)
    ctx = {
        "cards": cards,
        "unit_count": units.count(),
        "recent_changes": changes.order_by("-at", "-id")[:10],
        "jobs": Job.objects.filter(user=user)[:5],
    }
    return render(request, "core/home.html", ctx)


def _without(url: str, *names: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit(parts._replace(query=urlencode(query)))


@login_required
@require_POST
def switch_context(request):
    unit_id = request.POST.get("unit")
    period = request.POST.get("period")
    if unit_id:
        if not unit_id.isdigit() or not scoping.units_for(request.user).filter(pk=unit_id).exists():
            return HttpResponseBadRequest(_("That unit is not within your scope."))
        request.session["gx_unit"] = int(unit_id)
    if period:
        try:
            request.session["gx_period"] = parse_period(period).code
        except ValueError as exc:
            return HttpResponseBadRequest(str(exc))
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if period or unit_id:
        # The page's own ?period= / ?unit= would override the context just chosen.
        target = _without(target, *(["period"] if period else []), *(["unit"] if unit_id else []))
    return redirect(target)
