"""监督执纪 declared through the kit."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping
from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.navigation import NavLink, register_link
from gongxiao.org.models import Unit

from . import models as m
from . import services


@register
class TalkLedger(Ledger):
    model = m.Talk
    slug = "talks"
    natural_key = ("unit", "date", "kind", "talker")  # names a row on import
    icon = "chat-dots"
    list_fields = ["date", "unit", "kind", "talker", "talked_to"]
    form_fields = [
        "unit",
        "date",
        "kind",
        "talker",
        "talked_to",
        "political",
        "organisational",
        "integrity",
        "mass",
        "work",
        "life",
        "record",
        "follow_up",
    ]
    filter_fields = {"kind": ["exact"], "date": ["gte", "lte"]}
    search_fields = ["record", "follow_up"]
    sort_fields = ["date", "unit", "kind"]
    date_field = "date"


@register
class InspectionLedger(Ledger):
    model = m.Inspection
    slug = "inspections"
    natural_key = ("unit", "title", "start_date")  # names a row on import
    icon = "search"
    list_fields = ["title", "unit", "method", "start_date", "end_date", "inspected_units"]
    form_fields = [
        "unit",
        "title",
        "method",
        "start_date",
        "end_date",
        "inspected_units",
        "inspectors",
        "plan",
    ]
    filter_fields = {"method": ["exact"], "start_date": ["gte", "lte"]}
    search_fields = ["title", "plan"]
    sort_fields = ["start_date", "unit"]
    date_field = "start_date"


@register
class FindingLedger(Ledger):
    model = m.Finding
    slug = "findings"
    natural_key = ("inspection", "inspected_unit", "description")  # names a row on import
    icon = "exclamation-triangle"
    list_fields = ["description", "inspection", "inspected_unit", "category", "deadline", "item"]
    form_fields = ["inspection", "inspected_unit", "description", "category", "deadline"]
    export_fields = [*form_fields, "item", "item_closed_on"]
    api_fields = [*form_fields, "item", "item_closed_on"]
    filter_fields = {
        "inspection": ["exact"],
        "category": ["exact"],
        "inspection__start_date": ["gte", "lte"],
        "item": ["isnull"],
    }
    search_fields = ["description"]
    sort_fields = ["deadline"]

    def create(self, obj, user, *, source="web", m2m=None):
        # Each finding becomes a rectification item whose source is the finding.
        return services.add_finding(finding=obj, user=user, source=source)


@register
class NoticeLedger(Ledger):
    model = m.Notice
    slug = "notices"
    icon = "megaphone"
    list_fields = ["number", "title", "unit", "date", "inspection", "recipients"]
    form_fields = ["unit", "title", "date", "inspection", "content", "recipients"]
    export_fields = [
        "year",
        "number",
        "title",
        "unit",
        "date",
        "inspection",
        "recipients",
        "content",
    ]
    api_fields = [*form_fields, "year", "number"]
    filter_fields = {"year": ["exact"], "date": ["gte", "lte"]}
    search_fields = ["title", "content"]
    sort_fields = ["date", "number"]
    date_field = "date"

    def create(self, obj, user, *, source="web", m2m=None):
        # One at a time (also from an import), so each notice takes the next number.
        return super().create(obj, user, source=source, m2m=m2m)


@register
class LetterLedger(Ledger):
    model = m.ResponsibilityLetter
    slug = "letters"
    icon = "pen"
    list_fields = ["year", "kind", "unit", "signer_unit", "signer_person", "signed_date"]
    form_fields = ["unit", "kind", "year", "signer_unit", "signer_person", "signed_date", "file"]
    import_fields = ["unit", "kind", "year", "signer_unit", "signer_person", "signed_date"]
    filter_fields = {"kind": ["exact"], "year": ["exact"]}
    sort_fields = ["year", "signed_date"]
    date_field = "signed_date"


@register
class ResponsibilityListLedger(Ledger):
    model = m.ResponsibilityList
    slug = "responsibility-lists"
    natural_key = ("unit", "person", "year", "kind")  # names a row on import
    icon = "card-checklist"
    list_fields = ["person", "year", "kind", "unit"]
    form_fields = ["unit", "person", "year", "kind", "duties"]
    filter_fields = {"kind": ["exact"], "year": ["exact"]}
    search_fields = ["duties"]
    sort_fields = ["year"]


@register
class DutyRecordLedger(Ledger):
    model = m.DutyRecord
    slug = "duty-records"
    icon = "journal-text"
    list_fields = ["date", "responsibility_list", "text"]
    form_fields = ["responsibility_list", "date", "text"]
    filter_fields = {"date": ["gte", "lte"]}
    search_fields = ["text"]
    sort_fields = ["date"]
    date_field = "date"


@register
class AuditLedger(Ledger):
    model = m.Audit
    slug = "audits"
    natural_key = ("unit", "title", "period_start")  # names a row on import
    icon = "clipboard-data"
    list_fields = [
        "title",
        "unit",
        "kind",
        "auditor",
        "report_number",
        "report_date",
        "audited_units",
    ]
    form_fields = [
        "unit",
        "title",
        "kind",
        "auditor",
        "firm_name",
        "period_start",
        "period_end",
        "scope",
        "audited_units",
        "report_number",
        "report_date",
        "report_file",
    ]
    import_fields = [
        "unit",
        "title",
        "kind",
        "auditor",
        "firm_name",
        "period_start",
        "period_end",
        "scope",
        "audited_units",
        "report_number",
        "report_date",
    ]
    filter_fields = {"kind": ["exact"], "auditor": ["exact"], "report_date": ["gte", "lte"]}
    search_fields = ["title", "scope", "firm_name", "report_number"]
    sort_fields = ["report_date"]
    date_field = "report_date"


class DeadlineForm(ActionForm):
    deadline = forms.DateField(
        label=_("deadline"),
        required=False,
        help_text=_("Sixty days after the decision unless given."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RaiseOpinionForm(DeadlineForm):
    unit = forms.ModelChoiceField(label=_("responsible unit"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.units_for(self.user, "rectification", "add")
        if self.obj is not None:
            self.fields["unit"].initial = self.obj.life_meeting.unit_id


def _decide(adopted):
    def run(rec, user, *, on, deadline=None):
        return services.decide_recommendation(
            recommendation=rec, adopted=adopted, user=user, deadline=deadline, on=on
        )

    return run


def _raise_opinion(op, user, *, on, unit, deadline=None):
    return services.raise_opinion(opinion=op, user=user, unit=unit, deadline=deadline, on=on)


@register
class RecommendationLedger(Ledger):
    model = m.Recommendation
    slug = "recommendations"
    icon = "lightbulb"
    list_fields = ["text", "audit", "responsible_unit", "adopted", "item"]
    form_fields = ["audit", "text", "responsible_unit"]
    export_fields = [*form_fields, "adopted", "decided_at", "item", "item_closed_on"]
    api_fields = export_fields
    actions = [
        Action(
            "adopt",
            _("Adopted: raise a rectification item"),
            service=_decide(True),
            input=DeadlineForm,
            check=services.check_undecided,
            business_date=True,
            style="success",
            example={},
        ),
        Action(
            "not_adopt",
            _("Not adopted"),
            service=_decide(False),
            check=services.check_undecided,
            business_date=True,
            style="outline-secondary",
            example={},
        ),
    ]
    filter_fields = {"audit": ["exact"], "adopted": ["exact", "isnull"]}
    search_fields = ["text"]
    detail_template = "supervision/recommendation_detail.html"


@register
class SupervisoryMatterLedger(Ledger):
    model = m.SupervisoryMatter
    slug = "supervisory-matters"
    icon = "eye"
    list_fields = ["date", "title", "unit", "kind", "opinion_date"]
    form_fields = [
        "unit",
        "date",
        "kind",
        "title",
        "description",
        "meeting",
        "opinion",
        "opinion_date",
    ]
    filter_fields = {"kind": ["exact"], "date": ["gte", "lte"], "opinion_date": ["isnull"]}
    search_fields = ["title", "description", "opinion"]
    sort_fields = ["date"]
    date_field = "date"


@register
class PersonalReportLedger(Ledger):
    model = m.PersonalMattersReport
    slug = "personal-reports"
    natural_key = ("unit", "person", "year")  # names a row on import
    icon = "person-vcard"
    list_fields = ["year", "person", "unit", "filed_date", "randomly_checked", "check_result"]
    form_fields = [
        "unit",
        "person",
        "year",
        "filed_date",
        "randomly_checked",
        "check_result",
        "follow_up",
    ]
    filter_fields = {"year": ["exact"], "randomly_checked": ["exact"], "check_result": ["exact"]}
    sort_fields = ["year", "filed_date"]


@register
class LifeMeetingLedger(Ledger):
    model = m.LifeMeeting
    slug = "life-meetings"
    icon = "people"
    list_fields = ["date", "unit", "kind", "theme"]
    form_fields = ["unit", "kind", "date", "theme", "criticism"]
    filter_fields = {"kind": ["exact"], "date": ["gte", "lte"]}
    search_fields = ["theme", "criticism"]
    sort_fields = ["date"]
    date_field = "date"


@register
class OpinionLedger(Ledger):
    model = m.Opinion
    slug = "opinions"
    icon = "chat-square-quote"
    list_fields = ["text", "life_meeting", "item"]
    form_fields = ["life_meeting", "text"]
    export_fields = ["life_meeting", "text", "raised_on", "item", "item_closed_on"]
    api_fields = export_fields
    actions = [
        Action(
            "raise_item",
            _("Raise as a rectification item"),
            service=_raise_opinion,
            input=RaiseOpinionForm,
            check=services.check_not_raised,
            business_date=True,
            example={"unit": lambda op: op.life_meeting.unit_id},
        ),
    ]
    filter_fields = {
        "life_meeting": ["exact"],
        "item": ["isnull"],
        "life_meeting__date": ["gte", "lte"],
    }
    search_fields = ["text"]
    detail_template = "supervision/opinion_detail.html"


@register
class DisciplinaryActionLedger(Ledger):
    model = m.DisciplinaryAction
    slug = "four-forms"
    icon = "shield-exclamation"
    list_fields = ["date", "person", "unit", "form"]
    form_fields = ["unit", "person", "form", "date", "description", "decision"]
    filter_fields = {"form": ["exact"], "date": ["gte", "lte"]}
    search_fields = ["description", "decision"]
    sort_fields = ["date", "form"]
    date_field = "date"


@register
class EducationLedger(Ledger):
    model = m.Education
    slug = "education"
    icon = "mortarboard"
    list_fields = ["date", "title", "unit", "kind", "other_participants"]
    form_fields = ["unit", "date", "kind", "title", "participants", "other_participants"]
    filter_fields = {"kind": ["exact"], "date": ["gte", "lte"]}
    search_fields = ["title"]
    sort_fields = ["date"]
    date_field = "date"


register_link(NavLink("supervision", _("Letter coverage"), "supervision:coverage", icon="grid-3x3"))
register_link(
    NavLink("supervision", _("Quarterly talk summary"), "supervision:talk-summary", icon="table")
)
