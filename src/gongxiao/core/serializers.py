"""The API's serializers: a ledger's (generated from its declaration) and a declared action's
input (derived from its form). Below the viewsets (core/api.py), so the ledger and action
declarations can build them without importing the views that use them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from rest_framework import serializers

from gongxiao.core import scoping


class LedgerSerializer(serializers.ModelSerializer):
    ledger = None

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            action = "add" if self.instance is None else "change"
            for name, field in fields.items():
                if field.read_only:
                    continue
                # A many-to-many field holds its queryset on the child relation.
                target = getattr(field, "child_relation", field)
                queryset = getattr(target, "queryset", None)
                if queryset is None:
                    continue
                if name == "unit":
                    target.queryset = scoping.units_for(
                        request.user, self.Meta.model.module, action
                    )
                else:
                    target.queryset = scoping.scope_related(queryset, request.user)
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        # The right is checked per row, and only for ledgers that hold personal data.
        if (
            self.ledger.pii_fields
            and request is not None
            and not self.ledger.shows_pii(request.user, instance)
        ):
            for name, mask in self.ledger.pii_fields.items():
                if data.get(name):
                    data[name] = mask(data[name])
        return data

    def _refuse_fields_it_may_not_set(self):
        """A field the client may not write (the status, the close-out time, anything only an
        action changes) is refused with a message naming it, never silently ignored. Sent back
        unchanged, as read, it passes: a client may PUT what it got."""
        data = self.initial_data
        if not hasattr(data, "keys"):
            return
        model = self.Meta.model
        model_fields = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
        errors = {}
        for key in data:
            if key == "version":
                continue
            field = self.fields.get(key)
            if field is not None and not field.read_only:
                continue
            if field is None and key not in model_fields:
                continue  # not a field of the record at all
            sent = data.get(key)
            if field is not None and self.instance is not None:
                try:
                    current = field.to_representation(field.get_attribute(self.instance))
                except (AttributeError, TypeError, ValueError):
                    current = None
                if sent == current or (sent in (None, "") and current in (None, "")):
                    continue
            elif sent in (None, ""):
                continue
            label = model_fields[key].verbose_name if key in model_fields else key
            errors[key] = [
                _(
                    "“%(field)s” cannot be set here: it changes only through the actions of "
                    "this record."
                )
                % {"field": label}
            ]
        if errors:
            raise serializers.ValidationError(errors)

    def validate(self, attrs):
        self._refuse_fields_it_may_not_set()
        # Model validation (validators, clean(), constraints) runs in the service; here we only
        # make sure an update names the version it was based on.
        if self.instance is not None and "version" not in self.initial_data:
            raise serializers.ValidationError(
                {
                    "version": _(
                        "Send the version you read; it protects against overwriting "
                        "another person's change."
                    )
                }
            )
        return attrs


def build_serializer(ledger):
    version = serializers.IntegerField(
        required=False, help_text="Version read; required for updates."
    )
    meta = type(
        "Meta",
        (),
        {
            "model": ledger.model,
            "fields": ["id", *ledger.api_field_names, "version", "created_at", "updated_at"],
            # What the API shows beyond the form is the actions' or the rules' to write (a
            # matter's decision text, a status): read here, refused as input.
            "read_only_fields": [
                "id",
                "created_at",
                "updated_at",
                *(f for f in ledger.api_field_names if f not in ledger.form_fields),
            ],
        },
    )
    return type(
        f"{ledger.model.__name__}Serializer",
        (LedgerSerializer,),
        {"Meta": meta, "ledger": ledger, "version": version},
    )


def _api_field(f: forms.Field):
    """The API field for an action form's field (for the schema; the form validates)."""
    common: dict[str, Any] = {
        "required": f.required,
        "label": f.label,
        "help_text": f.help_text or None,
    }
    if isinstance(f, forms.FileField):
        if getattr(f.widget, "allow_multiple_selected", False):
            return serializers.ListField(child=serializers.FileField(), **common)
        return serializers.FileField(**common)
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(f, forms.ModelChoiceField):
        return serializers.PrimaryKeyRelatedField(
            queryset=f.queryset.model._default_manager.all(), allow_null=not f.required, **common
        )
    if isinstance(f, forms.ChoiceField):
        return serializers.ChoiceField(choices=list(f.choices), **common)
    if isinstance(f, forms.DateField):
        return serializers.DateField(allow_null=not f.required, **common)
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(allow_null=not f.required, **common)
    return serializers.CharField(allow_blank=not f.required, **common)


def serializer_for_action(action):
    """The input of an action's API route, derived from its form: one declaration."""
    fields = {
        name: _api_field(f)
        for name, f in action.form_class.base_fields.items()
        if name != "version"
    }
    fields["version"] = serializers.IntegerField(
        help_text="Version read; required (a stale or missing one answers 409)."
    )
    camel = "".join(p.title() for p in action.name.split("_"))
    return type(
        f"{action.ledger.model.__name__}{camel}ActionInput", (serializers.Serializer,), fields
    )
