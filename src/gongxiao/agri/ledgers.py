"""为农服务 declared through the kit."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.metrics import number

from . import models as m
from . import services


@register
class InputSaleLedger(Ledger):
    model = m.InputSale
    slug = "input-sales"
    icon = "basket"
    list_fields = ["month", "unit", "category", "quantity", "measure", "value"]
    form_fields = ["unit", "month", "category", "quantity", "measure", "value", "note"]
    filter_fields = {"category": ["exact"], "measure": ["exact", "in"], "month": ["gte", "lte"]}
    search_fields = ["note"]
    sort_fields = ["month", "unit", "category"]
    date_field = "month"


@register
class ReserveTaskLedger(Ledger):
    model = m.ReserveTask
    slug = "reserve-tasks"
    icon = "box-seam"
    list_fields = ["title", "unit", "variety", "quantity", "start_date", "end_date"]
    form_fields = ["unit", "title", "variety", "quantity", "start_date", "end_date", "assigned_by"]
    filter_fields = {
        "variety": ["exact"],
        "start_date": ["gte", "lte"],
        "end_date": ["gte", "lte"],
    }
    search_fields = ["title", "assigned_by"]
    sort_fields = ["start_date", "unit"]
    date_field = "start_date"

    def lock_reason(self, obj):
        # The counts were judged against this quantity and period.
        if obj.pk and obj.checks.exists():
            return _("The reserve has been checked; the task can no longer change.")
        return None

    computed = {
        "met": (
            _("reserve held"),
            lambda task, user: {None: "", True: _("yes"), False: _("no")}[services.task_met(task)],
        )
    }


@register
class StockCheckLedger(Ledger):
    model = m.StockCheck
    slug = "stock-checks"
    icon = "clipboard-check"
    list_fields = ["date", "task", "counted", "shortfall", "item"]
    form_fields = ["task", "date", "counted", "checked_by", "note"]
    export_fields = [*form_fields, "shortfall", "item", "item_closed_on"]
    api_fields = [*form_fields, "item", "item_closed_on"]
    filter_fields = {"task": ["exact"], "date": ["gte", "lte"], "item": ["isnull"]}
    search_fields = ["checked_by", "note"]
    sort_fields = ["date"]
    date_field = "date"
    computed = {
        "shortfall": (_("shortfall (t)"), lambda check, user: number(check.shortfall)),
    }

    def create(self, obj, user, *, source="web", m2m=None):
        # A shortfall raises its rectification item in the same transaction.
        return services.record_stock_check(check=obj, user=user, source=source)

    def update(self, obj, user, *, expected_version, source="web", m2m=None):
        return services.revise_stock_check(
            check=obj, user=user, expected_version=expected_version, source=source
        )

    def lock_reason(self, obj):
        if obj.item_id:
            return _("This count raised a rectification item; it can no longer change.")
        return None


@register
class DeliveryEventLedger(Ledger):
    model = m.DeliveryEvent
    slug = "deliveries"
    icon = "truck"
    list_fields = ["date", "title", "unit", "tonnes", "households"]
    form_fields = ["unit", "date", "title", "place", "tonnes", "households"]
    filter_fields = {"date": ["gte", "lte"]}
    search_fields = ["title", "place"]
    sort_fields = ["date", "unit"]
    date_field = "date"


@register
class TrusteeshipLedger(Ledger):
    model = m.Trusteeship
    slug = "trusteeships"
    icon = "tree"
    list_fields = ["start_date", "unit", "member", "household", "crop", "area", "households"]
    form_fields = [
        "unit",
        "member",
        "household",
        "crop",
        "area",
        "households",
        "start_date",
        "end_date",
        "ploughing",
        "sowing",
        "protection",
        "harvesting",
        "drying",
    ]
    filter_fields = {"crop": ["exact"], "start_date": ["gte", "lte"]}
    search_fields = ["household", "crop"]
    sort_fields = ["start_date", "area"]
    date_field = "start_date"


@register
class ServiceOperationLedger(Ledger):
    model = m.ServiceOperation
    slug = "service-operations"
    icon = "gear-wide-connected"
    list_fields = ["date", "unit", "link", "crop", "area", "times", "service_area"]
    form_fields = ["unit", "date", "link", "crop", "area", "times", "households", "outlet"]
    export_fields = [*form_fields, "service_area"]
    api_fields = [*form_fields, "service_area"]
    filter_fields = {"link": ["exact"], "date": ["gte", "lte"], "outlet": ["exact"]}
    search_fields = ["crop"]
    sort_fields = ["date", "service_area"]
    date_field = "date"


class DeclareForm(ActionForm):
    # Named as the field it fills, so the API schema has one name for one set of choices.
    level_sought = forms.ChoiceField(
        label=_("level declared for"),
        choices=m.ServiceOutlet.DECLARABLE,
    )


def _declare(outlet, user, *, on, level_sought):
    return services.declare_level(outlet=outlet, user=user, level=level_sought, on=on)


def _grant(outlet, user, *, on):
    return services.grant_level(outlet=outlet, user=user, on=on)


@register
class ServiceOutletLedger(Ledger):
    model = m.ServiceOutlet
    slug = "outlets"
    icon = "shop"
    list_fields = ["name", "unit", "kind", "built_on", "level", "granted_on"]
    form_fields = [
        "unit",
        "name",
        "kind",
        "address",
        "built_on",
        "transport",
        "cleaning",
        "drying",
        "storage",
        "processing",
        "sales",
        "inputs",
        "agronomy",
    ]
    export_fields = [*form_fields, "level_sought", "declared_on", "level", "granted_on"]
    api_fields = export_fields
    filter_fields = {
        "kind": ["exact"],
        "level": ["exact"],
        "built_on": ["gte", "lte"],
        "declared_on": ["gte", "lte", "isnull"],
        "granted_on": ["gte", "lte"],
    }
    search_fields = ["name", "address"]
    sort_fields = ["built_on", "name"]
    date_field = "built_on"
    actions = [
        Action(
            "declare_level",
            _("Declare for recognition"),
            service=_declare,
            input=DeclareForm,
            check=services.check_may_declare,
            business_date=True,
            example={"level_sought": "province"},
        ),
        Action(
            "grant_level",
            _("Recognition granted"),
            service=_grant,
            check=services.check_pending,
            business_date=True,
            style="success",
            example={},
        ),
    ]


@register
class ExpertLedger(Ledger):
    model = m.Expert
    slug = "experts"
    icon = "mortarboard"
    list_fields = ["person", "unit", "speciality", "pool", "online", "joined_on"]
    form_fields = ["unit", "person", "speciality", "pool", "online", "joined_on"]
    filter_fields = {"pool": ["exact"], "online": ["exact"], "joined_on": ["gte", "lte"]}
    search_fields = ["speciality", "pool", "person__name"]
    sort_fields = ["joined_on"]
    date_field = "joined_on"


@register
class ExpertVisitLedger(Ledger):
    model = m.ExpertVisit
    slug = "expert-visits"
    icon = "person-walking"
    list_fields = ["date", "expert", "kind", "topic", "households"]
    form_fields = ["expert", "date", "kind", "topic", "households"]
    filter_fields = {"kind": ["exact"], "expert": ["exact"], "date": ["gte", "lte"]}
    search_fields = ["topic"]
    sort_fields = ["date"]
    date_field = "date"


@register
class CollectionLedger(Ledger):
    model = m.Collection
    slug = "collections"
    icon = "recycle"
    list_fields = ["date", "unit", "material", "point", "pieces", "weight", "weight_measure"]
    form_fields = ["unit", "date", "material", "point", "pieces", "weight", "weight_measure"]
    filter_fields = {"material": ["exact"], "date": ["gte", "lte"]}
    search_fields = ["point"]
    sort_fields = ["date"]
    date_field = "date"


@register
class SalesEventLedger(Ledger):
    model = m.SalesEvent
    slug = "sales-events"
    icon = "megaphone"
    list_fields = ["start_date", "title", "unit", "kind", "sales", "cross_region"]
    form_fields = [
        "unit",
        "kind",
        "title",
        "start_date",
        "end_date",
        "organiser",
        "products",
        "sales",
        "cross_region",
    ]
    filter_fields = {"kind": ["exact"], "cross_region": ["exact"], "start_date": ["gte", "lte"]}
    search_fields = ["title", "organiser", "products"]
    sort_fields = ["start_date", "sales"]
    date_field = "start_date"


@register
class ShopLedger(Ledger):
    model = m.Shop
    slug = "shops"
    icon = "bag"
    list_fields = ["name", "unit", "kind", "brand", "opened_on", "cross_region"]
    form_fields = [
        "unit",
        "name",
        "kind",
        "brand",
        "address",
        "opened_on",
        "products_listed",
        "cross_region",
    ]
    filter_fields = {"kind": ["exact"], "cross_region": ["exact"], "opened_on": ["gte", "lte"]}
    search_fields = ["name", "brand", "address"]
    sort_fields = ["opened_on", "name"]
    date_field = "opened_on"


@register
class ShopSalesLedger(Ledger):
    model = m.ShopSales
    slug = "shop-sales"
    icon = "graph-up"
    list_fields = ["month", "shop", "sales"]
    form_fields = ["shop", "month", "sales"]
    filter_fields = {"shop": ["exact"], "month": ["gte", "lte"]}
    sort_fields = ["month"]
    date_field = "month"


@register
class CanteenLedger(Ledger):
    model = m.Canteen
    slug = "canteens"
    icon = "cup-hot"
    list_fields = ["name", "unit", "partner", "seats", "opened_on"]
    form_fields = ["unit", "name", "partner", "floor_area", "seats", "opened_on"]
    search_fields = ["name", "partner"]
    sort_fields = ["opened_on", "name"]
    date_field = "opened_on"


@register
class CanteenMealsLedger(Ledger):
    model = m.CanteenMeals
    slug = "canteen-meals"
    icon = "egg-fried"
    list_fields = ["month", "canteen", "meals"]
    form_fields = ["canteen", "month", "meals"]
    filter_fields = {"canteen": ["exact"], "month": ["gte", "lte"]}
    sort_fields = ["month"]
    date_field = "month"


@register
class OrganisationLedger(Ledger):
    model = m.Organisation
    slug = "organisations"
    icon = "building"
    list_fields = ["name", "credit_code", "unit", "representative"]
    form_fields = [
        "unit",
        "name",
        "credit_code",
        "representative",
        "address",
        "phone",
        "main_business",
    ]
    search_fields = ["name", "credit_code", "address"]
    sort_fields = ["name"]

    def update(self, obj, user, *, expected_version, source="web", m2m=None):
        # Its address, phone or representative may complete (or not) its membership's record.
        return services.revise_organisation(
            organisation=obj, user=user, expected_version=expected_version, source=source
        )


@register
class IndustryFederationLedger(Ledger):
    model = m.IndustryFederation
    slug = "industry-federations"
    icon = "diagram-3"
    list_fields = ["name", "unit", "industry", "founded_on", "lead"]
    form_fields = ["unit", "name", "industry", "founded_on", "lead"]
    filter_fields = {"industry": ["exact"], "founded_on": ["gte", "lte"]}
    search_fields = ["name", "industry", "lead"]
    sort_fields = ["founded_on", "name"]
    date_field = "founded_on"


def _leave(member, user, *, on):
    return services.leave(member=member, user=user, on=on)


def _missing(member, user):
    return _labels(services.missing_fields(member))


def _labels(paths) -> str:
    return "、".join(str(_field_label(p)) for p in paths)


def _date_filter(method, label):
    import django_filters

    def apply(qs, name, value):
        return method(qs, value) if value else qs

    return django_filters.DateFilter(method=apply, label=label)


def _field_label(path: str):
    obj_model: Any = m.Member
    label = path
    for part in path.split("."):
        f = obj_model._meta.get_field(part)
        label = f.verbose_name
        obj_model = f.related_model or obj_model
    return label


@register
class MemberLedger(Ledger):
    model = m.Member
    slug = "members"
    icon = "people"
    list_fields = ["kind", "organisation", "person", "unit", "federation", "joined_on", "left_on"]
    form_fields = [
        "unit",
        "kind",
        "organisation",
        "person",
        "federation",
        "industry_federation",
        "industry",
        "joined_on",
        "land_area",
        "main_products",
        "bank_account",
    ]
    export_fields = [*form_fields, "left_on", "missing"]
    api_fields = [*form_fields, "left_on"]
    filter_fields = {
        "kind": ["exact"],
        "federation": ["exact"],
        "industry_federation": ["exact"],
        "industry": ["exact"],
        "joined_on": ["gte", "lte"],
        "left_on": ["isnull"],
    }
    search_fields = ["organisation__name", "person__name", "industry", "main_products"]
    sort_fields = ["joined_on"]
    date_field = "joined_on"
    computed = {"missing": (_("fields missing"), _missing)}
    actions = [
        Action(
            "leave",
            _("Left the federation"),
            service=_leave,
            check=services.check_member_active,
            business_date=True,
            style="outline-danger",
            example={},
        ),
    ]

    def create(self, obj, user, *, source="web", m2m=None):
        # Its completeness is recorded from the day it joined.
        return services.enter_member(member=obj, user=user, source=source)

    def update(self, obj, user, *, expected_version, source="web", m2m=None):
        # An edit that changes its completeness is recorded from today.
        return services.revise_member(
            member=obj, user=user, expected_version=expected_version, source=source
        )

    def extra_filters(self):
        # The rows the member figures count, as of a day (the end of their period).
        return {
            "on_roll": _date_filter(services.on_roll, _("on the roll on")),
            "complete_on": _date_filter(
                lambda qs, day: services.complete_on(services.on_roll(qs, day), day),
                _("record complete on"),
            ),
        }

    def values_as_of(self, obj, on):
        # The working papers of a past period show the fields missing then.
        then = services.missing_on(obj, on)
        return {} if then is None else {"missing": _labels(then)}


class ApplyForm(ActionForm):
    applied_to = forms.CharField(label=_("applied to"), max_length=100)


class GrantForm(ActionForm):
    subsidy = forms.DecimalField(
        label=_("subsidy granted (10,000 yuan)"), max_digits=14, decimal_places=4, min_value=0
    )
    source = forms.CharField(label=_("source of the subsidy"), max_length=100)


def _apply(project, user, *, on, applied_to):
    return services.apply_funds(project=project, user=user, applied_to=applied_to, on=on)


def _grant_funds(project, user, *, on, subsidy, source):
    return services.grant_funds(project=project, user=user, subsidy=subsidy, source=source, on=on)


def _complete(project, user, *, on):
    return services.complete_project(project=project, user=user, on=on)


@register
class ProjectLedger(Ledger):
    model = m.Project
    slug = "projects"
    icon = "kanban"
    list_fields = ["year", "title", "unit", "kind", "planned_investment", "subsidy", "completed_on"]
    form_fields = ["unit", "year", "title", "kind", "planned_investment"]
    export_fields = [
        *form_fields,
        "applied_to",
        "applied_on",
        "subsidy",
        "subsidy_source",
        "granted_on",
        "completed_on",
    ]
    api_fields = export_fields
    filter_fields = {
        "year": ["exact"],
        "kind": ["exact"],
        "granted_on": ["gte", "lte"],
        "completed_on": ["gte", "lte"],
    }
    search_fields = ["title", "applied_to", "subsidy_source"]
    sort_fields = ["year", "planned_investment"]
    actions = [
        Action(
            "apply_funds",
            _("Funds applied for"),
            service=_apply,
            input=ApplyForm,
            check=services.check_not_applied,
            business_date=True,
            example={"applied_to": "省供销合作社"},
        ),
        Action(
            "grant_funds",
            _("Subsidy granted"),
            service=_grant_funds,
            input=GrantForm,
            check=services.check_applied_not_granted,
            business_date=True,
            style="success",
            example={"subsidy": "50", "source": "省级财政补助"},
        ),
        Action(
            "complete",
            _("Completed"),
            service=_complete,
            check=services.check_not_completed,
            business_date=True,
            style="outline-secondary",
            example={},
        ),
    ]
