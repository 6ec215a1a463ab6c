"""Figures of credit cooperation, after seed 004's "全力深化信用网络": 已对***家会员单位开展
信用等级评定; 累计办理担保业务***笔（其中涉农担保***笔），累计担保金额*亿元（涉农担保金额
*亿元），在保笔数***笔（其中涉农***笔），在保余额*亿元 — and seed 003's agreements with banks
and loans arranged (800万元, 400万元). Amounts are in 万元; a sentence prints them in 亿元 with
the placeholder option `| 亿元`.

Figures on a day (在保, 已评定) are taken at the end of the period from business dates, so a past
period's figure reads the same whenever asked."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, register_metric

from . import models as m
from . import services


def _scoped(model, user, unit):
    qs = model.objects.visible_to(user)
    if unit is not None:
        qs = qs.filter(**{f"{model.scope_field}__path__startswith": unit.path})
    return qs


def _in_period(model, date_field, **where):
    """(model, where): the rows dated in the period, declared (core.metrics: the model's rows
    in reach in the subtree narrowed by `where`), so the figures over them share one query."""

    def q(unit, period):
        return Q(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end}, **where)

    return (model, q)


def _link(date_field, **where):
    def link(unit, period):
        return {
            f"{date_field}__gte": period.start.isoformat(),
            f"{date_field}__lte": period.end.isoformat(),
            **where,
        }

    return link


def M(key, label, measure, ledger, rows, link, **kw):
    if isinstance(rows, tuple):  # (model, where): declared
        model, where = rows
        assert model.scope_field == kw.get("unit_field", "unit"), key
        kw.update(model=model, where=where)
    else:
        kw["rows"] = rows
    register_metric(
        Metric(
            key=key,
            label=label,
            measure=measure,
            module="credit",
            ledger=f"credit.{ledger}",
            link=link,
            **kw,
        )
    )


# --- ratings -----------------------------------------------------------------------------------


def _rated(user, unit, period):
    return services.approved_by_end(
        _scoped(m.CreditRating, user, unit), period.end.year, period.end
    )


def _rated_link(unit, period):
    return {
        "year": period.end.year,
        "status": "approved",
        "approved_on__lte": period.end.isoformat(),
    }


M(
    "credit.ratings.rated",
    _("Members rated"),
    "家",
    "ratings",
    _rated,
    _rated_link,
    description=_(
        "Members with a rating of the period's last year approved by the period's end "
        "(信用等级评定); by grade, AAA, AA, A or none."
    ),
    dimensions={"grade": "grade", "unit": "unit"},
)
M(
    "credit.ratings.approved",
    _("Ratings approved"),
    "份",
    "ratings",
    _in_period(m.CreditRating, "approved_on", status="approved"),
    _link("approved_on", status="approved"),
    dimensions={"grade": "grade", "unit": "unit"},
)


def _due(user, unit, period):
    return services.due_for_rerating(
        _scoped(m.CreditRating, user, unit), period.end.year, period.end
    )


M(
    "credit.ratings.due",
    _("Members due for re-rating"),
    "家",
    "ratings",
    _due,
    lambda unit, period: {"due_in": period.end.year},
    description=_(
        "Members rated the year before, still in the federation, with no rating of this year "
        "approved by the period's end."
    ),
    dimensions={"unit": "unit"},
)


def _village_rows(user, unit, period):
    from gongxiao.agri.models import Member

    return services.village_ratings(
        _scoped(Member, user, unit), _scoped(m.CreditRating, user, unit), period.end
    )


def _village_count(rows, user, unit, period):
    return rows.order_by().values("member__unit").distinct().count()


M(
    "credit.villages",
    _("Credit villages and towns"),
    "个",
    "ratings",
    _village_rows,
    lambda unit, period: {"credit_village_on": period.end.isoformat()},
    value=_village_count,
    description=_(
        "Units of the tree where the share of their own households (farmers, large grain "
        "growers) rated at or above the grade reaches the setting (70% and A by default); "
        "the rows are those households' ratings."
    ),
)

# --- guarantees ----------------------------------------------------------------------------------

_AGRI = {"sector": "sector", "unit": "unit"}

M(
    "credit.guarantees.arranged",
    _("Guarantees arranged"),
    "笔",
    "guarantees",
    _in_period(m.Guarantee, "start_date"),
    _link("start_date"),
    dimensions=_AGRI,
)
M(
    "credit.guarantees.amount",
    _("Amount guaranteed"),
    "万元",
    "guarantees",
    _in_period(m.Guarantee, "start_date"),
    _link("start_date"),
    aggregate=Sum("amount"),
    dimensions=_AGRI,
)


def _outstanding(user, unit, period):
    return services.outstanding_on(_scoped(m.Guarantee, user, unit), period.end)


def _outstanding_link(unit, period):
    return {"outstanding_on": period.end.isoformat()}


M(
    "credit.guarantees.outstanding",
    _("Guarantees in force"),
    "笔",
    "guarantees",
    _outstanding,
    _outstanding_link,
    description=_("In force (在保) at the end of the period, from the events dated by then."),
    dimensions=_AGRI,
)
M(
    "credit.guarantees.balance",
    _("Balance in force"),
    "万元",
    "guarantees",
    _outstanding,
    _outstanding_link,
    description=_(
        "在保余额 at the end of the period: each guarantee's amount less the releases dated by "
        "then; nothing once compensated."
    ),
    value=lambda rows, *a: rows.aggregate(v=Sum("balance"))["v"] or 0,
    dimensions=_AGRI,
)


# --- bank cooperation ----------------------------------------------------------------------------

M(
    "credit.agreements.signed",
    _("Bank agreements signed"),
    "份",
    "bank-agreements",
    _in_period(m.BankAgreement, "signed_on"),
    _link("signed_on"),
    dimensions={"unit": "unit"},
)
M(
    "credit.agreements.credit_line",
    _("Credit lines agreed with banks"),
    "万元",
    "bank-agreements",
    _in_period(m.BankAgreement, "signed_on"),
    _link("signed_on"),
    aggregate=Sum("credit_line"),
    dimensions={"unit": "unit"},
)
M(
    "credit.credit_lines.count",
    _("Credit granted to members"),
    "笔",
    "credit-lines",
    _in_period(m.CreditLine, "granted_on"),
    _link("granted_on"),
    dimensions={"unit": "unit"},
)
M(
    "credit.credit_lines.amount",
    _("Amount of credit granted"),
    "万元",
    "credit-lines",
    _in_period(m.CreditLine, "granted_on"),
    _link("granted_on"),
    aggregate=Sum("amount"),
    dimensions={"unit": "unit"},
)
M(
    "credit.loans.count",
    _("Loans arranged"),
    "笔",
    "loans",
    _in_period(m.Loan, "lent_on"),
    _link("lent_on"),
    dimensions={"sector": "sector", "unit": "unit"},
)
M(
    "credit.loans.amount",
    _("Amount of loans arranged"),
    "万元",
    "loans",
    _in_period(m.Loan, "lent_on"),
    _link("lent_on"),
    aggregate=Sum("amount"),
    dimensions={"sector": "sector", "unit": "unit"},
)
