"""信用合作 declared through the kit: scorecards and their content, ratings with their scoring
and approval, guarantees with their events, bank agreements, credit granted and loans."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.metrics import number

from . import models as m
from . import services

# --- scorecards --------------------------------------------------------------------------------


def _new_edition(card, user, *, on):
    # The runner answers with the edition copied (its version raised); the copy is listed
    # beside it.
    services.new_edition(scorecard=card, user=user, on=on)


@register
class ScorecardLedger(Ledger):
    model = m.Scorecard
    slug = "scorecards"
    icon = "card-checklist"
    list_fields = ["name", "edition", "unit", "valid_from", "usable"]
    form_fields = ["unit", "name", "valid_from", "note"]
    export_fields = ["unit", "name", "edition", "valid_from", "note"]
    api_fields = ["unit", "name", "edition", "valid_from", "note"]
    filter_fields = {"name": ["exact"], "valid_from": ["gte", "lte"]}
    search_fields = ["name", "note"]
    sort_fields = ["name", "valid_from"]
    date_field = "valid_from"
    natural_key = ("unit", "name", "edition")
    detail_template = "credit/scorecard_detail.html"
    computed = {
        "usable": (
            _("problems"),
            lambda card, user: "；".join(services.scorecard_problems(card)) or "—",
        )
    }
    actions = [
        Action(
            "new_edition",
            _("Make a new edition"),
            service=_new_edition,
            right="add",
            check=services.check_may_copy,
            business_date=True,
            style="secondary",
            example={},
        ),
    ]

    def lock_reason(self, obj):
        return services.scorecard_lock(obj)

    def detail_extra(self, request, obj):
        sections = list(obj.sections.prefetch_related("items"))
        return {
            "sections": sections,
            "bands": list(obj.bands.all()),
            "problems": services.scorecard_problems(obj),
            "rating_count": m.CreditRating.objects.visible_to(request.user)
            .filter(scorecard=obj)
            .count(),
        }


def _back_to_card(card_id):
    from django.urls import reverse

    return reverse("ledger-detail", args=["credit", "scorecards", card_id])


@register
class ScoreSectionLedger(Ledger):
    model = m.ScoreSection
    slug = "score-sections"
    icon = "list-ol"
    list_fields = ["scorecard", "order", "title", "kind", "points"]
    form_fields = ["scorecard", "order", "title", "kind", "points"]
    filter_fields = {"scorecard": ["exact"], "kind": ["exact"]}
    search_fields = ["title"]
    natural_key = ("scorecard", "order", "title")
    sort_fields = ["order"]

    def lock_reason(self, obj):
        return services.scorecard_lock(obj.scorecard if obj.scorecard_id else None)

    def saved_url(self, obj):
        return _back_to_card(obj.scorecard_id)


@register
class ScoreItemLedger(Ledger):
    model = m.ScoreItem
    slug = "score-items"
    icon = "list-check"
    list_fields = ["section", "code", "title", "points"]
    form_fields = ["section", "code", "order", "title", "points", "guidance"]
    filter_fields = {"section": ["exact"], "section__scorecard": ["exact"]}
    search_fields = ["code", "title", "guidance"]
    natural_key = ("section", "code")
    sort_fields = ["order", "code"]

    def lock_reason(self, obj):
        return services.scorecard_lock(obj.section.scorecard if obj.section_id else None)

    def saved_url(self, obj):
        return _back_to_card(obj.section.scorecard_id)


@register
class GradeBandLedger(Ledger):
    model = m.GradeBand
    slug = "grade-bands"
    icon = "award"
    list_fields = ["scorecard", "grade", "min_score"]
    form_fields = ["scorecard", "grade", "min_score"]
    filter_fields = {"scorecard": ["exact"], "grade": ["exact"]}
    sort_fields = ["min_score"]
    natural_key = ("scorecard", "grade")

    def lock_reason(self, obj):
        return services.scorecard_lock(obj.scorecard if obj.scorecard_id else None)

    def saved_url(self, obj):
        return _back_to_card(obj.scorecard_id)


# --- ratings -----------------------------------------------------------------------------------


class ScoreForm(ActionForm):
    """One field per item of the rating's scorecard edition (score_<code>, evidence_<code>):
    the scored sections' items required, the bonus and deduction items 0 when left empty."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rating = self.obj
        if rating is None or not getattr(rating, "scorecard_id", None):
            return
        done = {s.item_code: s for s in rating.scores.all()} if rating.pk else {}
        for item in services.items_of(rating.scorecard):
            base = item.section.kind == m.ScoreSection.Kind.BASE
            prior = done.get(item.code)
            label = f"{item.section.title} · {item.title}（{_('at most')} {number(item.points)}）"
            score = forms.DecimalField(
                label=label,
                required=base,
                min_value=0,
                max_value=item.points,
                max_digits=6,
                decimal_places=2,
                initial=prior.score if prior else None,
                help_text=item.guidance,
            )
            score.widget.attrs.update(
                {"class": "form-control form-control-sm", "step": "0.01", "aria-label": label}
            )
            evidence = forms.CharField(
                label=_("evidence"),
                required=False,
                max_length=300,
                initial=prior.evidence if prior else "",
            )
            evidence.widget.attrs.update(
                {
                    "class": "form-control form-control-sm",
                    "aria-label": f"{item.title} {_('evidence')}",
                }
            )
            self.fields[f"score_{item.code}"] = score
            self.fields[f"evidence_{item.code}"] = evidence

    def rows(self):
        """(score, evidence) bound fields item by item, for the rating page's table."""
        return [
            (self[name], self[f"evidence_{name[6:]}"])
            for name in self.fields
            if name.startswith("score_")
        ]


