"""党建 declared through the kit: organisations (with elections due and overdue as of a day),
elections, members (admitted or transferred in, transferred, made full members: actions) and
activities with their attendance (an action)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping
from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.org.models import Person

from . import models as m
from . import services


def _due_on(qs, name, value):
    return services.elections_due(qs, value) if value else qs


def _overdue_on(qs, name, value):
    return services.elections_overdue(qs, value) if value else qs


def _members_on(qs, name, value):
    if not value:
        return qs
    return qs.filter(placements__in=m.Placement.objects.on(value)).distinct()


def _term(org):
    """The term in force today: from the list's annotation, else asked."""
    if hasattr(org, "term_ends_on"):
        return org.term_elected_on, org.term_ends_on, org.term_secretary
    term = org.term_in_force(timezone.localdate())
    return (term.date, term.term_end, term.secretary.name) if term else (None, None, "")


def _current_term(org, user):
    start, end, _name = _term(org)
    if start is None:
        return _("no election on record")
    return f"{start} – {end}"


def _secretary(org, user):
    return _term(org)[2] or ""


@register
class OrganisationLedger(Ledger):
    model = m.PartyOrganisation
    slug = "organisations"
    icon = "flag"
    list_fields = ["name", "unit", "kind", "parent", "founded_on", "secretary", "term"]
    form_fields = ["unit", "name", "kind", "parent", "founded_on", "dissolved_on"]
    filter_fields = {"kind": ["exact"], "parent": ["exact"], "dissolved_on": ["isnull"]}
    search_fields = ["name"]
    sort_fields = ["name", "founded_on"]
    computed = {
        "secretary": (_("secretary"), _secretary),
        "term": (_("current term"), _current_term),
    }

    def queryset_for(self, user, action="view", fields=None):
        return super().queryset_for(user, action, fields).with_term_on(timezone.localdate())

    def extra_filters(self):
        return {
            # 按期换届: due within the notice months (a setting) as of the day given.
            "election_due_on": django_filters.DateFilter(
                method=_due_on, label=_("election due as of")
            ),
            "election_overdue_on": django_filters.DateFilter(
                method=_overdue_on, label=_("election overdue as of")
            ),
        }


@register
class ElectionLedger(Ledger):
    model = m.Election
    slug = "elections"
    icon = "check2-square"
    list_fields = ["organisation", "date", "secretary", "committee_members", "term_end"]
    form_fields = [
        "organisation",
        "date",
        "secretary",
        "deputy_secretary",
        "committee_members",
        "term_end",
        "notes",
    ]
    filter_fields = {"organisation": ["exact"], "date": ["gte", "lte"], "term_end": ["gte", "lte"]}
    search_fields = ["notes"]
    sort_fields = ["date", "term_end"]
    date_field = "date"


def _choices(form, name) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def _other_organisation(member):
    """For the generated action tests: another organisation of the member's unit."""
    org = member.organisation
    return (
        m.PartyOrganisation.objects.filter(unit=org.unit_id)
        .exclude(pk=org.pk)
        .values_list("pk", flat=True)[0]
    )


