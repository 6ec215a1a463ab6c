"""Forms generated from a ledger declaration."""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping


class LedgerForm(forms.ModelForm):
    """A ModelForm whose unit choices are the units the user may write to, with the row's
    version carried along for the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    ledger = None

    def __init__(self, *args, user=None, action="add", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            for name, field in self.fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    if name == "unit":
                        field.queryset = scoping.units_for(user, self._meta.model.module, action)
                    else:
                        scoped = scoping.scope_related(field.queryset, user)
                        current = getattr(self.instance, f"{name}_id", None)
                        if current is not None:
                            # The value already chosen stays choosable, so an edit never fails
                            # on a field the editor did not touch.
                            scoped = field.queryset.filter(
                                Q(pk__in=scoped.values("pk")) | Q(pk=current)
                            )
                        field.queryset = scoped
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        for name, field in self.fields.items():
            _fit_for_long_lists(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")
            if (
                name in getattr(self.ledger, "pii_fields", {})
                and self.instance.pk
                and user is not None
                and not self.ledger.shows_pii(user, self.instance)
            ):
                # The stored value is not sent to a browser that may not see it; an empty
                # box keeps it, a typed value replaces it.
                field.required = False
                field.help_text = _("Leave empty to keep the stored value.")
                self.initial[name] = ""

    def clean(self):
        data = super().clean()
        for name in getattr(self.ledger, "pii_fields", {}):
            if (
                name in self.fields
                and self.instance.pk
                and not data.get(name)
                and self.user is not None
                and not self.ledger.shows_pii(self.user, self.instance)
            ):
                data[name] = getattr(type(self.instance).objects.get(pk=self.instance.pk), name)
                setattr(self.instance, name, data[name])
        return data


DATE_HELP = _("Write the date as 2026-11-01 or 2026年11月1日.")


def _unit_of(obj) -> str:
    unit = getattr(obj, "unit", None)
    return getattr(unit, "name", "") if unit is not None else ""


def _with_unit(obj) -> str:
    """A person (or any row of a unit) as a choice: its name with its unit beside it, so that
    two 张伟 of two co-ops are told apart."""
    text, unit = str(obj), _unit_of(obj)
    return f"{text}（{unit}）" if unit and unit not in text else text


def _fit_for_long_lists(field) -> None:
    """Choices that fit real lists: rows of a unit show the unit beside them; a multiple
    choice gets a box that filters its options as one types (static/gongxiao/app.js); a date
    takes the Chinese forms (config/formats) or says how to write it."""
    if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
        field.error_messages["invalid"] = DATE_HELP
    if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
        return
    model = field.queryset.model
    try:
        unit_field = model._meta.get_field("unit")
    except Exception:  # noqa: BLE001 - a model without a unit: its own name says enough
        unit_field = None
    if unit_field is not None and unit_field.is_relation:
        field.queryset = field.queryset.select_related("unit")
        field.label_from_instance = _with_unit  # type: ignore[method-assign]
    if isinstance(field, forms.ModelMultipleChoiceField):
        field.widget.attrs.setdefault("data-gx-filter", str(_("Type to filter the list")))
        field.widget.attrs.setdefault("size", "8")
        field.help_text = field.help_text or _("Hold Ctrl (⌘ on a Mac) to choose several.")
    else:
        # A single choice: the same box once the list is long (app.js counts the options, so
        # the form asks the database nothing more).
        field.widget.attrs.setdefault("data-gx-filter", str(_("Type to filter the list")))


def _widget_for(field):
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(field, models.TextField):
        return forms.Textarea(attrs={"rows": 3})
    return None


def build_form(ledger) -> type[LedgerForm]:
    widgets = {}
    for name in ledger.form_fields:
        w = _widget_for(ledger.field(name))
        if w is not None:
            widgets[name] = w
    meta = type(
        "Meta", (), {"model": ledger.model, "fields": ledger.form_fields, "widgets": widgets}
    )
    return type(f"{ledger.model.__name__}Form", (LedgerForm,), {"Meta": meta, "ledger": ledger})
