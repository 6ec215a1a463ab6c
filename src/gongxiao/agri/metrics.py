"""Figures of the services to farmers, each in its own measure (core.quantities): seed 004's
"（三）三位一体实现服务能力提升" — 销售化肥****吨，农药****万，农膜***吨 …,
土地托管面积****亩 and 社会化服务**万亩次 (two figures, never one), 回收农药废弃包装物*****件,
综合服务社**家, 展销 sales, the brand shop's sales, and 会员信息录入***条，录入率达**％."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, rate, register_metric
from gongxiao.core.quantities import converted_sum, convertible_to

from . import models as m
from . import services

SALE_MEASURES = ["t", "kg", "件"]  # InputSale.measure's choices
WEIGHT_MEASURES = ["kg", "t"]  # Collection.weight_measure's choices


def _in_period(model, date_field, **where):
    def rows(user, unit, period):
        qs = model.objects.visible_to(user).filter(
            **{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end}, **where
        )
        if unit is not None:
            qs = qs.filter(**{f"{model.scope_field}__path__startswith": unit.path})
        return qs

    return rows


def _as_of(model, date_field, user, unit, period):
    """Rows that exist at the end of the period (joined by then)."""
    qs = model.objects.visible_to(user).filter(**{f"{date_field}__lte": period.end})
    if unit is not None:
        qs = qs.filter(**{f"{model.scope_field}__path__startswith": unit.path})
    return qs


def _link(date_field, **where):
    def link(unit, period):
        return {
            f"{date_field}__gte": period.start.isoformat(),
            f"{date_field}__lte": period.end.isoformat(),
            **where,
        }

    return link


def _dated(date_field, where):
    """_in_period as a declared metric's `where` (core.metrics: the rows in reach in the subtree
    narrowed by it), so the figures over the same rows are taken in one query."""

    def q(unit, period):
        return Q(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end}, **where)

    return q


def M(key, label, measure, model, date_field, ledger, *, where=None, link_where=None, **kw):
    where = where or {}
    if "rows" not in kw:
        kw.update(model=model, where=_dated(date_field, where))
    register_metric(
        Metric(
            key=key,
            label=label,
            measure=measure,
            module="agri",
            ledger=f"agri.{ledger}",
            link=kw.pop("link", None) or _link(date_field, **(link_where or where)),
            unit_field=model.scope_field,
            **kw,
        )
    )


# --- supply ----------------------------------------------------------------------------------


def _sold(key, label, category, target):
    measures = convertible_to(target, SALE_MEASURES)
    M(
        key,
        label,
        target,
        m.InputSale,
        "month",
        "input-sales",
        where={"category": category, "measure__in": measures},
        link_where={"category": category, "measure__in": ",".join(measures)},
        aggregate=converted_sum("quantity", "measure", target, measures),
        dimensions={"unit": "unit"},
        description=_("Lines in kg count as tonnes; lines counted in pieces are not added."),
    )


_sold("agri.supply.fertiliser", _("Fertiliser sold"), "fertiliser", "吨")
_sold("agri.supply.film", _("Agricultural film sold"), "film", "吨")
_sold("agri.supply.seed", _("Seed sold"), "seed", "吨")
M(
    "agri.supply.pesticide_value",
    _("Pesticide sales"),
    "万元",
    m.InputSale,
    "month",
    "input-sales",
    where={"category": "pesticide"},
    aggregate=Sum("value"),
    dimensions={"unit": "unit"},
)
M(
    "agri.supply.value",
    _("Input sales"),
    "万元",
    m.InputSale,
    "month",
    "input-sales",
    aggregate=Sum("value"),
    dimensions={"category": "category", "unit": "unit"},
)

# --- reserve ---------------------------------------------------------------------------------

# A task belongs to the periods its holding ends in ("完成4月至9月应急化肥储备任务").
M(
    "agri.reserve.tasks",
    _("Fertiliser reserve tasks"),
    "项",
    m.ReserveTask,
    "end_date",
    "reserve-tasks",
    dimensions={"variety": "variety", "unit": "unit"},
)
M(
    "agri.reserve.tonnes",
    _("Fertiliser reserve to hold"),
    "吨",
    m.ReserveTask,
    "end_date",
    "reserve-tasks",
    aggregate=Sum("quantity"),
    dimensions={"variety": "variety", "unit": "unit"},
)


def _met_rows(user, unit, period):
    rows = _in_period(m.ReserveTask, "end_date")(user, unit, period)
    return rows.annotate(
        n=Count("checks", distinct=True),
        short=Count("checks", filter=Q(checks__item__isnull=False), distinct=True),
    ).filter(n__gt=0, short=0)


M(
    "agri.reserve.met",
    _("Fertiliser reserve tasks held in full"),
    "项",
    m.ReserveTask,
    "end_date",
    "reserve-tasks",
    rows=_met_rows,
    value=lambda rows, *a: rows.count(),
    description=_("Tasks checked at least once with no check short of the quantity."),
)
M(
    "agri.reserve.shortfalls",
    _("Reserve checks found short"),
    "次",
    m.StockCheck,
    "date",
    "stock-checks",
    where={"item__isnull": False},
    link_where={"item__isnull": "false"},
)

# --- input delivery --------------------------------------------------------------------------

M("agri.deliveries.count", _("Input-delivery events"), "场", m.DeliveryEvent, "date", "deliveries")
M(
    "agri.deliveries.tonnes",
    _("Inputs delivered"),
    "吨",
    m.DeliveryEvent,
    "date",
    "deliveries",
    aggregate=Sum("tonnes"),
)
M(
    "agri.deliveries.households",
    _("Households reached by input delivery"),
    "户",
    m.DeliveryEvent,
    "date",
    "deliveries",
    aggregate=Sum("households"),
)

# --- production services ---------------------------------------------------------------------

M(
    "agri.trusteeship.area",
    _("Land under trusteeship"),
    "亩",
    m.Trusteeship,
    "start_date",
    "trusteeships",
    aggregate=Sum("area"),
    dimensions={"crop": "crop", "unit": "unit"},
    description=_("Area handed over, in mu; never added to service area in mu-times."),
)
M(
    "agri.trusteeship.households",
    _("Households under trusteeship"),
    "户",
    m.Trusteeship,
    "start_date",
    "trusteeships",
    aggregate=Sum("households"),
)
M(
    "agri.services.area",
    _("Socialised services"),
    "亩次",
    m.ServiceOperation,
    "date",
    "service-operations",
    aggregate=Sum("service_area"),
    dimensions={"link": "link", "unit": "unit"},
    description=_("Area served times the times served (mu-times)."),
)
M(
    "agri.services.operations",
    _("Service operations"),
    "次",
    m.ServiceOperation,
    "date",
    "service-operations",
    dimensions={"link": "link"},
)

for _kind, _label in [
    ("centre", _("Agricultural service centres built")),
    ("shop", _("Village comprehensive service co-ops built")),
    ("clinic", _("Crop clinics built")),
]:
    M(
        f"agri.outlets.{_kind}s_built",
        _label,
        "家",
        m.ServiceOutlet,
        "built_on",
        "outlets",
        where={"kind": _kind},
    )
M(
    "agri.outlets.declared",
    _("Outlets declared for recognition"),
    "家",
    m.ServiceOutlet,
    "declared_on",
    "outlets",
    dimensions={"level": "level_sought", "kind": "kind"},
)
M(
    "agri.outlets.granted",
    _("Outlets recognised"),
    "家",
    m.ServiceOutlet,
    "granted_on",
    "outlets",
    dimensions={"level": "level", "kind": "kind"},
)

M(
    "agri.experts.count",
    _("Agronomy experts in the pools"),
    "人",
    m.Expert,
    "joined_on",
    "experts",
    rows=lambda user, unit, period: _as_of(m.Expert, "joined_on", user, unit, period),
    link=lambda unit, period: {"joined_on__lte": period.end.isoformat()},
    dimensions={"pool": "pool", "online": "online"},
    description=_("Experts who had joined a pool by the end of the period."),
)
M(
    "agri.experts.pools",
    _("Agronomy expert pools"),
    "个",
    m.Expert,
    "joined_on",
    "experts",
    rows=lambda user, unit, period: _as_of(m.Expert, "joined_on", user, unit, period),
    link=lambda unit, period: {"joined_on__lte": period.end.isoformat()},
    value=lambda rows, *a: rows.order_by().values("unit", "pool").distinct().count(),
    dimensions={"online": "online"},
    description=_("Distinct pools (per unit) the experts belong to."),
)
M(
    "agri.expert_visits.count",
    _("Expert visits and trainings"),
    "次",
    m.ExpertVisit,
    "date",
    "expert-visits",
    dimensions={"kind": "kind"},
)
M(
    "agri.expert_visits.households",
    _("Households reached by experts"),
    "户",
    m.ExpertVisit,
    "date",
    "expert-visits",
    aggregate=Sum("households"),
    dimensions={"kind": "kind"},
)

# --- recycling -------------------------------------------------------------------------------

M(
    "agri.recycling.packaging_pieces",
    _("Pesticide packaging collected (pieces)"),
    "件",
    m.Collection,
    "date",
    "collections",
    where={"material": "packaging", "pieces__isnull": False},
    link_where={"material": "packaging"},
    aggregate=Sum("pieces"),
)
M(
    "agri.recycling.packaging_weight",
    _("Pesticide packaging collected (weight)"),
    "千克",
    m.Collection,
    "date",
    "collections",
    where={"material": "packaging", "weight__isnull": False},
    link_where={"material": "packaging"},
    aggregate=converted_sum("weight", "weight_measure", "千克", WEIGHT_MEASURES),
)
M(
    "agri.recycling.renewable",
    _("Renewable resources collected"),
    "吨",
    m.Collection,
    "date",
    "collections",
    where={"material": "renewable", "weight__isnull": False},
    link_where={"material": "renewable"},
    aggregate=converted_sum("weight", "weight_measure", "吨", WEIGHT_MEASURES),
)

# --- marketing and community -----------------------------------------------------------------

M(
    "agri.sales_events.count",
    _("Produce sales events"),
    "场",
    m.SalesEvent,
    "start_date",
    "sales-events",
    dimensions={"kind": "kind", "cross_region": "cross_region"},
)
M(
    "agri.sales_events.sales",
    _("Sales at produce events"),
    "万元",
    m.SalesEvent,
    "start_date",
    "sales-events",
    aggregate=Sum("sales"),
    dimensions={"kind": "kind", "cross_region": "cross_region"},
)
M(
    "agri.shops.opened",
    _("Brand shops and channels opened"),
    "家",
    m.Shop,
    "opened_on",
    "shops",
    dimensions={"kind": "kind"},
)
M(
    "agri.shops.sales",
    _("Brand shop and channel sales"),
    "万元",
    m.ShopSales,
    "month",
    "shop-sales",
    aggregate=Sum("sales"),
    dimensions={"kind": "shop__kind", "shop": "shop"},
)
M(
    "agri.canteens.meals",
    _("Meals served by neighbourhood canteens"),
    "人次",
    m.CanteenMeals,
    "month",
    "canteen-meals",
    aggregate=Sum("meals"),
    dimensions={"canteen": "canteen"},
)

# --- members ---------------------------------------------------------------------------------


def _members(user, unit, period):
    """Members on the roll at the end of the period: joined by then, not left by then."""
    qs = services.on_roll(m.Member.objects.visible_to(user), period.end)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs


def _members_link(unit, period):
    return {"on_roll": period.end.isoformat()}


def _assessed(user, unit, period):
    """The members on the roll, their completeness history brought up to date first (a member
    with none gets its first row; a period that reaches today records today's changes)."""
    rows = _members(user, unit, period)
    services.refresh_for(rows, period.end)
    return rows


def _complete(user, unit, period):
    """Members whose record was complete at the end of the period, as the history kept it then:
    an edit or a rule change today leaves a past period's figure as it was."""
    return services.complete_on(_assessed(user, unit, period), period.end)


MEMBER_DIMENSIONS = {
    "kind": "kind",
    "federation": "federation",
    "industry": "industry",
    "industry_federation": "industry_federation",
    "unit": "unit",
}

M(
    "agri.members.entered",
    _("Member records entered"),
    "条",
    m.Member,
    "joined_on",
    "members",
    rows=_members,
    link=_members_link,
    dimensions=MEMBER_DIMENSIONS,
)
M(
    "agri.members.joined",
    _("Members joined"),
    "家",
    m.Member,
    "joined_on",
    "members",
    dimensions=MEMBER_DIMENSIONS,
    description=_("Members who joined the federation in the period."),
)
M(
    "agri.members.complete",
    _("Member records complete"),
    "条",
    m.Member,
    "joined_on",
    "members",
    rows=_complete,
    link=lambda unit, period: {"complete_on": period.end.isoformat()},
    dimensions=MEMBER_DIMENSIONS,
    description=_("Every field the member's kind required was filled at the end of the period."),
)
M(
    "agri.members.completeness_rate",
    _("Member data completeness rate"),
    "%",
    m.Member,
    "joined_on",
    "members",
    rows=_assessed,
    link=_members_link,
    value=lambda rows, user, unit, period: rate(
        services.complete_on(rows, period.end).count(), rows.count()
    ),
    dimensions=MEMBER_DIMENSIONS,
    description=_(
        "Complete member records over member records entered, at the end of the period "
        "(会员信息录入率)."
    ),
)
M(
    "agri.federations.industry_built",
    _("Industry federations built"),
    "家",
    m.IndustryFederation,
    "founded_on",
    "industry-federations",
    dimensions={"industry": "industry", "unit": "unit"},
)
M(
    "agri.federations.industry",
    _("Industry federations"),
    "家",
    m.IndustryFederation,
    "founded_on",
    "industry-federations",
    rows=lambda user, unit, period: _as_of(m.IndustryFederation, "founded_on", user, unit, period),
    link=lambda unit, period: {"founded_on__lte": period.end.isoformat()},
    dimensions={"industry": "industry"},
    description=_("Industry federations founded by the end of the period."),
)


# --- projects --------------------------------------------------------------------------------


def _planned(user, unit, period):
    qs = m.Project.objects.visible_to(user).filter(
        year__gte=period.start.year, year__lte=period.end.year
    )
    return qs.filter(unit__path__startswith=unit.path) if unit is not None else qs


def _planned_link(unit, period):
    return {"year": period.start.year}


M(
    "agri.projects.planned",
    _("Projects planned"),
    "个",
    m.Project,
    "year",
    "projects",
    rows=_planned,
    link=_planned_link,
    dimensions={"kind": "kind", "unit": "unit"},
    description=_("Projects planned for the year of the period."),
)
M(
    "agri.projects.investment",
    _("Planned investment in projects"),
    "万元",
    m.Project,
    "year",
    "projects",
    rows=_planned,
    link=_planned_link,
    aggregate=Sum("planned_investment"),
    dimensions={"kind": "kind"},
)
M(
    "agri.projects.granted",
    _("Projects granted subsidies"),
    "个",
    m.Project,
    "granted_on",
    "projects",
    dimensions={"kind": "kind"},
)
M(
    "agri.projects.subsidy",
    _("Subsidies won for projects"),
    "万元",
    m.Project,
    "granted_on",
    "projects",
    aggregate=Sum("subsidy"),
    dimensions={"kind": "kind"},
)
M(
    "agri.projects.completed",
    _("Projects completed"),
    "个",
    m.Project,
    "completed_on",
    "projects",
    dimensions={"kind": "kind"},
)