def _score(rating, user, *, on, **inputs):
    scores = {k[6:]: v for k, v in inputs.items() if k.startswith("score_")}
    evidence = {k[9:]: v for k, v in inputs.items() if k.startswith("evidence_")}
    return services.score_rating(rating=rating, user=user, on=on, scores=scores, evidence=evidence)


def _approve(rating, user, *, on):
    return services.approve_rating(rating=rating, user=user, on=on)


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


def _return(rating, user, *, on, reason):
    return services.return_rating(rating=rating, user=user, on=on, reason=reason)


BUILTIN_EXAMPLE = {
    "score_h1": "8",
    "score_h2": "7.5",
    "score_h3": "9",
    "score_h4": "10",
    "score_f1": "16",
    "score_f2": "12",
    "score_f3": "11",
    "score_c1": "10",
    "evidence_f1": "2023年家庭纯收入12万元，村委会证明",
}


def _credit_village_on(qs, name, value):
    # The households' count is read from the units of the ratings in reach; only ratings are
    # returned, all of them from `qs`, already scoped.
    if not value:
        return qs
    from gongxiao.agri.models import Member

    members = Member.objects.filter(unit__in=qs.values("unit"))
    return services.village_ratings(members, qs, value)


def _due_in(qs, name, value):
    if not value:
        return qs
    return services.due_for_rerating(qs, int(value))


