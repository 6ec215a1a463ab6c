"""Administration of one's own subtree: the units below the unit where one is system
administrator (add, rename, correct codes, move, close, with their history) and the logins of
their people. Logins and roles are actions of the People ledger; these pages list them."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongxiao.core.models import ChangeRecord
from gongxiao.core.services import validation_messages

from . import services
from .models import Person, RoleAssignment, Unit, User


def _administered(request):
    units = services.administered_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Only a system administrator administers units and users."))
    return units


def _unit_in_reach(request, pk) -> Unit:
    unit = _administered(request).filter(pk=pk).first()
    if unit is None:
        raise Http404(_("No such unit in the units you administer."))
    return unit


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)


def _unit_label(u: Unit) -> str:
    return "\u3000" * u.depth + u.name


class UnitForm(_Styled):
    parent = forms.ModelChoiceField(label=gettext_lazy("parent unit"), queryset=Unit.objects.none())
    code = forms.CharField(label=gettext_lazy("unit code"), max_length=30)
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    short_name = forms.CharField(label=gettext_lazy("short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=Unit.Kind.choices)
    division_code = forms.CharField(
        label=gettext_lazy("division code"), max_length=12, required=False
    )
    credit_code = forms.CharField(
        label=gettext_lazy("unified social credit code"), max_length=18, required=False
    )
    address = forms.CharField(label=gettext_lazy("address"), max_length=200, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        parent = cast(forms.ModelChoiceField, self.fields["parent"])
        parent.queryset = units
        parent.label_from_instance = _unit_label  # type: ignore[method-assign,assignment]


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, validation_messages(exc))


@login_required
def units(request):
    """The tree of units one administers, with the logins of their people."""
    reach = _administered(request).order_by("path")
    top = min((u.depth for u in reach), default=0)
    rows = list(reach)
    for u in rows:
        u.indent = "\u3000" * (u.depth - top)
    logins = (
        User.objects.filter(person__unit__in=reach.values("pk"))
        .select_related("person__unit")
        .order_by("person__unit__path", "username")
    )
    roles: dict[int, list[RoleAssignment]] = {}
    # Only the roles held over units one administers: a role elsewhere would name a unit
    # outside one's reach.
    held = RoleAssignment.objects.filter(user__in=logins, unit__in=reach.values("pk"))
    for a in held.select_related("unit"):
        roles.setdefault(a.user_id, []).append(a)
    users = [(u, roles.get(u.pk, [])) for u in logins]
    return render(request, "org/units.html", {"units": rows, "users": users})


@login_required
def unit_add(request):
    reach = _administered(request)
    initial = {"parent": request.GET.get("parent")}
    form = UnitForm(request.POST or None, units=reach, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parent = data.pop("parent")
        try:
            unit = services.add_unit(by=request.user, parent=parent, **data)
        except PermissionDenied as exc:
            form.add_error("parent", str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Unit %(name)s added.") % {"name": unit.name})
            return redirect("org:unit", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_detail(request, pk):
    """A unit: correct it, move it, close it; its history."""
    reach = _administered(request)
    unit = _unit_in_reach(request, pk)
    fields = ["code", "name", "short_name", "kind", "division_code", "credit_code", "address"]
    form = UnitForm(
        request.POST or None,
        units=reach.exclude(path__startswith=unit.path),
        initial={"parent": unit.parent_id, **{f: getattr(unit, f) for f in fields}},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = {f: data[f] for f in fields if data[f] != getattr(unit, f)}
            if changed:
                unit = services.change_unit(by=request.user, unit=unit, **changed)
            if data["parent"].pk != unit.parent_id:
                unit = services.move_unit_within(
                    by=request.user, unit=unit, new_parent=data["parent"]
                )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:unit", pk=unit.pk)
    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Unit), object_pk=str(unit.pk)
    ).order_by("-at")
    history = [(h, _history_changes(h)) for h in records]
    people = Person.objects.filter(unit=unit).order_by("name")
    return render(
        request,
        "org/unit_form.html",
        {"form": form, "unit": unit, "history": history, "people": people},
    )


_LABELS = {
    "code": gettext_lazy("unit code"),
    "name": gettext_lazy("name"),
    "short_name": gettext_lazy("short name"),
    "kind": gettext_lazy("kind"),
    "division_code": gettext_lazy("division code"),
    "credit_code": gettext_lazy("unified social credit code"),
    "address": gettext_lazy("address"),
    "parent": gettext_lazy("parent unit"),
    "status": gettext_lazy("status"),
}


def _shown(field, value):
    if field == "kind" and value in Unit.Kind.values:
        return Unit.Kind(value).label
    if field == "status" and value in Unit.Status.values:
        return Unit.Status(value).label
    return value


def _history_changes(record) -> list[tuple]:
    """(label, before, after) for each field the change touched, in words."""
    before, after = record.before or {}, record.after or {}
    return [
        (_LABELS.get(k, k), _shown(k, before.get(k)), _shown(k, after.get(k)))
        for k in _LABELS
        if before.get(k) != after.get(k) and (before.get(k) or after.get(k))
    ]


@login_required
@require_POST
def unit_close(request, pk):
    unit = _unit_in_reach(request, pk)
    try:
        services.close_unit(by=request.user, unit=unit)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(validation_messages(exc)))
    else:
        messages.success(request, _("Unit %(name)s closed.") % {"name": unit.name})
    return redirect("org:units")
