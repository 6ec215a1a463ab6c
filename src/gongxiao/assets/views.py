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


def _quarter_of(request):
    from django.contrib import messages
    from django.utils import timezone

    from gongxiao.core.periods import parse_period

    day = timezone.localdate()
    wp = request.working_period
    if not (wp.start <= day <= wp.end):
        day = wp.start
    default = f"{day.year}Q{(day.month - 1) // 3 + 1}"
    try:
        return parse_period(request.GET.get("period") or default)
    except ValueError as exc:
        messages.error(request, str(exc))
        return parse_period(default)


def coverage_rows(user, unit, period):
    """Units (county, grassroots, enterprises) and properties below `unit` with whether a
    safety inspection of the period covered them, and the year's safety letters signed."""
    from gongxiao.core import scoping
    from gongxiao.org.models import Unit

    from .models import Property, SafetyInspection

    units = list(
        scoping.units_for(user)
        .filter(path__startswith=unit.path, status="active")
        .filter(kind__in=[Unit.Kind.COUNTY, Unit.Kind.GRASSROOTS, Unit.Kind.ENTERPRISE])
        .order_by("path")
    )
    inspections = SafetyInspection.objects.visible_to(user).filter(
        date__gte=period.start, date__lte=period.end
    )
    through_units = SafetyInspection.inspected_units.through.objects.filter(
        safetyinspection__in=inspections.values("pk")
    )
    inspected_units = set(through_units.values_list("unit_id", flat=True))
    through_props = SafetyInspection.properties.through.objects.filter(
        safetyinspection__in=inspections.values("pk")
    )
    inspected_props = set(through_props.values_list("property_id", flat=True))
    props = list(
        Property.objects.visible_to(user)
        .filter(unit__path__startswith=unit.path, disposed_on__isnull=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )
    letters: set[int] = set()
    if scoping.can_any(user, "supervision", "view"):
        from gongxiao.supervision.models import ResponsibilityLetter

        letters = set(
            ResponsibilityLetter.objects.visible_to(user)
            .filter(kind="safety", year=period.start.year)
            .values_list("signer_unit_id", flat=True)
        )
    return {
        "units": [(u, u.pk in inspected_units, u.pk in letters) for u in units],
        "properties": [(p, p.pk in inspected_props) for p in props],
        "show_letters": scoping.can_any(user, "supervision", "view"),
    }


@login_required
def safety_coverage(request):
    """每季度开展安全生产检查: which units and properties no safety inspection covered in the
    quarter, beside the year's safety responsibility letters (责任书) signed."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import render

    from gongxiao.core import scoping

    if not scoping.can_any(request.user, "assets", "view"):
        raise PermissionDenied
    period = _quarter_of(request)
    unit = request.working_unit
    ctx = coverage_rows(request.user, unit, period)
    if request.GET.get("format") == "xlsx":
        if not scoping.can_any(request.user, "assets", "export"):
            raise PermissionDenied
        return _coverage_xlsx(unit, period, ctx)
    ctx.update(
        {
            "period": period,
            "unit": unit,
            "can_export": scoping.can_any(request.user, "assets", "export"),
            "units_missing": sum(1 for _u, ok, _l in ctx["units"] if not ok),
            "props_missing": sum(1 for _p, ok in ctx["properties"] if not ok),
        }
    )
    return render(request, "assets/safety_coverage.html", ctx)


def _coverage_xlsx(unit, period, ctx):
    """The coverage page as a workbook: the units (inspected, safety letter signed) and the
    properties (inspected) of the quarter, each on its sheet, laid out by the kit's helper."""
    import io

    from django.http import FileResponse
    from django.utils.translation import gettext as _

    from gongxiao.core import xlsx

    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter"})
    cell = wb.add_format({"border": 1})
    unit_name = unit.name if unit else ""

    def yes_no(ok: bool, no: str) -> str:
        return "✓" if ok else no

    ws = wb.add_worksheet(_("unit"))
    xlsx.write_cell(
        ws,
        0,
        0,
        _("%(u)s safety inspections in %(p)s: units") % {"u": unit_name, "p": period.label},
        title,
        measure=False,
    )
    headers = [_("unit"), _("inspected")]
    if ctx["show_letters"]:
        headers.append(_("safety letter signed"))
    xlsx.write_row(ws, 1, 0, headers, head)
    for r, (u, ok, signed) in enumerate(ctx["units"], start=2):
        values = [u.name, yes_no(ok, _("not inspected"))]
        if ctx["show_letters"]:
            values.append(yes_no(signed, _("not signed")))
        xlsx.write_row(ws, r, 0, values, cell)
    xlsx.finish_sheet(ws, header_rows=2, columns=len(headers), min_width=10)

    ws = wb.add_worksheet(_("property"))
    xlsx.write_cell(
        ws,
        0,
        0,
        _("%(u)s safety inspections in %(p)s: properties") % {"u": unit_name, "p": period.label},
        title,
        measure=False,
    )
    headers = [_("property"), _("unit"), _("inspected")]
    xlsx.write_row(ws, 1, 0, headers, head)
    for r, (p, ok) in enumerate(ctx["properties"], start=2):
        xlsx.write_row(ws, r, 0, [p.name, p.unit.name, yes_no(ok, _("not inspected"))], cell)
    xlsx.finish_sheet(ws, header_rows=2, columns=len(headers), min_width=10)
    wb.close()
    return FileResponse(
        io.BytesIO(buf.getvalue()),
        as_attachment=True,
        filename=f"安全生产检查覆盖-{period.code}.xlsx",
    )
