"""党建: party organisations attached to units and their elections (按期换届), members (each an
org.Person: no second copy of names or ID numbers) with the organisation they belong to over
time, and organisational life (组织生活) with attendance per member.

Every figure is computed from business dates: a member's placement runs from the day he joined
an organisation to the day he left it, an organisation's term from its election, so a count as
of a past day reads the same whenever it is asked for."""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, LedgerQuerySet, TrackedModel


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class OrganisationQuerySet(LedgerQuerySet):
    def existing_on(self, on: datetime.date):
        """Organisations set up by `on` and not dissolved by then."""
        return self.filter(founded_on__lte=on).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)
        )

    def with_term_on(self, on: datetime.date):
        """Annotate the term in force on `on`: the latest election held by then
        (`term_elected_on`, `term_ends_on`; None when no election is on record by then)."""
        latest = Election.objects.filter(organisation=OuterRef("pk"), date__lte=on).order_by(
            "-date", "-id"
        )
        return self.annotate(
            term_elected_on=Subquery(latest.values("date")[:1]),
            term_ends_on=Subquery(latest.values("term_end")[:1]),
            term_secretary=Subquery(latest.values("secretary__name")[:1]),
        )

    def election_due_on(self, on: datetime.date, months: int):
        """按期换届: organisations existing on `on` whose term then in force ends within `months`
        months (not yet ended), or that have no election on record."""
        horizon = add_months(on, months)
        return (
            self.existing_on(on)
            .with_term_on(on)
            .filter(
                Q(term_ends_on__isnull=True) | Q(term_ends_on__gte=on, term_ends_on__lte=horizon)
            )
        )

    def election_overdue_on(self, on: datetime.date):
        """Organisations existing on `on` whose term in force then had already ended."""
        return self.existing_on(on).with_term_on(on).filter(term_ends_on__lt=on)


class PartyOrganisation(LedgerModel):
    """党组织: a party committee, general branch or branch attached to a unit."""

    module = "party"

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Party committee (党委)")
        GENERAL_BRANCH = "general_branch", _("General party branch (党总支)")
        BRANCH = "branch", _("Party branch (党支部)")

    # Terms under the party's rules: a grassroots committee five years, a general branch and a
    # branch three.
    TERM_YEARS = {Kind.COMMITTEE: 5, Kind.GENERAL_BRANCH: 3, Kind.BRANCH: 3}

    name = models.CharField(_("organisation name"), max_length=100)
    kind = models.CharField(_("kind of organisation"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("higher party organisation"),
    )
    founded_on = models.DateField(_("founded on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()  # type: ignore[misc]  # the kit's, extended

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["unit__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="party_org_name")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own higher one.")})
        if self.dissolved_on and self.founded_on and self.dissolved_on < self.founded_on:
            raise ValidationError(
                {"dissolved_on": _("An organisation cannot be dissolved before it was founded.")}
            )

    def term_in_force(self, on: datetime.date) -> Election | None:
        return self.elections.filter(date__lte=on).order_by("-date", "-id").first()


class Election(TrackedModel):
    """换届选举: the committee an organisation elected on a day, its secretary and members, and
    the day the term ends (the term's length by kind unless given)."""

    module = "party"
    scope_field = "organisation__unit"

    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="elections",
        verbose_name=_("party organisation"),
    )
    date = models.DateField(_("election date"))
    secretary = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("secretary")
    )
    deputy_secretary = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deputy secretary"),
    )
    committee_members = models.ManyToManyField(
        "org.Person", related_name="+", blank=True, verbose_name=_("committee members")
    )
    term_end = models.DateField(
        _("term ends on"), blank=True, help_text=_("By the kind's term length unless given.")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="party_election_day")
        ]

    def __str__(self):
        return f"{self.organisation} {self.date}"

    def fill_term_end(self):
        if self.term_end is None and self.date and self.organisation_id:
            years = PartyOrganisation.TERM_YEARS.get(self.organisation.kind, 3)
            self.term_end = add_months(self.date, 12 * years)

    def clean(self):
        super().clean()
        self.fill_term_end()
        if self.term_end and self.date and self.term_end <= self.date:
            raise ValidationError({"term_end": _("The term must end after the election.")})
        if self.organisation_id and self.date and self.date < self.organisation.founded_on:
            raise ValidationError(
                {"date": _("The election cannot be before the organisation was founded.")}
            )

    def save(self, *args, **kwargs):
        self.fill_term_end()
        super().save(*args, **kwargs)


class PartyMember(TrackedModel):
    """党员: a person (org.Person) admitted to the party, probationary from `joined_on` and a
    full member from `full_on`; the organisation he belongs to now (his placements give it on
    any day)."""

    module = "party"
    scope_field = "organisation__unit"

    person = models.OneToOneField(
        "org.Person",
        on_delete=models.PROTECT,
        related_name="party_membership",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("party organisation"),
    )
    joined_on = models.DateField(
        _("admitted on"), help_text=_("The day admitted as a probationary member (入党日期).")
    )
    full_on = models.DateField(_("full member since"), null=True, blank=True, editable=False)
    since = models.DateField(
        _("in this organisation since"),
        help_text=_("The day the member joined this organisation (admitted or transferred in)."),
    )
    origin = models.CharField(
        _("transferred in from"),
        max_length=100,
        blank=True,
        help_text=_("Empty when admitted here."),
    )
    left_on = models.DateField(_("left on"), null=True, blank=True, editable=False)
    destination = models.CharField(
        _("transferred out to"), max_length=100, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organisation__unit__path", "organisation__name", "person__name"]

    def __str__(self):
        return str(self.person)

    def clean(self):
        super().clean()
        if self.joined_on and self.since and self.since < self.joined_on:
            raise ValidationError(
                {"since": _("A member cannot join an organisation before he was admitted.")}
            )
        if self.organisation_id and self.since:
            org = self.organisation
            if self.since < org.founded_on:
                raise ValidationError(
                    {
                        "since": _("The organisation was founded only on %(d)s.")
                        % {"d": org.founded_on}
                    }
                )

    def status_on(self, on: datetime.date) -> str:
        if self.full_on and self.full_on <= on:
            return "full"
        return "probationary" if self.joined_on <= on else ""


class PlacementQuerySet(LedgerQuerySet):
    def on(self, day: datetime.date):
        """The placements in force at the end of `day`."""
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))


