"""Pages beyond the kit: the coverage of responsibility letters and the quarterly summary of
talks. Deciding recommendations and raising opinions are actions of their ledgers."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongxiao.core import scoping, xlsx
from gongxiao.core.periods import parse_period
from gongxiao.org.models import Person, Unit

from .models import DISCIPLINES, ResponsibilityLetter, Talk


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or request.working_period.start.year)
    except ValueError:
        return request.working_period.start.year


@login_required
def coverage(request):
    """Who has not signed: units below the working unit without a letter of each kind, and
    leaders (cadres) without a pledge, for a year."""
    user = request.user
    if not scoping.can_any(user, "supervision", "view"):
        raise PermissionDenied
    year = _year(request)
    unit = request.working_unit
    units = (
        scoping.units_for(user)
        .filter(path__startswith=unit.path, status="active")
        .exclude(pk=unit.pk)
    )
    units = units.filter(
        kind__in=[Unit.Kind.COUNTY, Unit.Kind.GRASSROOTS, Unit.Kind.ENTERPRISE]
    ).order_by("path")
    letters = ResponsibilityLetter.objects.visible_to(user).filter(year=year)
    kinds = [k for k in ResponsibilityLetter.Kind if k != ResponsibilityLetter.Kind.PLEDGE]
    signed = set(letters.values_list("signer_unit_id", "kind"))
    rows = [(u, [(k, (u.pk, k.value) in signed) for k in kinds]) for u in units]
    missing = {
        k: sum(1 for _u, cells in rows for kk, ok in cells if kk == k and not ok) for k in kinds
    }
    pledged = set(
        letters.filter(kind=ResponsibilityLetter.Kind.PLEDGE).values_list(
            "signer_person_id", flat=True
        )
    )
    cadres = (
        scoping.scope_related(Person.objects.filter(is_cadre=True), user)
        .filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("unit__path", "name")
    )
    unpledged = [p for p in cadres if p.pk not in pledged]
    return render(
        request,
        "supervision/coverage.html",
        {
            "year": year,
            "kinds": kinds,
            "rows": rows,
            "missing": missing,
            "unpledged": unpledged,
            "cadre_count": len(cadres),
        },
    )


def talk_summary_rows(user, unit, period):
    talks = Talk.objects.permitted(user, "export").filter(
        date__gte=period.start, date__lte=period.end
    )
    if unit is not None:
        talks = talks.filter(unit__path__startswith=unit.path)
    talks = talks.prefetch_related("talked_to")
    out = []
    for kind in Talk.Kind:
        ts = [t for t in talks if t.kind == kind]
        persons = sum(t.talked_to.count() for t in ts)
        by_discipline = [
            sum(t.talked_to.count() for t in ts if getattr(t, name)) for name, _l in DISCIPLINES
        ]
        out.append((str(kind.label), len(ts), persons, by_discipline, sum(by_discipline)))
    return out


@login_required
def talk_summary(request):
    """The quarterly summary to the stationed discipline group (派驻纪检监察组)."""
    user = request.user
    if not scoping.can_any(user, "supervision", "export"):
        raise PermissionDenied
    try:
        period = parse_period(request.GET.get("period") or _quarter(request.working_period))
    except ValueError as exc:
        messages.error(request, str(exc))
        period = parse_period(_quarter(request.working_period))
    unit = request.working_unit
    rows = talk_summary_rows(user, unit, period)
    headers = [
        _("kind of talk"),
        _("talks"),
        _("persons (人次)"),
        *[str(label) for _n, label in DISCIPLINES],
        _("discipline mentions (次)"),
    ]
    if request.GET.get("format") != "xlsx":
        return render(
            request,
            "supervision/talk_summary.html",
            {"rows": rows, "headers": headers, "period": period, "unit": unit},
        )
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(period.code)
    bold = wb.add_format({"bold": True, "border": 1})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter"})
    cell = wb.add_format({"border": 1})
    xlsx.write_cell(
        ws,
        0,
        0,
        f"{unit.name if unit else ''}{period.label}谈话情况统计表",
        wb.add_format({"bold": True, "font_size": 14}),
        measure=False,
    )
    xlsx.write_row(ws, 1, 0, headers, head)
    for r, (label, n, persons, by_d, mentions) in enumerate(rows, start=2):
        xlsx.write_row(ws, r, 0, [label, n, persons, *by_d, mentions], cell)
    total = len(rows) + 2
    xlsx.write_cell(ws, total, 0, _("Total"), bold)
    for c in range(1, len(headers)):
        col = xlsx.col_name(c)
        xlsx.write_formula(
            ws,
            total,
            c,
            f"=SUM({col}3:{col}{total})",
            bold,
            sum(
                row[1]
                if c == 1
                else row[2]
                if c == 2
                else row[4]
                if c == len(headers) - 1
                else row[3][c - 3]
                for row in rows
            ),
        )
    xlsx.finish_sheet(ws, header_rows=2, columns=len(headers), min_width=8, max_width=14)
    ws.set_column(0, 0, 22)
    wb.close()
    return FileResponse(
        io.BytesIO(buf.getvalue()), as_attachment=True, filename=f"谈话情况统计-{period.code}.xlsx"
    )


def _quarter(period):
    """The quarter to show by default: today's, when today falls in the working period."""
    import django.utils.timezone as tz

    day = tz.localdate()
    if not (period.start <= day <= period.end):
        day = period.start
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"