@register
class CreditRatingLedger(Ledger):
    model = m.CreditRating
    slug = "ratings"
    icon = "star-half"
    list_fields = ["year", "member", "unit", "status", "total", "grade", "rated_on", "approved_on"]
    form_fields = ["unit", "member", "year", "scorecard"]
    export_fields = [
        *form_fields,
        "edition",
        "status",
        "total",
        "grade",
        "rated_by",
        "rated_on",
        "approved_by",
        "approved_on",
    ]
    api_fields = export_fields
    filter_fields = {
        "year": ["exact", "gte", "lte"],
        "status": ["exact"],
        "grade": ["exact", "in"],
        "scorecard": ["exact"],
        "member": ["exact"],
        "approved_on": ["gte", "lte"],
    }
    search_fields = ["member__organisation__name", "member__person__name"]
    sort_fields = ["year", "total", "approved_on"]
    natural_key = ("member", "year")
    detail_template = "credit/rating_detail.html"
    actions = [
        Action(
            "score",
            _("Score"),
            service=_score,
            input=ScoreForm,
            check=services.check_may_score,
            business_date=True,
            # The rating page lays the items out as a table (credit/rating_detail.html).
            in_block=False,
            example=BUILTIN_EXAMPLE,
        ),
        Action(
            "approve",
            _("Approve"),
            right="review",
            service=_approve,
            check=services.check_may_approve,
            business_date=True,
            style="success",
            example={},
        ),
        Action(
            "return_rating",
            _("Return to be scored again"),
            right="review",
            service=_return,
            input=ReasonForm,
            check=services.check_may_return,
            business_date=True,
            style="outline-danger",
            example={"reason": "家庭收入佐证材料不全"},
        ),
    ]

    def create(self, obj, user, *, source="web", m2m=None):
        return services.open_rating(rating=obj, user=user, source=source)

    def queryset_for(self, user, action="view", fields=None):
        return (
            super()
            .queryset_for(user, action, fields)
            .select_related("member__organisation", "member__person")
        )

    def lock_reason(self, obj):
        if obj.pk and obj.status == m.CreditRating.Status.APPROVED:
            return _("The rating is approved; it no longer changes.")
        if obj.pk and obj.status == m.CreditRating.Status.SCORED:
            return _("The rating is scored: score it again, approve it or return it.")
        return None

    def extra_filters(self):
        return {
            "due_in": django_filters.NumberFilter(
                method=_due_in, label=_("re-rating due in (year)")
            ),
            "credit_village_on": django_filters.DateFilter(
                method=_credit_village_on, label=_("making a credit village on")
            ),
        }

    def detail_extra(self, request, obj):
        scores = list(obj.scores.all())
        return {"scores": scores}


# --- guarantees --------------------------------------------------------------------------------


