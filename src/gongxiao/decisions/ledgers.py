"""三重一大 declared through the kit: meetings and the matters decided at them."""

from django.utils.translation import gettext_lazy as _

from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.navigation import NavLink, register_link

from .models import Matter, Meeting

SEALED = _("This meeting is sealed and can no longer be changed; append an amendment instead.")
VOTED = _("Positions have been stated on this matter; it can no longer be edited.")


@register
class MeetingLedger(Ledger):
    model = Meeting
    slug = "meetings"
    natural_key = ("unit", "body", "date")  # names a row on import
    icon = "people-fill"
    list_fields = ["date", "unit", "body", "sequence", "chair", "place", "sealed_at"]
    form_fields = ["unit", "body", "date", "place", "chair", "minutes"]
    export_fields = [
        "unit",
        "body",
        "year",
        "sequence",
        "date",
        "place",
        "chair",
        "minutes",
        "sealed_at",
    ]
    api_fields = [*form_fields, "year", "sequence", "sealed_at"]
    filter_fields = {
        "body": ["exact"],
        "year": ["exact"],
        "date": ["gte", "lte"],
        "sealed_at": ["isnull"],
    }
    search_fields = ["place", "minutes"]
    sort_fields = ["date", "unit", "body"]
    date_field = "date"
    detail_template = "decisions/meeting_detail.html"

    def lock_reason(self, obj):
        return str(SEALED) if obj.sealed_at else None

    def create(self, obj, user, *, source="web", m2m=None):
        # One at a time (also from an import), so each meeting takes the next number.
        return super().create(obj, user, source=source, m2m=m2m)

    def detail_extra(self, request, obj):
        from .views import meeting_context

        return meeting_context(request, obj)


@register
class MatterLedger(Ledger):
    model = Matter
    slug = "matters"
    natural_key = ("meeting", "title")  # names a row on import
    icon = "journal-check"
    list_fields = ["title", "meeting", "category", "amount", "proposer", "outcome"]
    form_fields = [
        "meeting",
        "order",
        "category",
        "title",
        "amount",
        "proposer",
        "materials",
        "feasibility_study",
        "legal_review",
        "opinions_solicited",
        "risk_assessment",
        "party_prior_study",
        "decision_text",
    ]
    export_fields = [
        "meeting",
        "order",
        "category",
        "title",
        "amount",
        "proposer",
        "party_prior_study",
        "feasibility_study",
        "legal_review",
        "opinions_solicited",
        "risk_assessment",
        "outcome",
        "decision_text",
    ]
    api_fields = [*form_fields, "outcome"]
    filter_fields = {
        "category": ["exact"],
        "outcome": ["exact"],
        "meeting__body": ["exact"],
        "meeting__date": ["gte", "lte"],
        "meeting": ["exact"],
    }
    search_fields = ["title", "materials", "decision_text"]
    sort_fields = ["meeting__date", "amount", "category"]

    def lock_reason(self, obj):
        if obj.meeting_id and obj.meeting.sealed_at:
            return str(SEALED)
        if obj.pk and (obj.statements.exists() or obj.outcome != "pending"):
            # Its category decides the rule, its meeting the members: fixed once voting began.
            return str(VOTED)
        return None


register_link(
    NavLink("decisions", _("Filing lists"), "decisions:filing", icon="file-earmark-arrow-up")
)
