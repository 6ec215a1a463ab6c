"""监督执纪: talks, inspections with findings and notices, responsibility letters and lists,
audits with recommendations, the board of supervisors, personal matters reports, democratic
and organisational life meetings, the four forms, and clean-government education."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, TrackedModel

DEFAULT_DAYS = 60  # time allowed when an item is raised without a deadline

# The six disciplines (六大纪律) a talk may touch.
DISCIPLINES = [
    ("political", _("political discipline")),
    ("organisational", _("organisational discipline")),
    ("integrity", _("integrity discipline")),
    ("mass", _("mass discipline")),
    ("work", _("work discipline")),
    ("life", _("life discipline")),
]


class Talk(LedgerModel):
    """谈话: who talked to whom, of which kind, touching which of the six disciplines."""

    module = "supervision"

    class Kind(models.TextChoices):
        HEART = "heart", _("Heart-to-heart talk (谈心谈话)")
        REMINDER = "reminder", _("Reminder talk (提醒谈话)")
        ADMONISHMENT = "admonishment", _("Admonishment talk (诫勉谈话)")
        LETTER = "letter", _("Letter of inquiry (函询)")
        COLLECTIVE = "collective", _("Collective talk (集体约谈)")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of talk"), max_length=15, choices=Kind.choices)
    talker = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("talked by")
    )
    talked_to = models.ManyToManyField(
        "org.Person", related_name="talks", verbose_name=_("talked to")
    )
    political = models.BooleanField(_("political discipline"), default=False)
    organisational = models.BooleanField(_("organisational discipline"), default=False)
    integrity = models.BooleanField(_("integrity discipline"), default=False)
    mass = models.BooleanField(_("mass discipline"), default=False)
    work = models.BooleanField(_("work discipline"), default=False)
    life = models.BooleanField(_("life discipline"), default=False)
    record = models.TextField(_("record"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["-date", "-id"]
        # A subtree's talks of a period (the report figures) from the units' index entries.
        indexes = [models.Index(fields=["unit", "date"], name="talk_unit_date")]

    def __str__(self):
        return f"{self.date} {self.get_kind_display().split(' (')[0]}"

    @property
    def topics(self) -> int:
        return sum(bool(getattr(self, name)) for name, _label in DISCIPLINES)


class Inspection(LedgerModel):
    """督查检查: a planned inspection of some units by some inspectors."""

    module = "supervision"

    class Method(models.TextChoices):
        UNANNOUNCED = "unannounced", _("Unannounced (四不两直)")
        ROUTINE = "routine", _("Routine")
        SPECIAL = "special", _("Special")
        CROSS = "cross", _("Cross inspection")

    title = models.CharField(_("inspection"), max_length=200)
    plan = models.TextField(_("plan"), blank=True)
    method = models.CharField(_("method"), max_length=15, choices=Method.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    inspected_units = models.ManyToManyField(
        "org.Unit", related_name="+", verbose_name=_("inspected units")
    )
    inspectors = models.ManyToManyField(
        "org.Person", related_name="+", blank=True, verbose_name=_("inspectors")
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return self.title


class RaisesItem:
    """A record that raises a rectification item (rectification.services.create_item_from):
    the item points at it, and it hears when its item closes and reopens."""

    def item_closed(self, *, item, on, user):
        type(self).objects.filter(pk=self.pk).update(item_closed_on=on)
        self.item_closed_on = on

    def item_reopened(self, *, item, on, user):
        type(self).objects.filter(pk=self.pk).update(item_closed_on=None)
        self.item_closed_on = None


class Finding(RaisesItem, TrackedModel):
    """A problem an inspection found; it becomes a rectification item whose source is the
    finding."""

    module = "supervision"
    scope_field = "inspection__unit"

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name=_("inspection")
    )
    inspected_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    description = models.TextField(_("finding"))
    category = models.CharField(
        _("category"),
        max_length=20,
        default="other",
        choices=[
            ("political", _("Political")),
            ("conduct", _("Conduct")),
            ("discipline", _("Discipline")),
            ("business", _("Business management")),
            ("assets", _("Assets")),
            ("finance", _("Finance")),
            ("safety", _("Safety")),
            ("other", _("Other")),
        ],
    )
    deadline = models.DateField(_("deadline"))
    item = models.OneToOneField(
        "rectification.RectificationItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("rectification item"),
    )
    # Heard from the item (rectification.services.create_item_from): the day it was closed out.
    item_closed_on = models.DateField(
        _("rectification closed out on"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["-id"]

    def __str__(self):
        return self.description[:60]

    def clean(self):
        from django.core.exceptions import ValidationError

        # The responsible unit is one the inspection inspected, or a unit below one (a
        # grassroots co-op of an inspected county).
        if self.inspection_id and self.inspected_unit_id:
            inspected = list(self.inspection.inspected_units.all())
            unit = self.inspected_unit
            if inspected and not any(unit.is_within(u) for u in inspected):
                raise ValidationError(
                    {
                        "inspected_unit": _(
                            "%(unit)s was not inspected by this inspection (inspected: %(units)s)."
                        )
                        % {"unit": unit, "units": "、".join(str(u) for u in inspected)}
                    }
                )

    def item_defaults(self):
        inspection = self.inspection
        return {
            "unit": self.inspected_unit,
            "title": self.description[:200],
            "description": self.description,
            "source": "inspection",
            "category": self.category,
            "found_date": inspection.end_date or inspection.start_date,
            "kind": "deadline",
            "deadline": self.deadline,
        }


class Notice(LedgerModel):
    """督查通报 第N期: numbered per unit and year, sent to recipients."""

    module = "supervision"

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveSmallIntegerField(_("issue number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("inspection"),
    )
    content = models.TextField(_("content"))
    recipients = models.ManyToManyField("org.Unit", related_name="+", verbose_name=_("recipients"))

    class Meta:
        verbose_name = _("inspection notice")
        verbose_name_plural = _("inspection notices")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="notice_number")
        ]

    def __str__(self):
        return _("Inspection notice %(year)s No. %(n)s") % {"year": self.year, "n": self.number}

    def numbered(self):
        if self.date and not self.year:
            self.year = self.date.year
        if not self.number and self.unit_id and self.year:
            last = Notice.objects.filter(unit_id=self.unit_id, year=self.year).aggregate(
                models.Max("number")
            )["number__max"]
            self.number = (last or 0) + 1

    def clean(self):
        self.numbered()

    def save(self, *args, **kwargs):
        self.numbered()
        super().save(*args, **kwargs)


class ResponsibilityLetter(LedgerModel):
    """责任书: signed each year between the unit (party A) and a unit or a leader (party B)."""

    module = "supervision"

    class Kind(models.TextChoices):
        INTEGRITY = "integrity", _("Party conduct and integrity (党风廉政建设)")
        SAFETY = "safety", _("Work safety targets (安全生产目标管理)")
        PARTY_BUILDING = "party_building", _("Party-building targets (党建工作目标)")
        IDEOLOGY = "ideology", _("Ideological work (意识形态)")
        PLEDGE = "pledge", _("Pledge (承诺书)")

    kind = models.CharField(_("kind of letter"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    signer_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signing unit (party B)"),
    )
    signer_person = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signing leader (party B)"),
    )
    signed_date = models.DateField(_("date signed"))
    file = models.FileField(_("file"), upload_to="letters/%Y/", blank=True, max_length=300)

    class Meta:
        verbose_name = _("responsibility letter")
        verbose_name_plural = _("responsibility letters")
        ordering = ["-year", "kind", "id"]

    def __str__(self):
        party_b = self.signer_person or self.signer_unit
        return f"{self.year} {self.get_kind_display().split(' (')[0]} · {party_b}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.signer_unit_id and not self.signer_person_id:
            raise ValidationError(_("Name the unit or the leader who signs (party B)."))
        if self.signed_date and self.year and abs(self.signed_date.year - self.year) > 1:
            raise ValidationError(
                {"signed_date": _("The signing date is far from the letter's year.")}
            )


class ResponsibilityList(LedgerModel):
    """主体责任清单 / 一岗双责: the duties of one leader for one year."""

    module = "supervision"

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary responsibility (主体责任)")
        DUAL = "dual", _("Dual responsibility of one post (一岗双责)")

    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("leader")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind of list"), max_length=10, choices=Kind.choices)
    duties = models.TextField(_("duties"))

    class Meta:
        verbose_name = _("responsibility list")
        verbose_name_plural = _("responsibility lists")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "kind"], name="responsibility_list_once"
            )
        ]

    def __str__(self):
        return f"{self.year} {self.person} {self.get_kind_display().split(' (')[0]}"


class DutyRecord(TrackedModel):
    """履责纪实: a record of a leader fulfilling a duty of his list."""

    module = "supervision"
    scope_field = "responsibility_list__unit"

    responsibility_list = models.ForeignKey(
        ResponsibilityList,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("responsibility list"),
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("what was done"))

    class Meta:
        verbose_name = _("duty record")
        verbose_name_plural = _("duty records")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.text[:40]}"


class Audit(LedgerModel):
    """审计: audited units, auditor, report, recommendations."""

    module = "supervision"

    class Kind(models.TextChoices):
        SPECIAL = "special", _("Special audit (专项审计)")
        ECONOMIC = "economic", _("Economic responsibility audit (经济责任审计)")
        DEPARTURE = "departure", _("Departure audit (离任审计)")

    class Auditor(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        FIRM = "firm", _("Outside firm")

    title = models.CharField(_("audit"), max_length=200)
    kind = models.CharField(_("kind of audit"), max_length=10, choices=Kind.choices)
    auditor = models.CharField(_("auditor"), max_length=10, choices=Auditor.choices)
    firm_name = models.CharField(_("firm"), max_length=100, blank=True)
    period_start = models.DateField(_("period audited from"), null=True, blank=True)
    period_end = models.DateField(_("period audited to"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    audited_units = models.ManyToManyField(
        "org.Unit", related_name="+", verbose_name=_("audited units")
    )
    report_number = models.CharField(_("report number"), max_length=50, blank=True)
    report_date = models.DateField(_("report date"), null=True, blank=True)
    report_file = models.FileField(
        _("report file"), upload_to="audits/%Y/", blank=True, max_length=300
    )

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-report_date", "-id"]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.auditor == self.Auditor.FIRM and not self.firm_name.strip():
            raise ValidationError({"firm_name": _("Name the audit firm.")})


class Recommendation(RaisesItem, TrackedModel):
    """审计建议: adopted ones become rectification items whose source is the recommendation."""

    module = "supervision"
    scope_field = "audit__unit"

    audit = models.ForeignKey(
        Audit, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("audit")
    )
    text = models.TextField(_("recommendation"))
    responsible_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    adopted = models.BooleanField(_("adopted"), null=True, blank=True, editable=False)
    decided_at = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    item = models.OneToOneField(
        "rectification.RectificationItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("rectification item"),
    )
    # Heard from the item (rectification.services.create_item_from): the day it was closed out.
    item_closed_on = models.DateField(
        _("rectification closed out on"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("audit recommendation")
        verbose_name_plural = _("audit recommendations")
        ordering = ["audit", "id"]

    def __str__(self):
        return self.text[:60]

    def item_defaults(self):
        """Due DEFAULT_DAYS after the decision."""
        audit = self.audit
        on = self.decided_at
        return {
            "unit": self.responsible_unit,
            "title": self.text[:200],
            "description": self.text,
            "source": "audit",
            "category": "finance",
            "found_date": audit.report_date or on,
            "kind": "deadline",
            "deadline": on + datetime.timedelta(days=DEFAULT_DAYS) if on else None,
        }


class SupervisoryMatter(LedgerModel):
    """监事会: a matter the board of supervisors looked into, and the opinion it issued."""

    module = "supervision"

    class Kind(models.TextChoices):
        INVESTMENT = "investment", _("Major investment")
        ASSETS = "assets", _("Asset operation")
        FUNDS = "funds", _("Use of public funds")
        OTHER = "other", _("Other")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of matter"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("matter supervised"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    meeting = models.ForeignKey(
        "decisions.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("board of supervisors meeting"),
    )
    opinion = models.TextField(_("opinion issued"), blank=True)
    opinion_date = models.DateField(_("opinion issued on"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervisory matter")
        verbose_name_plural = _("supervisory matters")
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.opinion.strip() and not self.opinion_date:
            raise ValidationError({"opinion_date": _("Give the date the opinion was issued.")})


class PersonalMattersReport(LedgerModel):
    """个人有关事项报告: a leading cadre's yearly filing, random checks and their result."""

    module = "supervision"

    class Result(models.TextChoices):
        NOT_CHECKED = "not_checked", _("Not checked")
        CONSISTENT = "consistent", _("Consistent")
        INCONSISTENT = "inconsistent", _("Inconsistent")
        OMITTED = "omitted", _("Omission found")

    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("cadre")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    filed_date = models.DateField(_("date filed"))
    randomly_checked = models.BooleanField(_("randomly checked"), default=False)
    check_result = models.CharField(
        _("result of the check"), max_length=15, choices=Result.choices, default=Result.NOT_CHECKED
    )
    follow_up = models.TextField(_("follow-up"), blank=True)

    class Meta:
        verbose_name = _("personal matters report")
        verbose_name_plural = _("personal matters reports")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="personal_report_once")
        ]

    def __str__(self):
        return f"{self.year} {self.person}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.check_result != self.Result.NOT_CHECKED and not self.randomly_checked:
            raise ValidationError({"check_result": _("Only a checked report has a result.")})
        if (
            self.check_result in (self.Result.INCONSISTENT, self.Result.OMITTED)
            and not self.follow_up.strip()
        ):
            raise ValidationError({"follow_up": _("Record how the discrepancy is followed up.")})