class ReleaseForm(ActionForm):
    amount = forms.DecimalField(
        label=_("amount released (10,000 yuan)"),
        required=False,
        max_digits=14,
        decimal_places=4,
        help_text=_("Empty: the whole balance."),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class AmountForm(ActionForm):
    amount = forms.DecimalField(
        label=_("amount (10,000 yuan)"), max_digits=14, decimal_places=4, min_value=0
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)


def _release(g, user, *, on, amount=None, note=""):
    services.release(guarantee=g, user=user, on=on, amount=amount, note=note)


def _compensate(g, user, *, on, amount, note=""):
    services.compensate(guarantee=g, user=user, on=on, amount=amount, note=note)


def _recover(g, user, *, on, amount, note=""):
    services.recover(guarantee=g, user=user, on=on, amount=amount, note=note)


def _parse_day(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _status_today(g, user):
    return services.position(g, timezone.localdate()).status


def _balance_today(g, user):
    return number(services.position(g, timezone.localdate()).balance)


@register
class GuaranteeLedger(Ledger):
    model = m.Guarantee
    slug = "guarantees"
    icon = "shield-check"
    list_fields = [
        "start_date",
        "member",
        "unit",
        "lender",
        "amount",
        "sector",
        "end_date",
        "status",
        "balance",
    ]
    form_fields = [
        "unit",
        "member",
        "contract_number",
        "lender",
        "guarantor",
        "amount",
        "start_date",
        "end_date",
        "sector",
        "agency_point",
    ]
    export_fields = [*form_fields, "status", "balance"]
    api_fields = form_fields
    filter_fields = {
        "sector": ["exact"],
        "lender": ["exact"],
        "guarantor": ["exact"],
        "agency_point": ["exact"],
        "member": ["exact"],
        "start_date": ["gte", "lte"],
        "end_date": ["gte", "lte"],
    }
    search_fields = ["contract_number", "lender", "guarantor", "agency_point"]
    sort_fields = ["start_date", "amount", "end_date"]
    date_field = "start_date"
    natural_key = ("member", "lender", "start_date", "amount")
    detail_template = "credit/guarantee_detail.html"
    computed = {
        "status": (_("status today"), _status_today),
        "balance": (_("balance today (10,000 yuan)"), _balance_today),
    }
    actions = [
        Action(
            "release",
            _("Release (解保)"),
            service=_release,
            input=ReleaseForm,
            check=services.check_in_force,
            business_date=True,
            style="success",
            example={"note": "贷款已结清"},
        ),
        Action(
            "compensate",
            _("Compensate (代偿)"),
            service=_compensate,
            input=AmountForm,
            check=services.check_in_force,
            business_date=True,
            style="outline-danger",
            example={"amount": "10", "note": "借款人逾期，代偿本息"},
        ),
        Action(
            "recover",
            _("Record a recovery (追偿回收)"),
            service=_recover,
            input=AmountForm,
            check=services.check_compensated,
            business_date=True,
            style="secondary",
            example={"amount": "2", "note": "追偿回收"},
        ),
    ]

    def queryset_for(self, user, action="view", fields=None):
        return (
            super()
            .queryset_for(user, action, fields)
            .select_related("member__organisation", "member__person")
            .prefetch_related("events")
        )

    def lock_reason(self, obj):
        if obj.pk and obj.events.exists():
            return _("The guarantee has events; it changes only through its actions.")
        return None

    def extra_filters(self):
        def outstanding(qs, name, value):
            return services.outstanding_on(qs, value) if value else qs

        return {
            "outstanding_on": django_filters.DateFilter(
                method=outstanding, label=_("in force (在保) on")
            ),
        }

    def values_as_of(self, obj, on):
        pos = services.position(obj, on)
        return {"status": pos.status, "balance": number(pos.balance)}

    def detail_extra(self, request, obj):
        on = _parse_day(request.GET.get("on")) or timezone.localdate()
        events = list(obj.events.all())
        return {"as_of": on, "position": services.position(obj, on, events), "events": events}


# --- bank cooperation --------------------------------------------------------------------------


@register
class BankAgreementLedger(Ledger):
    model = m.BankAgreement
    slug = "bank-agreements"
    icon = "bank"
    list_fields = ["signed_on", "bank", "title", "unit", "credit_line", "valid_until"]
    form_fields = ["unit", "bank", "title", "signed_on", "credit_line", "valid_until", "note"]
    filter_fields = {"bank": ["exact"], "signed_on": ["gte", "lte"]}
    search_fields = ["bank", "title", "note"]
    sort_fields = ["signed_on", "credit_line"]
    date_field = "signed_on"
    natural_key = ("unit", "bank", "title", "signed_on")


@register
class CreditLineLedger(Ledger):
    model = m.CreditLine
    slug = "credit-lines"
    icon = "credit-card"
    list_fields = ["granted_on", "member", "unit", "bank", "amount", "valid_until"]
    form_fields = ["unit", "member", "bank", "agreement", "granted_on", "amount", "valid_until"]
    filter_fields = {
        "bank": ["exact"],
        "agreement": ["exact"],
        "member": ["exact"],
        "granted_on": ["gte", "lte"],
    }
    search_fields = ["bank"]
    sort_fields = ["granted_on", "amount"]
    date_field = "granted_on"
    natural_key = ("member", "bank", "granted_on")


@register
class LoanLedger(Ledger):
    model = m.Loan
    slug = "loans"
    icon = "cash-stack"
    list_fields = ["lent_on", "member", "unit", "bank", "amount", "term_months", "sector"]
    form_fields = [
        "unit",
        "member",
        "bank",
        "agreement",
        "lent_on",
        "amount",
        "term_months",
        "sector",
        "purpose",
    ]
    filter_fields = {
        "bank": ["exact"],
        "agreement": ["exact"],
        "member": ["exact"],
        "sector": ["exact"],
        "lent_on": ["gte", "lte"],
    }
    search_fields = ["bank", "purpose"]
    sort_fields = ["lent_on", "amount"]
    date_field = "lent_on"
    natural_key = ("member", "bank", "lent_on", "amount")
