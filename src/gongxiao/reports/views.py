"""Pages of the reports module: the metric catalogue, a metric's drill-down, the dashboard,
statistical tables, and the draft's preview, export and finalisation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxiao.core import jobs, metrics, scoping
from gongxiao.core.models import Job
from gongxiao.core.periods import Period, parse_period
from gongxiao.org.roles import MODULES

from . import dashboard as dash
from . import services
from .labels import choice_label, field_label
from .models import ReportDraft


def _require(user, action="view"):
    if not scoping.can_any(user, "reports", action):
        raise PermissionDenied(_("Your roles do not allow reports."))


def unit_and_period(request):
    """The unit and period a page is about: ?unit= and ?period= if given (the unit within the
    user's scope), else the working unit and period."""
    unit = request.working_unit
    if raw := request.GET.get("unit"):
        try:
            unit = scoping.units_for(request.user).filter(pk=int(raw)).first()
        except ValueError:
            unit = None
        if unit is None:
            raise Http404(_("No such unit within your scope."))
    if unit is None:
        raise Http404(_("No unit within your scope."))
    period = request.working_period
    if raw := request.GET.get("period"):
        try:
            period = parse_period(raw)
        except ValueError as exc:
            messages.error(request, str(exc))
    return unit, period


def _start_job(request, kind, back_url, **params):
    """A background job of this module, run by the worker; the page follows its progress."""
    job = Job.objects.create(
        kind=kind,
        ledger="reports.drafts",
        user=request.user,
        params={**params, "language": request.LANGUAGE_CODE, "back_url": back_url},
    )
    jobs.start(job, sync=False)
    return redirect("job-detail", pk=job.pk)


def _visible_metrics(user):
    return metrics.all_metrics(user)


@login_required
def catalogue(request):
    _require(request.user)
    unit, period = unit_and_period(request)
    groups: dict[str, list] = {}
    for metric in _visible_metrics(request.user):
        comparison = metrics.compare(metric.key, request.user, unit, period)
        groups.setdefault(str(MODULES.get(metric.module, metric.module)), []).append(
            {
                "metric": metric,
                "value": metrics.display(comparison.current.value, metric.measure),
                "url": comparison.current.url,
                "last_year": metrics.display(comparison.previous.value, metric.measure),
                "last_year_url": comparison.previous.url,
                "change": comparison.change_rate,
                "points": comparison.change_points,
            }
        )
    return render(
        request,
        "reports/catalogue.html",
        {"unit": unit, "period": period, "groups": groups.items()},
    )


def _trend_periods(period: Period) -> list[Period]:
    """The eight quarters up to the end of the period."""
    year, q = period.end.year, (period.end.month - 1) // 3 + 1
    out = []
    for _i in range(8):
        try:
            out.append(parse_period(f"{year}Q{q}"))
        except ValueError:  # before the first year a period may have
            break
        q -= 1
        if q == 0:
            year, q = year - 1, 4
    return list(reversed(out))


@login_required
def metric_detail(request, key):
    _require(request.user)
    try:
        metric = metrics.get_metric(key)
    except KeyError:
        raise Http404(_("No such metric.")) from None
    if not scoping.can_any(request.user, metric.module, "view"):
        raise Http404(_("No such metric."))
    unit, period = unit_and_period(request)
    comparison = metrics.compare(key, request.user, unit, period)
    by_unit = metrics.rollup(key, request.user, unit, period)
    by_unit = [by_unit[i] for i in metrics.live_rows([by_unit])]
    breakdowns = []
    for name, path in metric.dimensions.items():
        if name == "unit":
            continue
        rows = metrics.breakdown(key, request.user, unit, period, name)
        field = field_label(comparison.current.rows.model, path)
        breakdowns.append(
            (
                field,
                [
                    (choice_label(comparison.current.rows.model, path, v, request.user), f)
                    for v, f in rows
                ],
            )
        )
    trend = metrics.trend(key, request.user, unit, _trend_periods(period))
    chart = {
        "id": "chart-trend",
        "type": "line",
        "title": "",
        "labels": [p.label for p, _f in trend],
        "series": [
            {
                "name": str(metric.label),
                "values": [_num(f.value) for _p, f in trend],
                "urls": [f.url for _p, f in trend],
            }
        ],
    }
    return render(
        request,
        "reports/metric.html",
        {
            "metric": metric,
            "unit": unit,
            "period": period,
            "comparison": comparison,
            "value": metrics.display(comparison.current.value, metric.measure),
            "last_year": metrics.display(comparison.previous.value, metric.measure),
            "by_unit": [(r, metrics.display(r.figure.value, metric.measure)) for r in by_unit],
            "breakdowns": breakdowns,
            "trend": [(p, metrics.display(f.value, metric.measure), f.url) for p, f in trend],
            "chart_list": [chart],
        },
    )


def _num(value):
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@login_required
def dashboard(request):
    _require(request.user)
    unit, period = unit_and_period(request)
    board = dash.build(request.user, unit, period)
    return render(
        request,
        "reports/dashboard.html",
        {"unit": unit, "period": period, "board": board, "chart_list": board["charts"]},
    )


# --- statistical tables ---------------------------------------------------------------------


@login_required
def statistics(request):
    _require(request.user, "export")
    unit, period = unit_and_period(request)
    available = _visible_metrics(request.user)
    if request.method == "POST":
        keys = [k for k in request.POST.getlist("metric") if k in {m.key for m in available}]
        unit_id = request.POST.get("unit") or unit.pk
        try:
            chosen = scoping.units_for(request.user).filter(pk=int(unit_id)).first()
        except ValueError:
            chosen = None
        try:
            chosen_period = parse_period(request.POST.get("period") or period.code)
        except ValueError as exc:
            messages.error(request, str(exc))
            chosen_period = None
        if chosen is None:
            messages.error(request, _("Choose a unit within your scope."))
        elif not keys:
            messages.error(request, _("Choose at least one metric."))
        elif chosen_period is not None:
            return _start_job(
                request,
                Job.Kind.STATISTICS,
                reverse("reports:statistics"),
                unit=chosen.pk,
                period=chosen_period.code,
                keys=keys,
                compare=request.POST.get("compare") == "on",
            )
    groups: dict[str, list] = {}
    for m in available:
        groups.setdefault(str(MODULES.get(m.module, m.module)), []).append(m)
    return render(
        request,
        "reports/statistics.html",
        {
            "unit": unit,
            "period": period,
            "groups": groups.items(),
            "chosen": set(request.POST.getlist("metric")),
        },
    )


# --- drafts -------------------------------------------------------------------------------


def _draft(request, pk, action="view"):
    return get_object_or_404(ReportDraft.objects.permitted(request.user, action), pk=pk)


def _draft_url(pk):
    return reverse("ledger-detail", args=["reports", "drafts", pk])


@login_required
@require_POST
def export_draft(request, pk):
    draft = _draft(request, pk, "export")
    return _start_job(
        request,
        Job.Kind.REPORT,
        _draft_url(draft.pk),
        draft=draft.pk,
        filename=services.file_stem(draft),
    )


@login_required
def verify_draft(request, pk):
    """For the report's owners (who may change it and see every figure it holds): the figures
    as finalised against the ledgers now, and the rows behind each change. Reads only."""
    from . import verify

    draft = _draft(request, pk, "change")
    if not draft.is_final:
        messages.error(request, _("Only a finalised report can be checked against the ledgers."))
        return redirect(_draft_url(draft.pk))
    if not services.may_see_final(draft, request.user):
        raise PermissionDenied(
            _("The finalised report holds figures your roles do not reach; it cannot be checked.")
        )
    result = verify.check(draft, request.user)
    return render(request, "reports/verify.html", {"draft": draft, "result": result})
