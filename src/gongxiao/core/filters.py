"""One FilterSet per ledger, shared by the list page, the export and the API, so the three can
never disagree about which rows a filter selects."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from gongxiao.core import scoping, textsearch

# Readable labels for range filters ("发现时间（起）"), instead of django-filter's English.
_LOOKUP_LABELS = {
    "gte": _("%(field)s from"),
    "date__gte": _("%(field)s from"),
    "lte": _("%(field)s to"),
    "date__lte": _("%(field)s to"),
    "isnull": _("%(field)s is empty"),
}


def _units_in_reach(request):
    if request is None:
        return scoping.units_for(None).none()
    return scoping.units_for(request.user)


def _scope_choices(flt, user) -> None:
    """Limit a related filter's options, and the values it accepts, to what `user` may see.

    django-filter builds the form field from the filter's own `queryset` attribute (it copies
    it over `extra["queryset"]` each time the field is made), so that attribute is what must be
    scoped. With the scoped queryset an id out of reach is an invalid choice, refused with the
    very message an unknown id gets: a filter cannot tell whether a foreign row exists."""
    if not isinstance(flt, django_filters.filters.QuerySetRequestMixin):
        return
    source = flt.queryset
    if source is None:
        return
    if callable(source) and not isinstance(source, QuerySet):

        def scoped(request, source=source):
            return scoping.scope_related(source(request), user)

        flt.queryset = scoped
    else:
        flt.queryset = scoping.scope_related(source, user)
    flt.extra.pop("queryset", None)
    flt.__dict__.pop("_field", None)


class LedgerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_units_in_reach, method="filter_unit", label=_("Unit (with its subunits)")
    )

    ledger = None  # set by build_filterset

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        extra = set(self.ledger.extra_filters()) if self.ledger else set()
        for name, flt in self.filters.items():
            if name == "sort":
                flt.__dict__.pop("_field", None)  # its choices carry translated labels too
            # Labels are made here, in the language of this request: django-filter fixes them
            # once, in whatever language was active when the class was first built.
            if name not in ("q", "unit", "unit_only", "sort") and name not in extra:
                try:
                    verbose = capfirst(self.ledger.field(flt.field_name).verbose_name)
                except Exception:  # noqa: S112 - a filter the ledger declares by hand keeps its label
                    continue
                template = _LOOKUP_LABELS.get(flt.lookup_expr)
                flt.label = template % {"field": verbose} if template else verbose
                flt.__dict__.pop("_field", None)  # a form field built earlier kept the old label
            _scope_choices(flt, user)

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                css = "form-select" if hasattr(field.widget, "choices") else "form-control"
                field.widget.attrs.setdefault(
                    "class",
                    f"{css} form-select-sm" if css == "form-select" else f"{css} form-control-sm",
                )
            form._styled = True
            self._limit_unit_choices(form)
        return form

    UNIT_CHOICE_LEVELS = 2

    def _limit_unit_choices(self, form):
        """A province reaches thousands of units: the dropdown lists the top of the user's reach
        and two levels below it (and the unit chosen), while any unit in reach stays a valid
        value, so links to a grassroots co-op's rows still work."""
        field = form.fields.get("unit")
        if field is None or not hasattr(field, "queryset"):
            return
        qs = field.queryset
        chosen = form.data.get("unit") if hasattr(form, "data") else None

        drawn: list = []

        def choices():
            # Read when the dropdown is drawn, not when the filters are only applied (the API
            # and the export validate the same form and never show it); read once.
            if not drawn:
                drawn.append(units())
            return drawn[0]

        def units():
            top = qs.order_by("depth").values_list("depth", flat=True).first()
            if top is None:
                return list(field.choices)
            shown = qs.filter(depth__lte=top + self.UNIT_CHOICE_LEVELS)
            if chosen and str(chosen).isdigit():
                shown = shown | qs.filter(pk=int(chosen))
            return [("", field.empty_label or "---------")] + [
                (u.pk, "\u3000" * (u.depth - top) + u.name)
                for u in shown.order_by("path").only("pk", "name", "depth")
            ]

        field.widget.choices = choices

    unit_only = django_filters.ModelChoiceFilter(
        queryset=_units_in_reach,
        method="filter_unit_only",
        label=_("Unit (itself only)"),
        widget=django_filters.widgets.forms.HiddenInput,
    )

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit_only(self, queryset, name, unit):
        if unit is None:
            return queryset
        return queryset.filter(**{f"{queryset.model.scope_field}": unit})

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.ledger.search_fields:
            return queryset
        # `icontains` on each field, read through the bigram index where it pays.
        return textsearch.filter_words(queryset, self.ledger.search_fields, value)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, unit):
        if unit is None:
            return queryset
        field = queryset.model.scope_field
        return queryset.filter(**{f"{field}__path__startswith": unit.path})


class LedgerFilterBackend(DjangoFilterBackend):
    """The API's filters; a request that names none of them is the unfiltered list, so the
    filter set (its form and every related filter's scoped choices) is not built for it."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


def lazy_label(ledger, name):
    return ledger.computed[name][0] if name in ledger.computed else ledger.field(name).verbose_name


def build_filterset(ledger) -> type[LedgerFilterSet]:
    sort_choices = []
    for name in ledger.sort_fields:
        sort_choices.append((name, name))
    meta = type("Meta", (), {"model": ledger.model, "fields": ledger.filter_fields or []})
    attrs = {"Meta": meta, "ledger": ledger, **ledger.extra_filters()}
    if ledger.sort_fields:
        attrs["sort"] = django_filters.OrderingFilter(
            fields=[(n, n) for n in ledger.sort_fields],
            field_labels={
                **{n: lazy_label(ledger, n) for n in ledger.sort_fields},
                **{
                    f"-{n}": format_lazy("{}（{}）", lazy_label(ledger, n), _("descending"))
                    for n in ledger.sort_fields
                },
            },
            label=_("Sort"),
        )
    return type(f"{ledger.model.__name__}FilterSet", (LedgerFilterSet,), attrs)


def filtered(ledger, request, queryset, data=None):
    """Apply the ledger's filters from `data` (the query string by default). Invalid values are
    ignored field by field, with the form's errors kept for the page to show."""
    fs = ledger.filterset_class(
        data if data is not None else request.GET, queryset=queryset, request=request
    )
    if fs.is_valid():
        qs = fs.qs
    else:
        # Keep what is valid; a bad value in one box must not empty the whole list.
        clean = {k: v for k, v in (data or request.GET).items() if k not in fs.errors}
        fs2 = ledger.filterset_class(clean, queryset=queryset, request=request)
        qs = fs2.qs if fs2.is_valid() else queryset
    if not qs.query.order_by:
        qs = qs.order_by(*(ledger.model._meta.ordering or []), "-pk")
    else:
        qs = qs.order_by(*qs.query.order_by, "-pk")
    return fs, qs
