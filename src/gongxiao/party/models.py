"""党建: party organisations attached to units and their elections (按期换届), members (each an
org.Person: no second copy of names or ID numbers) with the organisation they belong to over
time, and organisational life (组织生活) with attendance per member.

Every figure is computed from business dates: a member's placement runs from the day he joined
an organisation to the day he left it, an organisation's term from its election, so a count as
of a past day reads the same whenever it is asked for."""

from __future__ import annotations

import calendar
import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
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
    # branch three. Data: the setting GONGXIAO_PARTY_TERM_YEARS overrides any of them.
    DEFAULT_TERM_YEARS = {"committee": 5, "general_branch": 3, "branch": 3}

    @classmethod
    def term_years(cls, kind: str) -> int:
        years = {**cls.DEFAULT_TERM_YEARS, **getattr(settings, "GONGXIAO_PARTY_TERM_YEARS", {})}
        return int(years.get(kind, 3))

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
            years = PartyOrganisation.term_years(self.organisation.kind)
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
# a year of probation before full membership). Data, not code: the setting
# GONGXIAO_PARTY_STAGE_MONTHS overrides any of them.
STAGE_ORDER = ["applicant", "activist", "candidate", "probationary", "full"]
DEFAULT_STAGE_MONTHS = {
    "applicant": 0,
    "activist": 0,
    "candidate": 12,
    "probationary": 0,
    "full": 12,
}


def stage_months() -> dict[str, int]:
    """The minimum months before each stage, as the settings have them now."""
    return {**DEFAULT_STAGE_MONTHS, **getattr(settings, "GONGXIAO_PARTY_STAGE_MONTHS", {})}


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


# --- 4a trainings and exams --------------------------------------------------------------------


