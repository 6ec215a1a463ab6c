"""整改台账 declared through the kit: campaigns and rectification items."""

import django_filters
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core.actions import Action
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.metrics import display, rate
from gongxiao.core.navigation import NavLink, register_link

from . import forms, services
from .models import Campaign, Measure, RectificationItem, Status, Transition


@register
class CampaignLedger(Ledger):
    model = Campaign
    slug = "campaigns"
    natural_key = ("unit", "name")  # names a row on import
    icon = "flag"
    list_fields = ["name", "unit", "start_date", "end_date", "progress"]
    form_fields = ["unit", "name", "start_date", "end_date", "plan", "units"]
    export_fields = ["name", "unit", "start_date", "end_date", "plan", "progress"]
    import_fields = ["unit", "name", "start_date", "end_date", "plan"]
    api_fields = ["unit", "name", "start_date", "end_date", "plan", "units"]
    search_fields = ["name", "plan"]
    sort_fields = ["start_date", "name"]
    filter_fields = {"start_date": ["gte", "lte"]}
    detail_template = "rectification/campaign_detail.html"

    computed = {"progress": (_("progress"), lambda c, user: CampaignLedger.progress_text(c, user))}

    @staticmethod
    def progress_counts(campaign, user):
        # Only the items the user may see: a county counts its own part of a city campaign.
        return (
            RectificationItem.objects.visible_to(user)
            .filter(campaign=campaign)
            .aggregate(
                found=Count("pk"),
                closed=Count("pk", filter=Q(status=Status.CLOSED)),
                overdue=Count(
                    "pk", filter=~Q(status=Status.CLOSED) & Q(deadline__lt=timezone.localdate())
                ),
            )
        )

    @classmethod
    def progress_text(cls, campaign, user) -> str:
        c = cls.progress_counts(campaign, user)
        r = rate(c["closed"], c["found"])
        return _("%(closed)s of %(found)s closed (%(rate)s), %(overdue)s overdue") % {
            **c,
            "rate": display(r, "%"),
        }

    def detail_extra(self, request, obj):
        counts = self.progress_counts(obj, request.user)
        items = RectificationItem.objects.visible_to(request.user).filter(campaign=obj)
        return {
            "counts": counts,
            "rate": rate(counts["closed"], counts["found"]),
            "campaign_units": obj.units.visible_to(request.user),
            "items_in_view": items.count(),
        }


def _step(name):
    def run(item, user, *, on, reason=""):
        return services.transition(item=item, step=name, user=user, reason=reason, on=on)

    def check(item, user):
        services.check_step(item, user, name)

    return run, check


def _step_action(name, *, style="primary", reason=False, bulk=False, example=None, input=None):
    run, check = _step(name)
    return Action(
        name,
        services.STEP_LABELS[name],
        service=run,
        right=services.TRANSITIONS[name].right,
        input=input or (forms.ReasonForm if reason else None),
        check=check,
        business_date=True,
        bulk=bulk,
        style=style,
        example=example if example is not None else {},
    )


def _add_progress(item, user, *, on, text, files=(), is_checkin=False):
    return services.add_progress(
        item=item, user=user, text=text, date=on, files=files, is_checkin=is_checkin
    )


def _add_measure(item, user, *, description, owner=None, deadline=None):
    return services.add_measure(
        item=item, user=user, description=description, owner=owner, deadline=deadline
    )


def _set_measure_state(item, user, *, measure, state):
    # The item's version guards the action (the runner checks it under the item's lock).
    return services.set_measure_state(
        measure=measure, state=state, user=user, expected_version=measure.version
    )


ITEM_ACTIONS = [
    _step_action("start", bulk=True),
    _step_action("request_close_out"),
    _step_action(
        "withdraw_close_out",
        style="outline-secondary",
        input=forms.NoteForm,
        example={"reason": "补充整改佐证后再申请"},
    ),
    _step_action(
        "close_out",
        style="success",
        bulk=True,
        input=forms.OpinionForm,
        example={"reason": "整改到位，同意销号"},
    ),
    _step_action(
        "reject_close_out", style="outline-danger", reason=True, example={"reason": "证据不足"}
    ),
    _step_action(
        "reopen", style="outline-danger", reason=True, example={"reason": "回头看发现反弹"}
    ),
    Action(
        "add_progress",
        _("Record progress"),
        service=_add_progress,
        input=forms.ProgressForm,
        check=services.check_open,
        business_date=True,
        in_block=False,
        example={"text": "已清理通道内杂物"},
    ),
    Action(
        "add_measure",
        _("Add a measure"),
        service=_add_measure,
        input=forms.MeasureForm,
        check=services.check_open,
        in_block=False,
        example={"description": "清理消防通道杂物"},
    ),
    Action(
        "set_measure_state",
        _("Change a measure's status"),
        service=_set_measure_state,
        input=forms.MeasureStateForm,
        check=services.check_open,
        in_block=False,
        example={"measure": lambda item: item.measures.first().pk, "state": "done"},
    ),
]


