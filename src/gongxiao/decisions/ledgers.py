"""三重一大 declared through the kit: meetings and the matters decided at them, and the steps
of the procedure as actions (attendance, statements, deferral, the decision, sealing,
amendments, follow-ups): one door each, in the page and the API alike."""

from typing import cast

from django import forms
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping
from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.navigation import NavLink, register_link
from gongxiao.org.models import Person

from . import anchors, services
from .models import Attendance, Matter, Meeting, Statement
from .services import attendances

SEALED = _("This meeting is sealed and can no longer be changed; append an amendment instead.")
VOTED = _("Positions have been stated on this matter; it can no longer be edited.")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.post}" if obj.post else obj.name


class AttendanceForm(ActionForm):
    person = PersonChoice(label=_("person"), queryset=Person.objects.none())
    role = forms.ChoiceField(
        label=_("role"), choices=Attendance.Role.choices, initial=Attendance.Role.MEMBER
    )
    present = forms.BooleanField(label=_("present"), required=False, initial=True)
    absence_reason = forms.CharField(label=_("reason for absence"), required=False)
    is_principal = forms.BooleanField(label=_("principal leader"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People in the user's reach within the meeting's unit: never a name from elsewhere.
        person = cast(forms.ModelChoiceField, self.fields["person"])
        person.queryset = (
            scoping.scope_related(Person.objects.all(), self.user)
            .filter(unit__path__startswith=self.obj.unit.path)
            .order_by("name")
        )


class TextForm(ActionForm):
    text = forms.CharField(label=_("correction"), widget=forms.Textarea(attrs={"rows": 2}))


def _attendance(meeting, user, *, person, role, present, absence_reason, is_principal):
    return services.set_attendance(
        meeting=meeting,
        person=person,
        user=user,
        role=role,
        present=present,
        absence_reason=absence_reason,
        is_principal=is_principal,
    )


def _seal(meeting, user, *, on):
    services.seal_meeting(meeting=meeting, user=user, on=on)


def _amend(meeting, user, *, text):
    services.amend(meeting=meeting, user=user, text=text)


@register
class MeetingLedger(Ledger):
    model = Meeting
    children: list = []  # the meeting's page lists its matters
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
    actions = [
        Action(
            "attendance",
            _("Record a member or attendee"),
            service=_attendance,
            input=AttendanceForm,
            check=services.check_attendance_open,
            in_block=False,  # the meeting page places it under the list of members
            example={
                "person": lambda m: Person.objects.filter(unit=m.unit).values_list("pk", flat=True)[
                    0
                ],
                "role": "member",
                "present": True,
            },
        ),
        Action(
            "seal",
            _("Confirm the minutes and seal"),
            service=_seal,
            check=services.check_sealable,
            business_date=True,
            in_block=False,  # with its explanation, below the matters
            confirm=_(
                "Seal these minutes? Once sealed they cannot be changed; corrections can only "
                "be appended as amendments."
            ),
            example={},
        ),
        Action(
            "amend",
            _("Append an amendment"),
            service=_amend,
            input=TextForm,
            check=services.check_sealed,
            appends=True,
            in_block=False,
            style="outline-secondary",
            example={"text": "第二项决定事项中“三十日”更正为“三十个工作日”。"},
        ),
    ]

    def lock_reason(self, obj):
        return str(SEALED) if obj.sealed_at else None

    def create(self, obj, user, *, source="web", m2m=None):
        # One at a time (also from an import), so each meeting takes the next number.
        return super().create(obj, user, source=source, m2m=m2m)

    def detail_extra(self, request, obj):
        return meeting_context(request, obj)


PRINCIPAL = _("principal leader")


class StatementForm(ActionForm):
    person = forms.ModelChoiceField(label=_("member"), queryset=Person.objects.none())
    position = forms.ChoiceField(label=_("position"), choices=Statement.Position.choices)
    remarks = forms.CharField(label=_("remarks"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The present voting members who have not stated yet, the principal leader last.
        matter = self.obj
        waiting = services.waiting(matter)
        person = cast(forms.ModelChoiceField, self.fields["person"])
        person.queryset = Person.objects.filter(pk__in=[a.person_id for a in waiting])
        person.choices = [("", "---------")] + [
            (a.person_id, f"{a.person}（{PRINCIPAL}）" if a.is_principal else str(a.person))
            for a in waiting
        ]


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("reason for deferring"))


class DecisionForm(ActionForm):
    text = forms.CharField(
        label=_("decision"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].initial = self.obj.decision_text


class FollowUpForm(ActionForm):
    text = forms.CharField(label=_("Execution follow-up"))
    completed = forms.BooleanField(label=_("carried out in full"), required=False)


def _state(matter, user, *, person, position, remarks):
    services.record_statement(
        matter=matter, person=person, position=position, remarks=remarks, user=user
    )


def _defer(matter, user, *, reason):
    return services.defer_matter(matter=matter, user=user, reason=reason)


def _decide(matter, user, *, text):
    return services.set_decision_text(matter=matter, user=user, text=text)


def _follow_up(matter, user, *, on, text, completed):
    services.add_follow_up(matter=matter, user=user, text=text, date=on, completed=completed)


def _waiting_member(matter):
    """The example's member: the first present voting member still to state."""
    return services.waiting(matter)[0].person_id


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
    # The outcome and the decision text come from the procedure's actions alone: read here,
    # refused as input (400 naming the field), absent from the form and the import.
    api_fields = [*form_fields, "outcome", "decided_on", "decision_text"]
    actions = [
        Action(
            "state",
            _("Record a position"),
            service=_state,
            input=StatementForm,
            check=services.check_statable,
            example={"person": _waiting_member, "position": "agree"},
        ),
        Action(
            "defer",
            _("Defer"),
            service=_defer,
            input=ReasonForm,
            check=services.check_deferrable,
            style="outline-secondary",
            example={"reason": "材料不全，待补充可行性论证后再议"},
        ),
        Action(
            "decide",
            _("Record the decision"),
            service=_decide,
            input=DecisionForm,
            check=services.check_decided,
            example={"text": "同意实施，由分管领导牵头落实。"},
        ),
        Action(
            "follow_up",
            _("Add an execution follow-up"),
            service=_follow_up,
            input=FollowUpForm,
            check=services.check_passed,
            business_date=True,
            appends=True,
            example={"text": "已签订合同，首期款项已拨付。", "completed": False},
        ),
    ]
    filter_fields = {
        "category": ["exact"],
        "outcome": ["exact"],
        "meeting__body": ["exact"],
        "meeting__date": ["gte", "lte"],
        "meeting": ["exact"],
    }
    search_fields = ["title", "materials", "decision_text"]
    sort_fields = ["meeting__date", "amount", "category"]

    def saved_url(self, obj):
        # A matter is taken through its meeting's page: its steps and edits return there.
        url = reverse("ledger-detail", args=["decisions", "meetings", obj.meeting_id])
        return f"{url}#matter-{obj.pk}"

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


def meeting_context(request, meeting) -> dict:
    """The meeting page: members, each matter with its count and the procedure's forms the
    rules allow now (the same dry runs that refuse the step), seals and amendments. A bounded
    number of queries whatever the number of matters and members."""
    user = request.user
    prefetch_related_objects(
        [meeting], Prefetch("attendances", queryset=Attendance.objects.select_related("person"))
    )
    meeting.rules = services.all_rules()
    matter_ledger = MatterLedger
    matters = list(
        meeting.matters.select_related("proposer").prefetch_related(
            Prefetch("statements", queryset=Statement.objects.select_related("person")),
            "follow_ups",
        )
    )
    rights = {
        right: Matter.objects.permitted(user, right).filter(meeting=meeting).exists()
        for right in {a.right for a in matter_ledger.actions}
    }
    rows = []
    for m in matters:
        m.meeting = meeting  # its prefetched attendances and rules
        forms_ = {}
        for a in matter_ledger.actions:
            if rights[a.right] and a.refusal_by_rules(m, user) is None:
                forms_[a.name] = a.form(m, user)
        rows.append({"matter": m, "tally": services.tally(m), "forms": forms_})
    seal = next(a for a in MeetingLedger.actions if a.name == "seal")
    may_seal = Meeting.objects.permitted(user, seal.right).filter(pk=meeting.pk).exists()
    return {
        "meeting": meeting,
        "attendances": attendances(meeting),
        "matters": rows,
        # Why the minutes cannot be sealed yet, for those who could seal them.
        "seal_refused": seal.refusal_by_rules(meeting, user)
        if may_seal and not meeting.sealed_at
        else None,
        "seal_confirm": seal.confirm,
        "seals": meeting.seals.order_by("position"),
        # The unit's chain head (count and last digest), printed on the sealed minutes.
        "chain_head": next(iter(anchors.heads([meeting.unit_id])), None)
        if meeting.sealed_at
        else None,
        "amendments": meeting.amendments.all(),
        # "Add a matter" with this meeting chosen: while its minutes are open, for those who
        # may add in its unit.
        "can_add_matter": meeting.sealed_at is None
        and scoping.may_at(user, Matter.module, "add", meeting.unit),
    }