class TransferForm(ActionForm):
    organisation = forms.ModelChoiceField(
        label=_("to party organisation"), queryset=m.PartyOrganisation.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = scoping.units_for(self.user, "party", "add")
        qs = m.PartyOrganisation.objects.filter(unit__in=units, dissolved_on__isnull=True)
        if self.obj is not None:
            qs = qs.exclude(pk=self.obj.organisation_id)
        _choices(self, "organisation").queryset = qs


class TransferOutForm(ActionForm):
    destination = forms.CharField(label=_("transferred out to"), max_length=100)


def _transfer(member, user, *, on, organisation):
    return services.transfer(member=member, organisation=organisation, user=user, on=on)


def _transfer_out(member, user, *, on, destination):
    return services.transfer_out(member=member, destination=destination, user=user, on=on)


def _make_full(member, user, *, on):
    return services.make_full(member=member, user=user, on=on)


def _status(member, user):
    from django.utils import timezone

    if member.left_on:
        return _("transferred out")
    status = member.status_on(timezone.localdate())
    return _("full member") if status == "full" else _("probationary member")


def _history(member, user):
    return "；".join(
        f"{p.organisation} {p.start}–{p.end or ''}"
        for p in member.placements.select_related("organisation").order_by("start", "id")
    )


@register
class MemberLedger(Ledger):
    model = m.PartyMember
    slug = "members"
    icon = "person-badge"
    list_fields = ["person", "organisation", "joined_on", "full_on", "since", "status"]
    form_fields = ["organisation", "person", "joined_on", "since", "origin"]
    export_fields = [*form_fields, "full_on", "left_on", "destination"]
    api_fields = export_fields
    filter_fields = {
        "organisation": ["exact"],
        "joined_on": ["gte", "lte"],
        "full_on": ["isnull"],
        "left_on": ["isnull"],
    }
    search_fields = ["person__name", "origin", "destination"]
    sort_fields = ["joined_on", "since"]
    computed = {
        "status": (_("membership status"), _status),
        "history": (_("organisations over time"), _history),
    }
    actions = [
        Action(
            "transfer",
            _("Transfer to another organisation"),
            service=_transfer,
            input=TransferForm,
            check=services.check_in_party,
            business_date=True,
            example={"organisation": lambda member: _other_organisation(member)},
        ),
        Action(
            "transfer_out",
            _("Transfer out"),
            service=_transfer_out,
            input=TransferOutForm,
            check=services.check_in_party,
            business_date=True,
            style="outline-secondary",
            example={"destination": "湘潭市农业农村局机关党委"},
        ),
        Action(
            "make_full",
            _("Full membership (转正)"),
            service=_make_full,
            check=services.check_probationary,
            business_date=True,
            style="success",
            example={},
        ),
    ]

    def extra_filters(self):
        return {
            "member_on": django_filters.DateFilter(method=_members_on, label=_("member on")),
        }

    def create(self, obj, user, *, source="web", m2m=None):
        # Each member opens his placement in the organisation from `since`.
        return services.admit_member(member=obj, user=user, source=source)

    def update(self, obj, user, *, expected_version, source="web", m2m=None):
        services.check_unplaced_fields_unchanged(obj)
        return super().update(obj, user, expected_version=expected_version, source=source, m2m=m2m)


class AttendanceForm(ActionForm):
    present = forms.ModelMultipleChoiceField(
        label=_("present"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    absent = forms.ModelMultipleChoiceField(
        label=_("absent"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("reason for absence"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            members = scoping.scope_queryset(
                services.members_on(self.obj.organisation, self.obj.date), self.user
            )
            marked = {a.person_id: a.present for a in self.obj.attendances.all()}
            _choices(self, "present").queryset = members
            _choices(self, "absent").queryset = members
            self.fields["present"].initial = [k for k, v in marked.items() if v]
            self.fields["absent"].initial = [k for k, v in marked.items() if not v]

    # Lists, not querysets: the action record keeps the input as JSON.
    def clean_present(self):
        return list(self.cleaned_data["present"])

    def clean_absent(self):
        return list(self.cleaned_data["absent"])


def _attendance(activity, user, *, on=None, present=(), absent=(), reason=""):
    # Only sub-rows change: the runner then raises the activity's version and answers with it.
    services.record_attendance(
        activity=activity, user=user, present=present, absent=absent, reason=reason
    )


def _present(activity, user):
    n = getattr(activity, "present_n", None)
    return activity.present_count if n is None else n


def _participations(activity, user):
    return _present(activity, user) + activity.external_participants


@register
class ActivityLedger(Ledger):
    model = m.Activity
    slug = "activities"
    icon = "calendar-heart"
    list_fields = [
        "date",
        "topic",
        "organisation",
        "kind",
        "speaker",
        "present",
        "participations",
    ]
    form_fields = [
        "organisation",
        "kind",
        "date",
        "topic",
        "speaker",
        "place",
        "external_participants",
        "notes",
    ]
    filter_fields = {
        "kind": ["exact"],
        "organisation": ["exact"],
        "organisation__kind": ["exact"],
        "date": ["gte", "lte"],
    }
    search_fields = ["topic", "place", "notes"]
    sort_fields = ["date"]
    date_field = "date"

    def queryset_for(self, user, action="view", fields=None):
        return (
            super()
            .queryset_for(user, action, fields)
            .annotate(present_n=Count("attendances", filter=Q(attendances__present=True)))
        )

    computed = {
        "present": (_("members present"), _present),
        "participations": (_("participations (人次)"), _participations),
    }
    actions = [
        Action(
            "attendance",
            _("Record attendance"),
            service=_attendance,
            input=AttendanceForm,
            example={
                "present": lambda a: list(
                    services.members_on(a.organisation, a.date).values_list("pk", flat=True)[:1]
                ),
                "absent": [],
                "reason": "",
            },
        ),
    ]


class AdvanceForm(ActionForm):
    stage = forms.ChoiceField(label=_("stage"), choices=m.Development.Stage.choices)
    sponsors = forms.ModelMultipleChoiceField(
        label=_("sponsors"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Two full members, on admission."),
    )
    meeting = forms.ModelChoiceField(
        label=_("branch meeting that decided"),
        queryset=m.Activity.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            org = self.obj.organisation
            nxt = services._next_stage(self.obj.stage)
            if nxt:
                self.fields["stage"].initial = nxt
            _choices(self, "sponsors").queryset = scoping.scope_queryset(
                Person.objects.filter(party_membership__full_on__isnull=False), self.user
            )
            _choices(self, "meeting").queryset = m.Activity.objects.filter(
                organisation=org, kind=m.Activity.Kind.BRANCH_MEETING
            )

    def clean_sponsors(self):
        return list(self.cleaned_data["sponsors"])


def _advance(dev, user, *, on, stage, sponsors=(), meeting=None):
    return services.advance(
        development=dev, stage=stage, user=user, on=on, sponsors=sponsors, meeting=meeting
    )


@register
class DevelopmentLedger(Ledger):
    model = m.Development
    slug = "development"
    icon = "person-up"
    list_fields = ["person", "organisation", "stage", "applied_on", "activist_on", "candidate_on"]
    form_fields = ["organisation", "person", "applied_on"]
    export_fields = [
        *form_fields,
        "stage",
        "activist_on",
        "candidate_on",
        "admitted_on",
        "full_on",
        "sponsors",
        "meeting",
    ]
    api_fields = export_fields
    filter_fields = {"organisation": ["exact"], "stage": ["exact"], "applied_on": ["gte", "lte"]}
    search_fields = ["person__name"]
    sort_fields = ["applied_on"]
    actions = [
        Action(
            "advance",
            _("Next stage of development"),
            service=_advance,
            input=AdvanceForm,
            check=services.check_not_done,
            business_date=True,
            example={"stage": lambda dev: services._next_stage(dev.stage)},
        ),
    ]