def _filter_overdue(queryset, name, value):
    if value is None:
        return queryset
    return queryset.overdue() if value else queryset.not_overdue()


def _filter_closed_in(qs, name, value):
    from gongxiao.core.periods import parse_period

    if not value:
        return qs
    try:
        period = parse_period(value)
    except ValueError:
        return qs.none()
    return qs.closed_between(period.start, period.end)


def _filter_open(queryset, name, value):
    if value is None:
        return queryset
    return (
        queryset.exclude(status=Status.CLOSED) if value else queryset.filter(status=Status.CLOSED)
    )


@register
class ItemLedger(Ledger):
    model = RectificationItem
    slug = "items"
    natural_key = ("unit", "title", "found_date")  # names a row on import
    icon = "list-check"
    list_fields = [
        "title",
        "unit",
        "source",
        "category",
        "responsible_person",
        "deadline",
        "status",
        "overdue",
    ]
    form_fields = [
        "unit",
        "campaign",
        "title",
        "description",
        "source",
        "category",
        "responsible_leader",
        "responsible_person",
        "lead_department",
        "found_date",
        "kind",
        "deadline",
        "checkin_every_days",
    ]
    export_fields = [
        "title",
        "description",
        "unit",
        "campaign",
        "source",
        "category",
        "responsible_leader",
        "responsible_person",
        "lead_department",
        "found_date",
        "kind",
        "deadline",
        "status",
        "overdue",
        "closed_on",
        "closed_at",
    ]
    api_fields = [*form_fields, "status", "closed_on", "closed_at"]
    filter_fields = {
        "status": ["exact"],
        "source": ["exact"],
        "category": ["exact"],
        "kind": ["exact"],
        "campaign": ["exact"],
        "found_date": ["gte", "lte"],
        "closed_on": ["gte", "lte"],
        "closed_at": ["date__gte", "date__lte"],
    }
    search_fields = ["title", "description", "lead_department"]
    sort_fields = ["found_date", "deadline", "unit", "status"]
    date_field = "found_date"
    detail_template = "rectification/item_detail.html"
    detail_exclude = ("source_type", "source_id")
    actions = ITEM_ACTIONS
    computed = {
        "overdue": (
            _("overdue"),
            lambda i, user: (
                (_("%(n)s days overdue") % {"n": i.overdue_days()}) if i.is_overdue() else ""
            ),
        ),
    }

    @property
    def importers(self):
        from .lists import RectificationListImporter

        return {RectificationListImporter.name: RectificationListImporter}

    def lock_reason(self, obj):
        if obj.status == Status.CLOSED:
            return str(
                _(
                    "A closed-out item can no longer be edited; a follow-up review (回头看) "
                    "reopens it."
                )
            )
        return None

    def extra_filters(self):
        return {
            "overdue": django_filters.BooleanFilter(method=_filter_overdue, label=_("overdue")),
            "open": django_filters.BooleanFilter(method=_filter_open, label=_("not closed out")),
            # The ledger as it stood on a day: what a report for a past period counts.
            "open_on": django_filters.DateFilter(
                method=lambda qs, name, value: qs.open_on(value) if value else qs,
                label=_("not closed out on"),
            ),
            "overdue_on": django_filters.DateFilter(
                method=lambda qs, name, value: qs.overdue_on(value) if value else qs,
                label=_("overdue on"),
            ),
            # Closed out in a period by business date, also when reopened since.
            "closed_in": django_filters.CharFilter(
                method=_filter_closed_in, label=_("closed out in (period)")
            ),
        }

    def rows_as_of(self, rows, on):
        from .models import as_of_annotations

        return rows.annotate(**as_of_annotations(on))

    def values_as_of(self, obj, on):
        from .models import status_from_annotations

        status = status_from_annotations(obj, on)
        closed = status == Status.CLOSED
        overdue = bool(status) and not closed and obj.deadline is not None and obj.deadline < on
        then = {
            "status": str(Status(status).label) if status else "",
            "overdue": _("%(n)s days overdue") % {"n": (on - obj.deadline).days} if overdue else "",
            "closed_on": (obj._closed_on_as_of or obj.closed_on) if closed else None,
        }
        if not (closed and obj.closed_on and obj.closed_on <= on):
            then["closed_at"] = None  # recorded for a close-out that came later
        return then

    def detail_extra(self, request, obj):
        return item_context(request, obj)


register_link(NavLink("rectification", _("Rectification dashboard"), "rectification:dashboard"))


def item_context(request, item) -> dict:
    return {
        "item": item,
        "timeline": Transition.objects.filter(item=item).select_related("user__person"),
        "today": timezone.localdate(),
        "measures": item.measures.select_related("owner"),
        "progress": item.progress.prefetch_related("evidence"),
        "measure_states": Measure.State.choices,
        "source_record": item.source_record if item.source_type_id else None,
        "next_checkin": item.next_checkin_due(),
        "has_evidence": services.has_evidence(item),
    }