class Training(LedgerModel):
    """培训: a training course a unit held (举办) or sent its people to (选派参加): its 期数, days
    and participants (人次)."""

    module = "party"

    class Kind(models.TextChoices):
        HELD = "held", _("Held by the unit (举办)")
        ATTENDED = "attended", _("Attended elsewhere (选派参加)")

    kind = models.CharField(_("kind of training"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("course"), max_length=200)
    organiser = models.CharField(_("organised by"), max_length=100, blank=True)
    start_date = models.DateField(_("starts on"))
    days = models.DecimalField(
        _("days"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    sessions = models.PositiveSmallIntegerField(
        _("sessions (期数)"), default=1, validators=[MinValueValidator(1)]
    )
    participants = models.PositiveIntegerField(_("participants (人次)"))

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return self.title


class Exam(LedgerModel):
    """考试: an exam (廉政法规考试 …) with the number who sat it and who passed (合格率 follows)."""

    module = "party"

    title = models.CharField(_("exam"), max_length=200)
    date = models.DateField(_("date"))
    participants = models.PositiveIntegerField(_("sat the exam"), validators=[MinValueValidator(1)])
    passed = models.PositiveIntegerField(_("passed"))

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if (
            self.passed is not None
            and self.participants is not None
            and self.passed > self.participants
        ):
            raise ValidationError(
                {"passed": _("More passed than sat the exam (%(n)s).") % {"n": self.participants}}
            )


# --- 5 party member points (党员积分) -----------------------------------------------------------


class PointsScheme(LedgerModel):
    """积分方案: the points scheme of a unit's party organisations (and those below, unless they
    have their own) from `valid_from` until the next version; e.g. 100 = daily conduct 80 +
    yearly democratic appraisal 20, with bonus and deduction items capped. A version in use is
    kept as it was: a change is a new version (an action)."""

    module = "party"

    name = models.CharField(_("scheme"), max_length=100)
    valid_from = models.DateField(_("in force from"))
    conduct_cap = models.DecimalField(
        _("daily conduct: at most"), max_digits=6, decimal_places=1, default=Decimal(80)
    )
    appraisal_cap = models.DecimalField(
        _("democratic appraisal: at most"), max_digits=6, decimal_places=1, default=Decimal(20)
    )
    bonus_cap = models.DecimalField(
        _("bonus: at most"), max_digits=6, decimal_places=1, default=Decimal(10)
    )
    deduction_cap = models.DecimalField(
        _("deductions: at most"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty: deductions are not capped."),
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="next_version",
        verbose_name=_("previous version"),
    )

    class Meta:
        verbose_name = _("points scheme")
        verbose_name_plural = _("points schemes")
        ordering = ["unit__path", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="party_scheme_from")
        ]

    def __str__(self):
        return f"{self.name}（{self.valid_from}）"

    @property
    def total(self) -> Decimal:
        return self.conduct_cap + self.appraisal_cap

    def cap_of(self, part: str) -> Decimal | None:
        caps: dict[str, Decimal | None] = {
            "conduct": self.conduct_cap,
            "appraisal": self.appraisal_cap,
            "bonus": self.bonus_cap,
            "deduction": self.deduction_cap,
        }
        return caps[part]


class PointsItem(TrackedModel):
    """积分项目: one item of a scheme: its part (daily conduct, appraisal, bonus, deduction),
    the points per occurrence, the most it gives in a year, and the kind of activity whose
    attendance awards it automatically."""

    module = "party"
    scope_field = "scheme__unit"

    class Part(models.TextChoices):
        CONDUCT = "conduct", _("Daily conduct (日常表现)")
        APPRAISAL = "appraisal", _("Democratic appraisal (民主评议)")
        BONUS = "bonus", _("Bonus (加分)")
        DEDUCTION = "deduction", _("Deduction (扣分)")

    scheme = models.ForeignKey(
        PointsScheme,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("points scheme"),
    )
    part = models.CharField(_("part"), max_length=10, choices=Part.choices)
    name = models.CharField(_("item"), max_length=100)
    points = models.DecimalField(
        _("points each time"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("Positive; a deduction item takes them off."),
    )
    yearly_cap = models.DecimalField(
        _("at most a year"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    awarded_for = models.CharField(
        _("awarded for attending"),
        max_length=20,
        choices=Activity.Kind.choices,
        blank=True,
        help_text=_("Awarded automatically to each member present at such an activity."),
    )

    class Meta:
        verbose_name = _("points item")
        verbose_name_plural = _("points items")
        ordering = ["scheme", "part", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="party_item_name")]

    def __str__(self):
        # 2 not 2.0: the same text whether read from the database or just typed (an import
        # names the item by it).
        points = self.points.normalize() if isinstance(self.points, Decimal) else self.points
        return f"{self.name}（{points:f}分）" if isinstance(points, Decimal) else self.name

    @property
    def sign(self) -> int:
        return -1 if self.part == self.Part.DEDUCTION else 1

    def clean(self):
        super().clean()
        if self.yearly_cap is not None and self.points and self.yearly_cap < self.points:
            raise ValidationError(
                {"yearly_cap": _("The yearly cap cannot be below the points of one time.")}
            )
        if self.awarded_for and self.part == self.Part.DEDUCTION:
            raise ValidationError(
                {"awarded_for": _("Attendance awards points; it cannot take them off.")}
            )


class PointsEntry(TrackedModel):
    """积分记录: points given to (or taken from) a member on a day, for a reason, from a source
    (entered, attendance, appraisal; a reversal corrects an entry). Append-only: an entry is
    never changed or deleted; a mistake is reversed by a counter-entry."""

    module = "party"
    scope_field = "organisation__unit"

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered")
        ATTENDANCE = "attendance", _("Attendance")
        REVERSAL = "reversal", _("Reversal")

    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="points", verbose_name=_("party member")
    )
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("party organisation"),
    )
    item = models.ForeignKey(
        PointsItem, on_delete=models.PROTECT, related_name="entries", verbose_name=_("points item")
    )
    date = models.DateField(_("date"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=1, editable=False)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ENTERED, editable=False
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="points",
        verbose_name=_("activity"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-date", "-id"]

    def __str__(self):
        points = f"{self.points:+}" if self.points is not None else ""
        return f"{self.member} {self.date} {points}".strip()

    def clean(self):
        super().clean()
        # The organisation is the member's of the day (his placements say): known before the
        # entry is written, so a form or an import row is scoped by it.
        if not self.organisation_id and self.member_id and self.date:
            placement = Placement.objects.on(self.date).filter(member_id=self.member_id).first()
            if placement is not None:
                self.organisation_id = placement.organisation_id


# --- 6 cadres ----------------------------------------------------------------------------------


class Cadre(LedgerModel):
    """干部: a person (org.Person) managed as a cadre by the unit, with the posts he held over
    time (CadrePost), until he retired or left the system."""

    module = "party"

    person = models.OneToOneField(
        "org.Person", on_delete=models.PROTECT, related_name="cadre", verbose_name=_("person")
    )
    since = models.DateField(_("cadre since"))
    retired_on = models.DateField(_("retired on"), null=True, blank=True, editable=False)
    left_on = models.DateField(_("left the system on"), null=True, blank=True, editable=False)
    destination = models.CharField(
        _("transferred out to"), max_length=100, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["unit__path", "person__name"]

    def __str__(self):
        return str(self.person)

    @property
    def gone_on(self):
        return self.retired_on or self.left_on


class CadrePost(LedgerModel):
    """任职: a post a cadre held in a unit from `start` to `end`, and how he came to it
    (appointment, rotation 轮岗交流, change of post, transfer 调动). Taking a post closes the
    one before; a figure of rotations counts where the post was."""

    module = "party"

    class Change(models.TextChoices):
        APPOINTMENT = "appointment", _("Appointment (任职)")
        ROTATION = "rotation", _("Rotation (轮岗交流)")
        CHANGE = "change", _("Change of post (职务变更)")
        TRANSFER = "transfer", _("Transfer (调动)")

    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="posts", verbose_name=_("cadre")
    )
    post = models.CharField(_("post"), max_length=100)
    rank = models.CharField(_("rank"), max_length=30, blank=True)
    change = models.CharField(_("how taken"), max_length=12, choices=Change.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("cadre post")
        verbose_name_plural = _("cadre posts")
        ordering = ["cadre", "-start", "-id"]

    def __str__(self):
        return f"{self.cadre} · {self.post} {self.start}"


def validate_assessment_period(code: str) -> None:
    from gongxiao.core.periods import parse_period

    try:
        parse_period(code)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if not re.fullmatch(r"\d{4}(Q[1-4])?", code):
        raise ValidationError(_("A cadre is assessed for a year (2024) or a quarter (2024Q2)."))


class CadreGrade(LedgerModel):
    """干部考核等次: a cadre's grade for a year or a quarter (优秀, 称职, 基本称职, 不称职),
    given by the unit that assessed him. Entered here until the assessment engine writes them
    (`source` then names it)."""

    module = "party"

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent (优秀)")
        COMPETENT = "competent", _("Competent (称职)")
        BASIC = "basic", _("Basically competent (基本称职)")
        INCOMPETENT = "incompetent", _("Incompetent (不称职)")

    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="grades", verbose_name=_("cadre")
    )
    period = models.CharField(
        _("assessed for"),
        max_length=7,
        validators=[validate_assessment_period],
        help_text=_("A year (2024) or a quarter (2024Q2)."),
    )
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    assessed_on = models.DateField(_("assessed on"))
    source = models.CharField(_("source"), max_length=30, default="entered", editable=False)

    class Meta:
        verbose_name = _("cadre grade")
        verbose_name_plural = _("cadre grades")
        ordering = ["-period", "cadre"]
        constraints = [models.UniqueConstraint(fields=["cadre", "period"], name="party_grade_once")]

    def __str__(self):
        return f"{self.cadre} {self.period} {self.get_grade_display()}"

    def clean(self):
        super().clean()
        if self.period and self.assessed_on and re.fullmatch(r"\d{4}(Q[1-4])?", self.period):
            from gongxiao.core.periods import parse_period

            if self.assessed_on < parse_period(self.period).start:
                raise ValidationError(
                    {"assessed_on": _("A grade cannot be given before its period began.")}
                )


# --- 7 writings and publicity ------------------------------------------------------------------


class Writing(LedgerModel):
    """调研报告, 心得体会, 信息: a piece written, where it was submitted (省社, 市委, a newspaper …)
    and, once adopted (采用), at which level, when and by whom."""

    module = "party"

    class Kind(models.TextChoices):
        RESEARCH = "research", _("Research report (调研报告)")
        ESSAY = "essay", _("Reflections (心得体会)")
        INFORMATION = "information", _("Information (信息)")
        ARTICLE = "article", _("Publicity article (宣传稿件)")

    class Recipient(models.TextChoices):
        NONE = "", _("not submitted")
        PROVINCE_COOP = "province_coop", _("Provincial federation (省社)")
        CITY_COOP = "city_coop", _("City federation (市社)")
        CITY_COMMITTEE = "city_committee", _("City party committee (市委)")
        CITY_GOVERNMENT = "city_government", _("City government (市政府)")
        MEDIA = "media", _("Media (媒体)")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National (国家级)")
        PROVINCIAL = "provincial", _("Provincial (省级)")
        CITY = "city", _("City (市级)")
        COUNTY = "county", _("County (县级)")

    kind = models.CharField(_("kind of writing"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    date = models.DateField(_("written on"))
    submitted_to = models.CharField(
        _("submitted to"), max_length=16, choices=Recipient.choices, blank=True
    )
    outlet = models.CharField(
        _("outlet"), max_length=100, blank=True, help_text=_("The newspaper, website or office.")
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True, editable=False)
    adopted_level = models.CharField(
        _("adopted at level"), max_length=10, choices=Level.choices, blank=True, editable=False
    )
    adopted_by = models.CharField(_("adopted by"), max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("writing")
        verbose_name_plural = _("writings")
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.title


# --- 8 assistance visits (帮扶慰问) ------------------------------------------------------------


class AssistanceVisit(LedgerModel):
    """帮扶慰问: a visit to a household by the unit's people on a day, with the money and goods
    given."""

    module = "party"

    date = models.DateField(_("date"))
    household = models.CharField(_("household"), max_length=100, help_text=_("Head of household."))
    place = models.CharField(_("village or community"), max_length=100, blank=True)
    visitors = models.ManyToManyField("org.Person", related_name="+", verbose_name=_("visited by"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    goods = models.CharField(_("goods"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("assistance visit")
        verbose_name_plural = _("assistance visits")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.household}"

    def clean(self):
        super().clean()
        if not self.amount and not self.goods.strip():
            raise ValidationError(_("Give the amount or the goods handed over."))


# --- 8a the register of rules (制度建设) -------------------------------------------------------

# 湘供发〔2023〕15号: an optional issuer's prefix, the year in 〔 〕 and the number.
DOCUMENT_NUMBER_RE = re.compile(r"^[\u4e00-\u9fffA-Za-z]*〔(\d{4})〕(\d{1,4})号$")


def validate_document_number(value: str) -> None:
    if value and not DOCUMENT_NUMBER_RE.match(value):
        raise ValidationError(
            _("A document number is written like 湘供发〔2023〕15号 (the year in 〔 〕).")
        )


class RuleQuerySet(LedgerQuerySet):
    def in_force_on(self, day: datetime.date):
        """The versions in force at the end of `day`: issued by then, neither superseded by a
        revision nor abolished by then."""
        return (
            self.filter(issued_on__lte=day)
            .filter(Q(superseded_on__isnull=True) | Q(superseded_on__gt=day))
            .filter(Q(abolished_on__isnull=True) | Q(abolished_on__gt=day))
        )


class Rule(LedgerModel):
    """制度: a rule or document a unit issued (实施意见, 工作要点, 议事规则, 工作规则, 办法,
    制度), with its number, the day issued, the meeting that adopted it and the file. A revision
    is a new version (`previous` the one it replaces, superseded from the revision's day);
    abolition ends the last version. Which version is in force on a day follows from these
    dates."""

    module = "party"

    class Kind(models.TextChoices):
        OPINION = "opinion", _("Implementation opinion (实施意见)")
        WORK_POINTS = "work_points", _("Work points (工作要点)")
        PROCEDURE = "procedure", _("Rules of procedure (议事规则)")
        WORK_RULES = "work_rules", _("Working rules (工作规则)")
        MEASURES = "measures", _("Measures (办法)")
        SYSTEM = "system", _("System (制度)")

    kind = models.CharField(_("kind of document"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(
        _("document number"), max_length=40, blank=True, validators=[validate_document_number]
    )
    issued_on = models.DateField(_("issued on"))
    meeting = models.ForeignKey(
        "decisions.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adopted at meeting"),
    )
    file = models.FileField(_("file"), upload_to="party/rules/%Y/", blank=True, max_length=300)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="revision",
        verbose_name=_("revises"),
    )
    superseded_on = models.DateField(_("revised on"), null=True, blank=True, editable=False)
    abolished_on = models.DateField(_("abolished on"), null=True, blank=True, editable=False)

    objects = RuleQuerySet.as_manager()  # type: ignore[misc]  # the kit's, extended

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("register of rules")
        ordering = ["unit__path", "-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"], condition=~Q(number=""), name="party_rule_number"
            )
        ]

    def __str__(self):
        return f"《{self.title.strip('《》')}》"

    def clean(self):
        super().clean()
        m = DOCUMENT_NUMBER_RE.match(self.number or "")
        if m and self.issued_on and int(m.group(1)) != self.issued_on.year:
            raise ValidationError(
                {"number": _("The number's year %(y)s is not the year issued.") % {"y": m.group(1)}}
            )
        meeting = self.meeting if self.meeting_id else None
        if meeting is not None and self.issued_on:
            if self.unit_id and meeting.unit_id != self.unit_id:
                raise ValidationError({"meeting": _("The meeting is not one of this unit's.")})
            if meeting.date > self.issued_on:
                raise ValidationError(
                    {
                        "meeting": _("The meeting (%(d)s) is after the day issued.")
                        % {"d": meeting.date}
                    }
                )