class LifeMeeting(LedgerModel):
    """民主生活会 / 组织生活会 with the opinions solicited beforehand."""

    module = "supervision"

    class Kind(models.TextChoices):
        DEMOCRATIC = "democratic", _("Democratic life meeting (民主生活会)")
        ORGANISATIONAL = "organisational", _("Organisational life meeting (组织生活会)")

    kind = models.CharField(_("kind of meeting"), max_length=15, choices=Kind.choices)
    date = models.DateField(_("date"))
    theme = models.CharField(_("theme"), max_length=200)
    criticism = models.TextField(_("criticism and self-criticism"), blank=True)

    class Meta:
        verbose_name = _("life meeting")
        verbose_name_plural = _("life meetings")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.theme}"


class Opinion(RaisesItem, TrackedModel):
    """意见建议: one opinion solicited for a life meeting; it may become a rectification item."""

    module = "supervision"
    scope_field = "life_meeting__unit"

    life_meeting = models.ForeignKey(
        LifeMeeting,
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name=_("life meeting"),
    )
    text = models.TextField(_("opinion"))
    # The day it was decided to rectify it (业务日期), apart from when that was entered.
    raised_on = models.DateField(_("raised as an item on"), null=True, blank=True, editable=False)
    item = models.OneToOneField(
        "rectification.RectificationItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("rectification item"),
    )
    # Heard from the item (rectification.services.create_item_from): the day it was closed out.
    item_closed_on = models.DateField(
        _("rectification closed out on"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("solicited opinion")
        verbose_name_plural = _("solicited opinions")
        ordering = ["life_meeting", "id"]

    def __str__(self):
        return self.text[:60]

    def item_defaults(self):
        """Due DEFAULT_DAYS after the day it was raised, in the meeting's unit."""
        meeting = self.life_meeting
        on = self.raised_on
        return {
            "unit": meeting.unit,
            "title": self.text[:200],
            "description": self.text,
            "source": "life_meeting",
            "category": "conduct",
            "found_date": meeting.date,
            "kind": "deadline",
            "deadline": on + datetime.timedelta(days=DEFAULT_DAYS) if on else None,
        }


class DisciplinaryAction(LedgerModel):
    """四种形态: handled under one of the four forms. Seen by the discipline role only."""

    module = "discipline"

    class Form(models.IntegerChoices):
        FIRST = 1, _("First form (批评教育、谈话提醒)")
        SECOND = 2, _("Second form (轻处分、组织调整)")
        THIRD = 3, _("Third form (重处分、重大职务调整)")
        FOURTH = 4, _("Fourth form (严重违纪涉嫌违法立案审查)")

    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    form = models.PositiveSmallIntegerField(_("form"), choices=Form.choices)
    date = models.DateField(_("date"))
    description = models.TextField(_("facts"))
    decision = models.TextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("disciplinary action")
        verbose_name_plural = _("disciplinary actions")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.person} {self.get_form_display().split(' (')[0]}"


class Education(LedgerModel):
    """廉政教育: a warning film, a festival reminder, a clean-government party lecture …"""

    module = "supervision"

    class Kind(models.TextChoices):
        FILM = "film", _("Warning education film (警示教育片)")
        FESTIVAL = "festival", _("Festival integrity reminder (节日廉政提醒)")
        LECTURE = "lecture", _("Clean-government party lecture (廉政党课)")
        OTHER = "other", _("Other")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of education"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    participants = models.ManyToManyField(
        "org.Person", related_name="+", blank=True, verbose_name=_("participants")
    )
    other_participants = models.PositiveIntegerField(_("other participants (headcount)"), default=0)

    class Meta:
        verbose_name = _("clean-government education")
        verbose_name_plural = _("clean-government education")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.title}"
