"""绩效考核 declared through the kit: schemes and their indicators, cycles (and the cycles an
annual comprehensive assessment combines), score sheets, indicator scores and appeals. Every
step of a cycle is an action here, with its business date, reached alike from its page and the
API; sheets, scores and appeals are made by those steps, never typed in."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping
from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.metrics import number

from . import models as m
from . import services


def _n(value) -> str:
    return number(value) if value is not None else ""


# --- inputs ------------------------------------------------------------------------------------


class NoteForm(ActionForm):
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SelfAssessForm(ActionForm):
    value = forms.DecimalField(
        label=_("self-assessed value or points"), required=False, max_digits=16, decimal_places=4
    )
    note = forms.CharField(
        label=_("self-assessment note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    evidence = forms.FileField(label=_("evidence"), required=False)


class ScoreForm(ActionForm):
    value = forms.DecimalField(label=_("assessed value or points"), max_digits=16, decimal_places=4)
    reason = forms.CharField(
        label=_("reason for the override"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Needed, with its evidence, when the value differs from the metric's figure."),
    )
    evidence = forms.FileField(label=_("evidence for the override"), required=False)


class TargetForm(ActionForm):
    target = forms.DecimalField(label=_("target"), max_digits=16, decimal_places=4, min_value=0)


class PeerGroupForm(ActionForm):
    peer_group = forms.CharField(label=_("peer group"), max_length=50)


class AppealForm(ActionForm):
    score = forms.ModelChoiceField(label=_("indicator score"), queryset=m.Score.objects.none())
    reason = forms.CharField(
        label=_("reason for the appeal"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["score"]
        assert isinstance(field, forms.ModelChoiceField)
        if self.obj is not None:
            field.queryset = self.obj.scores.select_related("indicator")
            field.label_from_instance = lambda s: s.indicator.name  # type: ignore[method-assign,assignment]


class DecideForm(ActionForm):
    upheld = forms.BooleanField(label=_("appeal upheld (the score reopens)"), required=False)
    decision = forms.CharField(label=_("decision"), widget=forms.Textarea(attrs={"rows": 3}))


# --- services as actions -------------------------------------------------------------------------


def _new_edition(scheme, user, *, on, note=""):
    services.new_edition(scheme=scheme, user=user, on=on, note=note)


def _open(cycle, user, *, on):
    services.open_cycle(cycle=cycle, user=user, on=on)


def _publish(cycle, user, *, on):
    services.publish(cycle=cycle, user=user, on=on)


def _submit_self(sheet, user, *, on, note=""):
    services.submit_self(sheet=sheet, user=user, note=note, on=on)


def _finish(sheet, user, *, on):
    services.finish_scoring(sheet=sheet, user=user, on=on)


def _review(sheet, user, *, on):
    services.review(sheet=sheet, user=user, on=on)


def _regroup(sheet, user, *, on, peer_group):
    services.set_peer_group(sheet=sheet, user=user, peer_group=peer_group, on=on)


def _appeal(sheet, user, *, on, score, reason):
    services.file_appeal(sheet=sheet, user=user, score=score, reason=reason, on=on)


def _self_assess(score, user, *, on, value=None, note="", evidence=None):
    services.self_assess(score=score, user=user, value=value, note=note, evidence=evidence, on=on)


def _score(score, user, *, on, value, reason="", evidence=None):
    services.score_indicator(
        score=score, user=user, value=value, reason=reason, evidence=evidence, on=on
    )


def _refill(score, user, *, on):
    services.refill(score=score, user=user, on=on)


def _set_target(score, user, *, on, target):
    services.set_target(score=score, user=user, target=target, on=on)


def _decide(appeal, user, *, on, decision, upheld=False):
    services.decide_appeal(appeal=appeal, user=user, upheld=upheld, decision=decision, on=on)


def _made_by_steps(what):
    def create(self, obj, user, *, source="web", m2m=None):
        raise ValidationError(what)

    return create


# --- schemes -----------------------------------------------------------------------------------


@register
class SchemeLedger(Ledger):
    model = m.Scheme
    slug = "schemes"
    icon = "clipboard-check"
    list_fields = ["name", "code", "edition", "unit", "subject", "locked"]
    form_fields = ["unit", "code", "name", "edition", "subject", "bands", "note"]
    # The grade bands are JSON: kept out of the Excel files, edited on the form and the API.
    import_fields = ["unit", "code", "name", "edition", "subject", "note"]
    export_fields = [*list_fields, "note"]
    api_fields = [*form_fields, "based_on"]
    filter_fields = {"subject": ["exact"], "code": ["exact"]}
    search_fields = ["name", "code"]
    sort_fields = ["code", "edition"]
    natural_key = ("unit", "code", "edition")
    computed = {
        "weights": (_("weights"), lambda obj, user: services.weights_problem(obj) or "100"),
        "locked": (_("locked on"), lambda obj, user: obj.locked_on or ""),
    }
    detail_template = "assessment/scheme_detail.html"
    actions = [
        Action(
            "new_edition",
            _("Make a new edition"),
            service=_new_edition,
            input=NoteForm,
            check=services.check_new_edition,
            business_date=True,
            style="secondary",
            example={"note": "按新年度要求修订"},
        ),
    ]

    def lock_reason(self, obj):
        return services.scheme_lock_reason(obj) if obj.pk else None

    def detail_extra(self, request, obj):
        indicators = list(obj.indicators.all())
        sections: list = []
        for i in indicators:
            if not sections or sections[-1][0] != i.section:
                sections.append((i.section, []))
            sections[-1][1].append(i)
        return {
            "sections": sections,
            "weights_problem": services.weights_problem(obj),
            "locked_on": obj.locked_on,
            "editions": list(
                m.Scheme.objects.visible_to(request.user)
                .filter(unit=obj.unit, code=obj.code)
                .order_by("edition")
            ),
        }


@register
class IndicatorLedger(Ledger):
    model = m.Indicator
    slug = "indicators"
    icon = "list-check"
    list_fields = ["name", "scheme", "section", "weight", "rule", "metric"]
    form_fields = [
        "scheme",
        "section",
        "order",
        "name",
        "weight",
        "rule",
        "params",
        "metric",
        "narrowing",
        "target",
        "guidance",
    ]
    # The rule's parameters are JSON: set on the form or the API, not in an Excel file.
    import_fields = [f for f in form_fields if f != "params"]
    export_fields = import_fields
    filter_fields = {"scheme": ["exact"], "rule": ["exact"]}
    search_fields = ["name", "section", "metric"]
    sort_fields = ["order", "weight"]
    natural_key = ("scheme", "name")

    def create(self, obj, user, *, source="web", m2m=None):
        return services.add_indicator(indicator=obj, user=user, source=source)

    def lock_reason(self, obj):
        if obj.pk and obj.scheme_id:
            return services.scheme_lock_reason(obj.scheme)
        return None

    def saved_url(self, obj):
        return reverse("ledger-detail", args=["assessment", "schemes", obj.scheme_id])


# --- cycles ------------------------------------------------------------------------------------


@register
class CycleLedger(Ledger):
    model = m.Cycle
    slug = "cycles"
    icon = "calendar-check"
    list_fields = ["name", "unit", "kind", "period", "scheme", "status"]
    form_fields = [
        "unit",
        "name",
        "kind",
        "period",
        "scheme",
        "assessed_units",
        "assessed_persons",
        "note",
    ]
    export_fields = [*list_fields, "opened_on", "published_on"]
    api_fields = [*form_fields, "status", "opened_on", "published_on"]
    filter_fields = {
        "kind": ["exact"],
        "status": ["exact"],
        "period": ["exact"],
        "scheme": ["exact"],
    }
    search_fields = ["name", "period"]
    sort_fields = ["period", "name"]
    date_field = "period_start"
    natural_key = ("unit", "name")
    detail_template = "assessment/cycle_detail.html"
    actions = [
        Action(
            "open",
            _("Open the cycle"),
            service=_open,
            check=services.check_openable,
            business_date=True,
            style="success",
            example={},
        ),
        Action(
            "publish",
            _("Publish the results"),
            service=_publish,
            check=services.check_publishable,
            business_date=True,
            style="success",
            example={},
        ),
    ]

    def lock_reason(self, obj):
        if obj.pk and obj.status != m.Cycle.Status.DRAFT:
            return str(_("An open cycle changes only through its steps; its scheme is locked."))
        return None

    def detail_extra(self, request, obj):
        sheets = services.ranking(obj, request.user)
        published = obj.status == m.Cycle.Status.PUBLISHED
        return {
            "sheets": [(s, services.change(s) if published else None) for s in sheets],
            "published": published,
            "components": list(obj.components.select_related("part")),
            "weights_problem": services.weights_problem(obj.scheme) if obj.scheme_id else None,
        }


@register
class ComponentLedger(Ledger):
    model = m.Component
    slug = "components"
    icon = "diagram-3"
    list_fields = ["cycle", "part", "weight"]
    form_fields = ["cycle", "part", "weight"]
    filter_fields = {"cycle": ["exact"]}
    sort_fields = ["weight"]
    natural_key = ("cycle", "part")

    def lock_reason(self, obj):
        if obj.pk and obj.cycle_id and obj.cycle.status != m.Cycle.Status.DRAFT:
            return str(_("The comprehensive assessment is open; its components are fixed."))
        return None

    def saved_url(self, obj):
        return reverse("ledger-detail", args=["assessment", "cycles", obj.cycle_id])


# --- sheets, scores, appeals ---------------------------------------------------------------------


def _change(obj, user):
    if obj.cycle.status != m.Cycle.Status.PUBLISHED:
        return ""
    delta = services.change(obj)
    if delta is None:
        return ""
    return f"+{_n(delta)}" if delta > 0 else _n(delta)


@register
class SheetLedger(Ledger):
    model = m.Sheet
    slug = "sheets"
    icon = "card-checklist"
    list_fields = ["unit", "person", "cycle", "peer_group", "status", "total", "rank", "grade"]
    form_fields = ["cycle", "unit", "person", "peer_group"]
    export_fields = [*list_fields, "change", "self_on", "scored_on", "reviewed_on"]
    api_fields = [
        *form_fields,
        "status",
        "total",
        "rank",
        "grade",
        "self_on",
        "self_note",
        "scored_on",
        "reviewed_on",
    ]
    filter_fields = {"cycle": ["exact"], "status": ["exact"], "peer_group": ["exact"]}
    search_fields = ["unit__name", "person__name", "cycle__name"]
    sort_fields = ["total", "rank"]
    computed = {"change": (_("change against the last cycle"), _change)}
    detail_template = "assessment/sheet_detail.html"
    detail_exclude = ("published_to",)
    create = _made_by_steps(_("Score sheets are made by opening a cycle."))
    actions = [
        Action(
            "submit_self",
            _("Submit the self-assessment"),
            service=_submit_self,
            input=NoteForm,
            check=services.check_self_assessable,
            business_date=True,
            example={"note": "已按要求逐项自评，佐证材料已上传"},
        ),
        Action(
            "finish_scoring",
            _("Finish scoring"),
            service=_finish,
            check=services.check_finishable,
            business_date=True,
            style="success",
            example={},
        ),
        Action(
            "review",
            _("Review (second person)"),
            service=_review,
            right="review",
            check=services.check_reviewable,
            business_date=True,
            bulk=True,
            style="success",
            example={},
        ),
        Action(
            "set_peer_group",
            _("Set the peer group"),
            service=_regroup,
            input=PeerGroupForm,
            check=services.check_regroupable,
            business_date=True,
            style="secondary",
            example={"peer_group": "社属企业"},
        ),
        Action(
            "appeal",
            _("Appeal a score"),
            service=_appeal,
            input=AppealForm,
            check=services.check_appealable,
            business_date=True,
            style="outline-danger",
            example={
                "score": lambda sheet: sheet.scores.first().pk,
                "reason": "本季度召开的党组会会议记录已补录，未计入",
            },
        ),
    ]

    def extra_filters(self):
        import django_filters

        from gongxiao.core.periods import parse_period

        from .metrics import published_in

        def in_period(qs, name, value):
            if not value:
                return qs
            try:
                return published_in(qs, parse_period(value))
            except ValueError:
                return qs.none()

        return {
            "in_period": django_filters.CharFilter(
                method=in_period, label=_("published in the period (2023, 2023Q1)")
            )
        }

    def lock_reason(self, obj):
        return str(_("A score sheet changes only through the steps of its cycle."))

    def detail_extra(self, request, obj):
        return {
            "scores": list(obj.scores.select_related("indicator")),
            "appeals": list(obj.appeals.select_related("score__indicator")),
            "change": services.change(obj)
            if obj.cycle.status == m.Cycle.Status.PUBLISHED
            else None,
            "published": obj.cycle.status == m.Cycle.Status.PUBLISHED,
            "may_see_cycle": scoping.can(request.user, "view", obj.cycle),
        }


@register
class ScoreLedger(Ledger):
    model = m.Score
    slug = "scores"
    icon = "123"
    list_fields = [
        "sheet",
        "indicator",
        "target",
        "self_value",
        "auto_value",
        "value",
        "points",
        "overridden",
    ]
    form_fields = ["sheet", "indicator", "target"]
    export_fields = [*list_fields, "override_reason", "scored_on", "reopened"]
    api_fields = [
        *form_fields,
        "self_value",
        "self_note",
        "auto_value",
        "auto_rows",
        "auto_url",
        "value",
        "overridden",
        "override_reason",
        "points",
        "scored_on",
        "reopened",
    ]
    filter_fields = {"sheet": ["exact"], "indicator": ["exact"], "overridden": ["exact"]}
    search_fields = ["indicator__name"]
    sort_fields = ["points"]
    detail_template = "assessment/score_detail.html"
    create = _made_by_steps(_("Indicator scores are made by opening a cycle."))
    actions = [
        Action(
            "self_assess",
            _("Self-assess"),
            service=_self_assess,
            input=SelfAssessForm,
            check=services.check_self_assessable,
            business_date=True,
            example={"value": "8", "note": "全年召开党组会4次"},
        ),
        Action(
            "set_target",
            _("Set the target"),
            service=_set_target,
            input=TargetForm,
            check=services.check_scorable,
            business_date=True,
            style="secondary",
            example={"target": "5"},
        ),
        Action(
            "score",
            _("Score"),
            service=_score,
            input=ScoreForm,
            check=services.check_scorable,
            business_date=True,
            style="success",
            example={"value": "8"},
        ),
        Action(
            "refill",
            _("Read the metric again"),
            service=_refill,
            check=services.check_refillable,
            business_date=True,
            style="secondary",
            example={},
        ),
    ]

    def lock_reason(self, obj):
        return str(_("A score changes only through its steps: self-assessment, scoring, appeal."))

    def saved_url(self, obj):
        return reverse("ledger-detail", args=["assessment", "sheets", obj.sheet_id])


@register
class AppealLedger(Ledger):
    model = m.Appeal
    slug = "appeals"
    icon = "megaphone"
    list_fields = ["sheet", "score", "filed_on", "status", "decided_on"]
    form_fields = ["sheet", "score", "reason", "filed_on"]
    api_fields = [*form_fields, "status", "decision", "decided_on"]
    filter_fields = {"status": ["exact"], "filed_on": ["gte", "lte"]}
    search_fields = ["reason", "decision"]
    sort_fields = ["filed_on"]
    date_field = "filed_on"
    create = _made_by_steps(_("An appeal is filed from its score sheet."))
    actions = [
        Action(
            "decide",
            _("Decide the appeal"),
            service=_decide,
            input=DecideForm,
            check=services.check_decidable,
            business_date=True,
            example={"upheld": True, "decision": "经核实，补录会议记录属实，重新评分"},
        ),
    ]

    def lock_reason(self, obj):
        return str(_("An appeal is decided through its step."))