class Placement(TrackedModel):
    """组织关系: a member belongs to an organisation from `start` until `end` (the day he left;
    open while he is there). Written by the member's actions only."""

    module = "party"
    scope_field = "organisation__unit"

    member = models.ForeignKey(
        PartyMember,
        on_delete=models.CASCADE,
        related_name="placements",
        verbose_name=_("party member"),
    )
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("party organisation"),
    )
    start = models.DateField(_("in the organisation from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = PlacementQuerySet.as_manager()  # type: ignore[misc]  # the kit's, extended

    class Meta:
        verbose_name = _("membership placement")
        verbose_name_plural = _("membership placements")
        ordering = ["member", "start", "id"]

    def __str__(self):
        return f"{self.member} · {self.organisation} {self.start}–{self.end or ''}"


class Activity(TrackedModel):
    """组织生活: a themed party day, a party lecture, a study session … of one organisation on
    one day; attendance is recorded per member (Attendance), outsiders as a headcount."""

    module = "party"
    scope_field = "organisation__unit"

    class Kind(models.TextChoices):
        THEME_DAY = "theme_day", _("Themed party day (主题党日)")
        LECTURE = "lecture", _("Party lecture (党课)")
        STUDY = "study", _("Study and discussion (学习研讨)")
        CENTRAL_GROUP = "central_group", _("Central group study (中心组学习)")
        RED_EDUCATION = "red_education", _("Red education (红色教育)")
        VOLUNTEER = "volunteer", _("Volunteer activity (志愿活动)")
        LIFE_MEETING = "life_meeting", _("Organisational life meeting (组织生活会)")
        BRANCH_MEETING = "branch_meeting", _("Branch general meeting (支部党员大会)")

    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("party organisation"),
    )
    kind = models.CharField(_("kind of activity"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    speaker = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("speaker"),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    external_participants = models.PositiveIntegerField(
        _("other participants (headcount)"),
        default=0,
        help_text=_("People who are not members of the organisation (群众, guests)."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("party activity")
        verbose_name_plural = _("party activities")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.topic}"

    def clean(self):
        super().clean()
        if self.organisation_id and self.date and self.date < self.organisation.founded_on:
            raise ValidationError(
                {
                    "date": _("The organisation was founded only on %(d)s.")
                    % {"d": self.organisation.founded_on}
                }
            )

    @property
    def present_count(self) -> int:
        return self.attendances.filter(present=True).count()

    @property
    def participations(self) -> int:
        """参与人次: members present plus the other participants."""
        return self.present_count + self.external_participants


class Attendance(TrackedModel):
    """One member's attendance at one activity: present, or absent with the reason."""

    module = "party"
    scope_field = "activity__organisation__unit"

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("activity")
    )
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("party member")
    )
    present = models.BooleanField(_("present"), default=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["activity", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="party_attendance_once")
        ]

    def __str__(self):
        return f"{self.activity} · {self.person}"


# 发展党员: the stages in order, and the minimum time since the previous stage (months) before a
# stage may be reached (at least a year as activist before becoming a development candidate,
# a year of probation before full membership). Schemes are data: change the table, not code.
STAGES = [
    ("applicant", 0),
    ("activist", 0),
    ("candidate", 12),
    ("probationary", 0),
    ("full", 12),
]


class Development(TrackedModel):
    """发展党员: one person's way from application to full membership in one branch, each stage
    with its business date; the candidate's admission names his two sponsors (入党介绍人) and
    the branch meeting that decided, and makes him a probationary member."""

    module = "party"
    scope_field = "organisation__unit"

    class Stage(models.TextChoices):
        APPLICANT = "applicant", _("Applicant (入党申请人)")
        ACTIVIST = "activist", _("Activist (入党积极分子)")
        CANDIDATE = "candidate", _("Development candidate (发展对象)")
        PROBATIONARY = "probationary", _("Probationary member (预备党员)")
        FULL = "full", _("Full member (正式党员)")

    person = models.OneToOneField(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="developments",
        verbose_name=_("party organisation"),
    )
    applied_on = models.DateField(_("applied on"))
    stage = models.CharField(
        _("stage"), max_length=15, choices=Stage.choices, default=Stage.APPLICANT, editable=False
    )
    activist_on = models.DateField(_("activist since"), null=True, blank=True, editable=False)
    candidate_on = models.DateField(
        _("development candidate since"), null=True, blank=True, editable=False
    )
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True, editable=False)
    full_on = models.DateField(_("full member since"), null=True, blank=True, editable=False)
    sponsors = models.ManyToManyField(
        "org.Person", related_name="+", blank=True, editable=False, verbose_name=_("sponsors")
    )
    meeting = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("branch meeting that decided"),
    )

    class Meta:
        verbose_name = _("member development")
        verbose_name_plural = _("member development")
        ordering = ["organisation", "applied_on", "id"]

    def __str__(self):
        return str(self.person)

    DATE_FIELDS = {
        "applicant": "applied_on",
        "activist": "activist_on",
        "candidate": "candidate_on",
        "probationary": "admitted_on",
        "full": "full_on",
    }

    def stage_date(self, stage: str):
        return getattr(self, self.DATE_FIELDS[stage])
