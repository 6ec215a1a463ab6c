"""The ledger registry: each app declares its ledgers here and gets list, detail, forms,
filters, import/export, API and change history from the kit.

    class PersonLedger(Ledger):
        model = Person
        slug = "people"
        list_fields = ["name", "unit", "post"]
        ...
    register(PersonLedger)
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from functools import cached_property

from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping, textsearch

_registry: dict[str, Ledger] = {}


class Ledger:
    model: type[models.Model]
    slug: str
    # Columns of the list page; the first links to the row.
    list_fields: list[str] = []
    # Fields on the form (and, unless told otherwise, in import files). "unit" first by habit.
    form_fields: list[str] = []
    import_fields: list[str] | None = None
    export_fields: list[str] | None = None
    api_fields: list[str] | None = None
    # django-filter declaration: {"field": ["exact", ...]} or a list of field names.
    filter_fields: dict | list = {}
    search_fields: list[str] = []
    sort_fields: list[str] = []
    # Personal data shown masked to roles without the "pii" right: field -> masking function.
    pii_fields: dict[str, Callable[[str], str]] = {}
    # A date field that places a row in a period (for the period selector), if any.
    date_field: str | None = None
    icon = "table"
    # Columns computed from the row rather than stored: name -> (label, function(obj, user)).
    computed: dict = {}
    # Changes beyond the generic edit (workflow steps …): core.actions.Action declarations.
    # Each gets its button, page, API route, bulk form (if `bulk`) and audit from the kit.
    actions: list = []
    # A template that extends the generic detail page (workflow, sub-rows), and its context.
    detail_template = "core/ledger_detail.html"

    # Sub-rows listed on a row's page, each as (child ledger key, the child's field that points
    # at the row), with their count, first rows and a link that adds one for this row. None:
    # every ledger whose rows are scoped through this one's (a finding, scope_field
    # "inspection__unit", under its inspection). A page that lists its sub-rows itself sets [].
    children: list[tuple[str, str]] | None = None

    def detail_extra(self, request, obj) -> dict:
        return {}

    def child_ledgers(self) -> list[tuple[Ledger, str]]:
        if self.children is not None:
            return [(get_ledger_by_key(key), field) for key, field in self.children]
        found = []
        for other in all_ledgers():
            path = getattr(other.model, "scope_field", "unit")
            if "__" not in path:
                continue
            head = other.model._meta.get_field(path.split("__")[0])
            if head.is_relation and head.related_model is self.model:
                found.append((other, head.name))
        return found

    def create(self, obj, user, *, source: str = "web", m2m: dict | None = None):
        """Insert a row made by a form, the API or an import. A ledger whose rows start a
        workflow (a finding that becomes a rectification item) overrides this to call its
        app's service."""
        from gongxiao.core import services

        with transaction.atomic():
            obj = services.create_row(obj=obj, user=user, source=source)
            if m2m:
                services.set_m2m(obj=obj, values=m2m, user=user, source=source)
        return obj

    def update(
        self, obj, user, *, expected_version: int, source: str = "web", m2m: dict | None = None
    ):
        from gongxiao.core import services

        with transaction.atomic():
            obj = services.update_row(
                obj=obj, expected_version=expected_version, user=user, source=source
            )
            if m2m is not None:
                services.set_m2m(obj=obj, values=m2m, user=user, source=source)
        return obj

    def may_download(self, obj, field: str, user) -> bool:
        """Whether `user`, who may see the row, may also have the file in `field` (a file made
        with someone else's rights may need more)."""
        return True

    def saved_url(self, obj) -> str | None:
        """Where the form goes after a save (a sub-row back to its parent, say); its own page
        when None."""
        return None

    @property
    def custom_create(self) -> bool:
        return type(self).create is not Ledger.create

    def m2m_names(self, names) -> list[str]:
        return [
            n
            for n in names
            if n not in self.computed and "__" not in n and self.field(n).many_to_many
        ]

    def lock_reason(self, obj) -> str | None:
        """Why this row may no longer be edited or deleted (sealed, say), or None."""
        return None

    # Rows as they stood at the end of a day (业务日期), for the working papers of a past
    # period: `rows_as_of` adds what `values_as_of` needs, which returns the export values
    # (by field name) that differ from today's, e.g. a status that has changed since.
    def rows_as_of(self, rows, on):
        return rows

    def values_as_of(self, obj, on) -> dict:
        return {}

    # Import layouts beyond the template's: name -> importer class (see excel.GenericImporter).
    importers: dict = {}
    # Whether an import file may hold the same row twice (identical in every column read).
    import_allows_duplicates = False
    # The fields that name a row among those already kept (its natural key): an imported row
    # with the same values is that row again, shown in the preview for the user to skip (the
    # default) or update, never added a second time. Empty: every column the import reads that
    # holds a plain value (a row the same in all of them is the same row).
    natural_key: tuple[str, ...] = ()

    def importer(self, name: str | None = None):
        from gongxiao.core.excel import GenericImporter

        if name:
            return self.importers[name](self)
        return GenericImporter(self)

    def extra_filters(self) -> dict:
        """Filters beyond the model's fields (e.g. a derived "overdue"), shared by the list
        page, the export and the API: {name: django_filters.Filter}."""
        return {}

    # --- identity ---------------------------------------------------------------------------
    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def key(self) -> str:
        return f"{self.app_label}.{self.slug}"

    @property
    def module(self) -> str:
        return self.model.module

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    # --- fields -----------------------------------------------------------------------------
    def field(self, name: str) -> models.Field:
        """The model field, following relations for names such as "meeting__date"."""
        model = self.model
        parts = name.split("__")
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
        return model._meta.get_field(parts[-1])

    def label(self, name: str) -> str:
        if name in self.computed:
            return str(self.computed[name][0])
        return str(self.field(name).verbose_name)

    @cached_property
    def import_field_names(self) -> list[str]:
        return list(self.import_fields if self.import_fields is not None else self.form_fields)

    @cached_property
    def natural_key_fields(self) -> list[str]:
        if self.natural_key:
            return list(self.natural_key)
        return [
            n
            for n in self.import_field_names
            if n not in self.computed
            and not self.field(n).many_to_many
            and not isinstance(self.field(n), models.FileField)
        ]

    @cached_property
    def export_field_names(self) -> list[str]:
        if self.export_fields is not None:
            return list(self.export_fields)
        seen = []
        for name in [*self.list_fields, *self.form_fields]:
            if name not in seen:
                seen.append(name)
        return seen

    @cached_property
    def api_field_names(self) -> list[str]:
        return list(self.api_fields if self.api_fields is not None else self.form_fields)

    # Fields never shown on the detail page (internal links, the version shown apart).
    detail_exclude: tuple = ()

    @cached_property
    def detail_field_names(self) -> list[str]:
        skip = {"id", "version", *self.detail_exclude}
        names = [n for n in self.form_fields if n not in skip]
        for f in self.model._meta.concrete_fields:
            if f.name not in names and f.name not in skip and not f.primary_key:
                names.append(f.name)
        return names

    def related_fields(self, names) -> list[str]:
        """Foreign keys among `names`, for select_related."""
        return [
            n
            for n in names
            if n not in self.computed
            and "__" not in n
            and self.field(n).is_relation
            and not self.field(n).many_to_many
        ]

    # --- values -----------------------------------------------------------------------------
    def shows_pii(self, user, obj=None) -> bool:
        """Personal data unmasked: for a row, only where the user holds the right over that
        row's unit; without a row, whether he holds it anywhere (e.g. for the form's help)."""
        if obj is not None and getattr(obj, "pk", None):
            return scoping.can(user, "pii", obj)
        return scoping.can_any(user, self.module, "pii")

    def raw_value(self, obj, name: str):
        return getattr(obj, name)

    def _choice_labels(self, name: str) -> dict:
        """{value: label} of a choice field in the active language (what get_FOO_display
        reads), made once per language instead of once per cell."""
        field = self.field(name)
        if not isinstance(field.choices, (list, tuple)):  # choices computed at each use
            return {value: str(label) for value, label in field.flatchoices}
        language = get_language()
        cache = self.__dict__.setdefault("_gx_choice_labels", {})
        labels = cache.get((name, language))
        if labels is None:
            labels = {value: str(label) for value, label in field.flatchoices}
            cache[(name, language)] = labels
        return labels

    def display_value(self, obj, name: str, user, *, for_export: bool = False):
        """The value as a person reads it: labels for choices, 是/否, names of related rows,
        personal data masked unless the user may see it."""
        if name in self.computed:
            return self.computed[name][1](obj, user)
        field = self.field(name)
        value = getattr(obj, name)
        if name in self.pii_fields and value and not self.shows_pii(user, obj):
            return self.pii_fields[name](value)
        if value is None:
            return ""
        if field.many_to_many:
            # Only what the user may see: a campaign's units of another county are not named.
            return "、".join(str(o) for o in value.all() if scoping.can_see_related(user, o))
        if isinstance(field, models.FileField):
            return value.name.rsplit("/", 1)[-1] if value else ""
        if field.choices:
            try:
                return str(self._choice_labels(name).get(value, value))
            except TypeError:  # an unhashable value: Django's own lookup
                return str(getattr(obj, f"get_{name}_display")())
        if isinstance(field, models.BooleanField):
            return str(_("Yes") if value else _("No"))
        if field.is_relation:
            if not scoping.can_see_related(user, value):
                return "—"
            # A user is named by the person he is (王小明), not by his login name.
            return str(value.display_name()) if hasattr(value, "display_name") else str(value)
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            # Stored in UTC, read in Beijing time like every other time on the page.
            value = timezone.make_naive(value)
            if not for_export:
                return formats.date_format(value, "DATETIME_FORMAT")
        if for_export:
            return value
        if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
            return formats.localize(value)
        return value

    # --- queries ----------------------------------------------------------------------------
    def queryset_for(self, user, action: str = "view", fields=None):
        fields = self.list_fields if fields is None else fields
        qs = self.model.objects.permitted(user, action)
        related = self.related_fields(fields)
        many = self.m2m_names(fields)
        if related:
            qs = qs.select_related(*related)
        return qs.prefetch_related(*many) if many else qs

    @cached_property
    def filterset_class(self):
        from gongxiao.core.filters import build_filterset

        return build_filterset(self)

    @cached_property
    def form_class(self):
        from gongxiao.core.forms import build_form

        return build_form(self)

    @cached_property
    def serializer_class(self):
        from gongxiao.core.serializers import build_serializer

        return build_serializer(self)


def register(ledger_class: type[Ledger]) -> type[Ledger]:
    ledger = ledger_class()
    if ledger.key in _registry:
        raise RuntimeError(f"Ledger {ledger.key} is registered twice.")
    _registry[ledger.key] = ledger
    textsearch.declare(ledger)  # its search index, if its search fields allow one
    for action in ledger.actions:
        action.ledger = ledger
    return ledger_class


def get_ledger(app_label: str, slug: str) -> Ledger | None:
    return _registry.get(f"{app_label}.{slug}")


def get_ledger_by_key(key: str) -> Ledger:
    return _registry[key]


def all_ledgers() -> list[Ledger]:
    return list(_registry.values())


def ledger_for_model(model) -> Ledger | None:
    for ledger in _registry.values():
        if ledger.model is model:
            return ledger
    return None
