"""The API's serializers: a ledger's (generated from its declaration) and a declared action's
input (derived from its form). Below the viewsets (core/api.py), so the ledger and action
declarations can build them without importing the views that use them."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from gongxiao.core import scoping


class LedgerSerializer(serializers.ModelSerializer):
    ledger = None
    # The reading plan of a generated serializer class (see to_representation).
    _gx_plan: ClassVar[Any] = None

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # Reading (a list, a row) needs no choices: the related fields' querysets only decide
        # what a write may name, so they are scoped for writes (and OPTIONS' description).
        if request is not None and request.method not in ("GET", "HEAD"):
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
        plan = type(self).__dict__.get("_gx_plan") or self.__dict__.get("_plan")
        if plan is None:
            plan = self._plan = _reading_plan(self)
            if all(_context_free(f) for f in self._readable_fields):
                # None of them reads the request or the serializer it is bound to: the plan
                # serves every request (building ~20 fields costs more than the rows).
                type(self)._gx_plan = plan
        data = {}
        for name, read in plan:
            try:
                data[name] = read(instance)
            except SkipField:
                continue
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


# Fields whose output depends on the row alone (a FileField's URL reads the request; a method
# field calls its serializer): a plan made of these is kept on the serializer class.
_CONTEXT_FREE = {
    serializers.PrimaryKeyRelatedField,
    serializers.IntegerField,
    serializers.BigIntegerField,
    serializers.CharField,
    serializers.BooleanField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.EmailField,
    serializers.SlugField,
    serializers.URLField,
    serializers.UUIDField,
    serializers.TimeField,
    serializers.JSONField,
    serializers.MultipleChoiceField,
    serializers.ReadOnlyField,
}


def _context_free(field) -> bool:
    if type(field) is serializers.ManyRelatedField:
        return type(field.child_relation) is serializers.PrimaryKeyRelatedField
    return type(field) in _CONTEXT_FREE


def _reading_plan(serializer) -> list[tuple[str, Callable[[Any], Any]]]:
    """For each readable field, a function from the row to what DRF's
    Serializer.to_representation puts under its name. The plain fields (an integer, a text, a
    choice's value, a date, a foreign key's id) are read straight off the row, without DRF's
    per-field get_attribute/to_representation round; any other field goes through DRF itself,
    so the output is the same. A list of 50 rows of 20 fields saves about a thousand calls."""
    model = serializer.Meta.model
    plan = []
    for field in serializer._readable_fields:
        plan.append((field.field_name, _reader(field, model)))
    return plan


def _generic_reader(field):
    def read(instance):
        attribute = field.get_attribute(instance)
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return read


def _reader(field, model):  # noqa: C901 - one branch per kind of field, each a few lines
    attrs = field.source_attrs
    if len(attrs) != 1 or field.source == "*":
        return _generic_reader(field)
    name = attrs[0]
    kind = type(field)
    if kind is serializers.PrimaryKeyRelatedField and field.pk_field is None:
        try:
            attname = model._meta.get_field(name).attname
        except Exception:  # noqa: BLE001 - not a model field: DRF reads it
            return _generic_reader(field)
        # DRF reads the id without loading the related row (use_pk_only_optimization).
        return operator.attrgetter(attname)
    if kind is serializers.IntegerField:

        def read_int(instance):
            v = getattr(instance, name)
            return None if v is None else (v if type(v) is int else int(v))

        return read_int
    if kind is serializers.CharField:

        def read_str(instance):
            v = getattr(instance, name)
            return None if v is None else (v if type(v) is str else str(v))

        return read_str
    if kind is serializers.BooleanField:

        def read_bool(instance):
            v = getattr(instance, name)
            if v is None or type(v) is bool:
                return v
            return field.to_representation(v)

        return read_bool
    if kind is serializers.ChoiceField:
        values = field.choice_strings_to_values

        def read_choice(instance):
            v = getattr(instance, name)
            if v is None or v == "":
                return v
            return values.get(str(v), v)

        return read_choice
    if kind is serializers.DateField and _iso(field, api_settings.DATE_FORMAT):

        def read_date(instance):
            v = getattr(instance, name)
            if v is None:
                return None
            if not v or isinstance(v, str):
                return field.to_representation(v)
            return v.isoformat()

        return read_date

    if (
        kind is serializers.DateTimeField
        and _iso(field, api_settings.DATETIME_FORMAT)
        and not hasattr(field, "timezone")
        and settings.USE_TZ
    ):

        def read_datetime(instance):
            v = getattr(instance, name)
            if not v or isinstance(v, str) or v.utcoffset() is None:
                return None if v is None else field.to_representation(v)
            # DRF's enforce_timezone for an aware value, then ISO 8601 with Z for UTC.
            text = v.astimezone(timezone.get_current_timezone()).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return read_datetime

    def read(instance):
        v = getattr(instance, name)
        return None if v is None else field.to_representation(v)

    if kind in (
        serializers.DateTimeField,
        serializers.DecimalField,
        serializers.DateField,
        serializers.BigIntegerField,
    ):
        # Their own conversion (time zone, places), without the generic attribute walk.
        return read
    return _generic_reader(field)


def _iso(field, default) -> bool:
    fmt = getattr(field, "format", default)
    return isinstance(fmt, str) and fmt.lower() == ISO_8601


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
