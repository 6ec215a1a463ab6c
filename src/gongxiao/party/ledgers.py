"""党建 declared through the kit: organisations (with elections due and overdue as of a day),
elections, members (admitted or transferred in, transferred, made full members: actions) and
activities with their attendance (an action)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping
from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.metrics import number
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

    detail_template = "party/organisation_detail.html"

    def detail_extra(self, request, obj):
        # 党员积分排名: this year's totals with the caps applied; equal totals share a rank.
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        parts = ("conduct", "appraisal", "bonus", "deduction")
        ranking = [
            (rank, t, [number(t.by_part.get(p, 0)) for p in parts])
            for rank, t in services.ranking(obj, year)
        ]
        return {"year": year, "ranking": ranking}

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


class AwardForm(ActionForm):
    item = forms.ModelChoiceField(label=_("points item"), queryset=m.PointsItem.objects.none())
    points = forms.DecimalField(
        label=_("points"),
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text=_("Empty: the item's points."),
    )
    reason = forms.CharField(label=_("reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        qs: QuerySet = m.PointsItem.objects.none()
        if self.obj is not None:
            scheme = services.scheme_in_force(self.obj.organisation, timezone.localdate())
            if scheme is not None:
                qs = scoping.scope_queryset(m.PointsItem.objects.filter(scheme=scheme), self.user)
        _choices(self, "item").queryset = qs


def _an_item_for(member) -> int:
    """For the generated action tests: an item of the scheme in force for the member."""
    scheme = services.scheme_in_force(member.organisation, timezone.localdate())
    assert scheme is not None
    return scheme.items.exclude(part="deduction").values_list("pk", flat=True)[0]


def _award(member, user, *, on, item, reason, points=None):
    return services.award_points(
        member=member, item=item, user=user, reason=reason, on=on, points=points
    )


def _points_this_year(member, user):
    year = timezone.localdate().year
    entries = getattr(member, "year_points", None)  # prefetched by the list
    return number(services.yearly_points(member, year, entries).total)


@register
class MemberLedger(Ledger):
    model = m.PartyMember
    slug = "members"
    icon = "person-badge"
    list_fields = ["person", "organisation", "joined_on", "full_on", "since", "status", "points"]
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
        "points": (_("points this year"), _points_this_year),
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
        Action(
            "award_points",
            _("Give points"),
            service=_award,
            input=AwardForm,
            check=services.check_in_party,
            business_date=True,
            example={
                "item": lambda member: _an_item_for(member),
                "reason": "参加志愿服务",
            },
        ),
    ]

    def queryset_for(self, user, action="view", fields=None):
        # This year's points entries with the rows, for the points column (one query).
        year = timezone.localdate().year
        entries = m.PointsEntry.objects.filter(date__year=year).select_related("item__scheme")
        return (
            super()
            .queryset_for(user, action, fields)
            .prefetch_related(Prefetch("points", queryset=entries, to_attr="year_points"))
        )

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


# --- trainings and exams -----------------------------------------------------------------------


@register
class TrainingLedger(Ledger):
    model = m.Training
    slug = "trainings"
    icon = "mortarboard"
    list_fields = ["start_date", "title", "unit", "kind", "sessions", "days", "participants"]
    form_fields = [
        "unit",
        "kind",
        "title",
        "organiser",
        "start_date",
        "days",
        "sessions",
        "participants",
    ]
    filter_fields = {"kind": ["exact"], "start_date": ["gte", "lte"]}
    search_fields = ["title", "organiser"]
    sort_fields = ["start_date", "participants"]
    date_field = "start_date"
    natural_key = ("unit", "title", "start_date")


def _pass_rate(exam, user):
    from gongxiao.core.metrics import display, rate

    return display(rate(exam.passed, exam.participants), "%")


@register
class ExamLedger(Ledger):
    model = m.Exam
    slug = "exams"
    icon = "pencil-square"
    list_fields = ["date", "title", "unit", "participants", "passed", "pass_rate"]
    form_fields = ["unit", "title", "date", "participants", "passed"]
    filter_fields = {"date": ["gte", "lte"]}
    search_fields = ["title"]
    sort_fields = ["date"]
    date_field = "date"
    natural_key = ("unit", "title", "date")
    computed = {"pass_rate": (_("pass rate"), _pass_rate)}


# --- points ------------------------------------------------------------------------------------


def _new_version(scheme, user, *, on):
    # The answer is the scheme acted on; the new version is listed beside it.
    services.new_scheme_version(scheme=scheme, user=user, on=on)


def _scheme_total(scheme, user):
    return number(scheme.total)


@register
class PointsSchemeLedger(Ledger):
    model = m.PointsScheme
    slug = "points-schemes"
    icon = "award"
    list_fields = ["name", "unit", "valid_from", "total", "conduct_cap", "appraisal_cap"]
    form_fields = [
        "unit",
        "name",
        "valid_from",
        "conduct_cap",
        "appraisal_cap",
        "bonus_cap",
        "deduction_cap",
    ]
    filter_fields = {"valid_from": ["gte", "lte"]}
    search_fields = ["name"]
    sort_fields = ["valid_from"]
    natural_key = ("unit", "valid_from")
    computed = {"total": (_("total points"), _scheme_total)}
    actions = [
        Action(
            "new_version",
            _("New version of the scheme"),
            service=_new_version,
            check=services.check_latest_scheme,
            business_date=True,
            appends=True,
            example={},
        )
    ]

    def lock_reason(self, obj):
        if obj.pk and m.PointsEntry.objects.filter(item__scheme=obj).exists():
            return str(
                _("Points have been given under this version: make a new version to change it.")
            )
        return None


@register
class PointsItemLedger(Ledger):
    model = m.PointsItem
    slug = "points-items"
    icon = "list-stars"
    list_fields = ["scheme", "part", "name", "points", "yearly_cap", "awarded_for"]
    form_fields = ["scheme", "part", "name", "points", "yearly_cap", "awarded_for"]
    filter_fields = {"scheme": ["exact"], "part": ["exact"]}
    search_fields = ["name"]
    natural_key = ("scheme", "name")

    def lock_reason(self, obj):
        if obj.scheme_id and m.PointsEntry.objects.filter(item__scheme=obj.scheme_id).exists():
            return str(
                _("Points have been given under this version: make a new version to change it.")
            )
        return None


class ReverseForm(ActionForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


def _reverse(entry, user, *, on, reason):
    # The answer is the entry reversed; its counter-entry is listed beside it.
    services.reverse_entry(entry=entry, user=user, on=on, reason=reason)


@register
class PointsEntryLedger(Ledger):
    model = m.PointsEntry
    slug = "points"
    icon = "star"
    list_fields = ["date", "member", "organisation", "item", "points", "reason", "source"]
    form_fields = ["member", "item", "date", "reason"]
    export_fields = [*form_fields, "organisation", "points", "source", "activity", "reverses"]
    api_fields = export_fields
    filter_fields = {
        "member": ["exact"],
        "organisation": ["exact"],
        "item": ["exact"],
        "item__part": ["exact"],
        "source": ["exact"],
        "date": ["gte", "lte"],
    }
    search_fields = ["member__person__name", "reason"]
    sort_fields = ["date", "points"]
    date_field = "date"
    actions = [
        Action(
            "reverse",
            _("Reverse (冲销)"),
            service=_reverse,
            input=ReverseForm,
            check=services.check_reversible,
            business_date=True,
            appends=True,
            style="outline-danger",
            example={"reason": "误记，予以冲销"},
        )
    ]

    def create(self, obj, user, *, source="web", m2m=None):
        # Points are given through the rule: the item of the scheme in force, the organisation
        # of the day.
        return services.award_points(
            member=obj.member,
            item=obj.item,
            user=user,
            reason=obj.reason,
            on=obj.date,
            channel=source,
        )

    def lock_reason(self, obj):
        if obj.pk:
            return str(_("Points entries are kept as entered: reverse one to correct it."))
        return None


# --- cadres ------------------------------------------------------------------------------------


class TakePostForm(ActionForm):
    change = forms.ChoiceField(label=_("how taken"), choices=m.CadrePost.Change.choices)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=m.Cadre.objects.none())
    post = forms.CharField(label=_("post"), max_length=100)
    rank = forms.CharField(label=_("rank"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "unit").queryset = scoping.units_for(self.user, "party", "add")


def _take_post(cadre, user, *, on, change, unit, post, rank=""):
    return services.take_post(
        post=m.CadrePost(
            cadre=cadre,
            unit=unit,
            post=post,
            rank=rank,
            change=change,
            start=on or timezone.localdate(),
        ),
        user=user,
        source="workflow",
    )


class DestinationForm(ActionForm):
    destination = forms.CharField(label=_("transferred out to"), max_length=100)


def _retire(cadre, user, *, on):
    return services.retire(cadre=cadre, user=user, on=on)


def _cadre_out(cadre, user, *, on, destination):
    return services.transfer_cadre_out(cadre=cadre, destination=destination, user=user, on=on)


def _current_post(cadre, user):
    post = cadre.posts.filter(end__isnull=True).order_by("-start").first()
    return f"{post.unit} {post.post}" if post else ""


def _post_history(cadre, user):
    return "；".join(
        f"{p.start}–{p.end or ''} {p.unit} {p.post}（{p.get_change_display()}）"
        for p in cadre.posts.select_related("unit").order_by("start", "id")
    )


@register
class CadreLedger(Ledger):
    model = m.Cadre
    slug = "cadres"
    icon = "person-vcard"
    list_fields = ["person", "unit", "since", "current_post", "retired_on", "left_on"]
    form_fields = ["unit", "person", "since"]
    export_fields = [*form_fields, "retired_on", "left_on", "destination"]
    api_fields = export_fields
    filter_fields = {"retired_on": ["isnull", "gte", "lte"], "left_on": ["isnull", "gte", "lte"]}
    search_fields = ["person__name", "destination"]
    sort_fields = ["since"]
    natural_key = ("person",)
    computed = {
        "current_post": (_("current post"), _current_post),
        "history": (_("posts over time"), _post_history),
    }
    actions = [
        Action(
            "take_post",
            _("New post (任职、轮岗、调动)"),
            service=_take_post,
            input=TakePostForm,
            check=services.check_serving,
            business_date=True,
            example={
                "change": lambda c: "rotation" if c.posts.exists() else "appointment",
                "unit": lambda c: c.unit_id,
                "post": "办公室主任",
                "rank": "四级主任科员",
            },
        ),
        Action(
            "retire",
            _("Retirement"),
            service=_retire,
            check=services.check_serving,
            business_date=True,
            style="outline-secondary",
            example={},
        ),
        Action(
            "transfer_out",
            _("Transfer out of the system"),
            service=_cadre_out,
            input=DestinationForm,
            check=services.check_serving,
            business_date=True,
            style="outline-secondary",
            example={"destination": "湘潭市农业农村局"},
        ),
    ]


@register
class CadrePostLedger(Ledger):
    model = m.CadrePost
    slug = "cadre-posts"
    icon = "diagram-3"
    list_fields = ["start", "end", "cadre", "unit", "post", "rank", "change"]
    form_fields = ["cadre", "unit", "post", "rank", "change", "start"]
    export_fields = [*form_fields, "end"]
    api_fields = export_fields
    filter_fields = {"cadre": ["exact"], "change": ["exact"], "start": ["gte", "lte"]}
    search_fields = ["cadre__person__name", "post"]
    sort_fields = ["start"]
    date_field = "start"
    natural_key = ("cadre", "start")

    def create(self, obj, user, *, source="web", m2m=None):
        # Taking a post closes the one before and moves the cadre to the post's unit.
        return services.take_post(post=obj, user=user, source=source)

    def lock_reason(self, obj):
        if obj.pk:
            return str(_("A post held is history: a change is a new post."))
        return None


@register
class CadreGradeLedger(Ledger):
    model = m.CadreGrade
    slug = "cadre-grades"
    icon = "clipboard-data"
    list_fields = ["period", "cadre", "unit", "grade", "assessed_on", "source"]
    form_fields = ["unit", "cadre", "period", "grade", "assessed_on"]
    filter_fields = {"grade": ["exact"], "period": ["exact"], "cadre": ["exact"]}
    search_fields = ["cadre__person__name"]
    sort_fields = ["period", "assessed_on"]
    date_field = "assessed_on"
    natural_key = ("cadre", "period")


# --- writings ----------------------------------------------------------------------------------


class AdoptForm(ActionForm):
    level = forms.ChoiceField(label=_("adopted at level"), choices=m.Writing.Level.choices)
    by = forms.CharField(label=_("adopted by"), max_length=100, required=False)


def _adopt(writing, user, *, on, level, by=""):
    return services.adopt(writing=writing, user=user, level=level, by=by, on=on)


@register
class WritingLedger(Ledger):
    model = m.Writing
    slug = "writings"
    icon = "journal-richtext"
    list_fields = ["date", "title", "unit", "kind", "submitted_to", "adopted_on", "adopted_level"]
    form_fields = ["unit", "kind", "title", "author", "date", "submitted_to", "outlet"]
    export_fields = [*form_fields, "adopted_on", "adopted_level", "adopted_by"]
    api_fields = export_fields
    filter_fields = {
        "kind": ["exact"],
        "submitted_to": ["exact"],
        "adopted_level": ["exact"],
        "date": ["gte", "lte"],
        "adopted_on": ["gte", "lte", "isnull"],
    }
    search_fields = ["title", "outlet", "adopted_by"]
    sort_fields = ["date", "adopted_on"]
    date_field = "date"
    natural_key = ("unit", "title", "date")
    actions = [
        Action(
            "adopt",
            _("Adopted (采用)"),
            service=_adopt,
            input=AdoptForm,
            check=services.check_not_adopted,
            business_date=True,
            style="success",
            example={"level": "provincial", "by": "省社网站"},
        )
    ]


# --- assistance --------------------------------------------------------------------------------


@register
class AssistanceLedger(Ledger):
    model = m.AssistanceVisit
    slug = "assistance"
    icon = "gift"
    list_fields = ["date", "household", "place", "unit", "visitors", "amount", "goods"]
    form_fields = ["unit", "date", "household", "place", "visitors", "amount", "goods"]
    filter_fields = {"date": ["gte", "lte"]}
    search_fields = ["household", "place", "goods"]
    sort_fields = ["date", "amount"]
    date_field = "date"
    natural_key = ("unit", "date", "household")


# --- the register of rules ---------------------------------------------------------------------


class ReviseForm(ActionForm):
    number = forms.CharField(label=_("document number"), max_length=40, required=False)
    title = forms.CharField(
        label=_("title"), max_length=200, required=False, help_text=_("Empty: as before.")
    )
    meeting = forms.ModelChoiceField(
        label=_("adopted at meeting"), queryset=m.Rule.objects.none(), required=False
    )
    file = forms.FileField(label=_("file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        meetings = apps.get_model("decisions", "Meeting").objects.none()
        if self.obj is not None:
            meetings = (
                apps.get_model("decisions", "Meeting")
                .objects.visible_to(self.user)
                .filter(unit=self.obj.unit_id)
            )
        _choices(self, "meeting").queryset = meetings


def _revise(rule, user, *, on, number="", title="", meeting=None, file=None):
    # The answer is the version revised (now superseded); the new one is listed beside it.
    services.revise_rule(
        rule=rule, user=user, on=on, number=number, title=title, meeting=meeting, file=file
    )


def _abolish(rule, user, *, on):
    return services.abolish_rule(rule=rule, user=user, on=on)


def _in_force_on(qs, name, value):
    return qs.in_force_on(value) if value else qs


def _rule_versions(rule, user):
    return "；".join(f"{v.number or v.title} {v.issued_on}" for v in services.versions(rule))


@register
class RuleLedger(Ledger):
    model = m.Rule
    slug = "rules"
    icon = "book"
    list_fields = ["issued_on", "title", "number", "unit", "kind", "superseded_on", "abolished_on"]
    form_fields = ["unit", "kind", "title", "number", "issued_on", "meeting", "file"]
    import_fields = ["unit", "kind", "title", "number", "issued_on"]
    export_fields = [*import_fields, "meeting", "previous", "superseded_on", "abolished_on"]
    api_fields = [*form_fields, "previous", "superseded_on", "abolished_on"]
    filter_fields = {
        "kind": ["exact"],
        "issued_on": ["gte", "lte"],
        "previous": ["isnull"],
        "abolished_on": ["isnull"],
    }
    search_fields = ["title", "number"]
    sort_fields = ["issued_on"]
    date_field = "issued_on"
    natural_key = ("unit", "title", "issued_on")
    computed = {"versions": (_("versions"), _rule_versions)}
    actions = [
        Action(
            "revise",
            _("Revise (new version)"),
            service=_revise,
            input=ReviseForm,
            check=services.check_current,
            business_date=True,
            example={"number": "", "title": ""},
        ),
        Action(
            "abolish",
            _("Abolish"),
            service=_abolish,
            check=services.check_current,
            business_date=True,
            style="outline-danger",
            example={},
        ),
    ]

    def extra_filters(self):
        return {
            "in_force_on": django_filters.DateFilter(method=_in_force_on, label=_("in force on")),
        }
