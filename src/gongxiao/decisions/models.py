"""三重一大: meetings that decide major matters collectively, the statements of each member, the
outcome, and the seal that makes the record tamper-evident."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, LedgerQuerySet, RecordLocked, TrackedModel


class SealedRecordError(RecordLocked):
    """A sealed record was about to change. Corrections are appended as amendments."""


class Body(models.TextChoices):
    PARTY_GROUP = "party_group", _("Party group meeting (党组会)")
    PARTY_COMMITTEE = "party_committee", _("Party committee meeting (党委会)")
    BOARD = "board", _("Board of directors (理事会)")
    SUPERVISORS = "supervisors", _("Board of supervisors (监事会)")
    AFFAIRS = "affairs", _("Co-op affairs meeting (社务会)")
    MANAGEMENT = "management", _("General manager's office meeting (总经理办公会)")
    WORKERS = "workers", _("Workers' congress (职代会)")


class Category(models.TextChoices):
    DECISION = "decision", _("Major decision (重大事项决策)")
    CADRE = "cadre", _("Cadre appointment (重要干部任免)")
    PROJECT = "project", _("Major project (重要项目安排)")
    FUNDS = "funds", _("Large funds (大额资金使用)")


class DecisionRule(models.Model):
    """Quorum and passing rule, as data, per body and category (an empty body or category is
    the default for all). Looked up most specific first."""

    body = models.CharField(_("body"), max_length=20, choices=Body.choices, blank=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, blank=True)
    quorum_num = models.PositiveSmallIntegerField(_("quorum numerator"), default=1)
    quorum_den = models.PositiveSmallIntegerField(
        _("quorum denominator"), default=2, validators=[MinValueValidator(1)]
    )
    quorum_strict = models.BooleanField(
        _("quorum must be exceeded"),
        default=True,
        help_text=_("Ticked: more than the share; unticked: at least."),
    )
    pass_num = models.PositiveSmallIntegerField(_("passing numerator"), default=1)
    pass_den = models.PositiveSmallIntegerField(
        _("passing denominator"), default=2, validators=[MinValueValidator(1)]
    )
    pass_strict = models.BooleanField(_("passing share must be exceeded"), default=True)

    class Meta:
        verbose_name = _("decision rule")
        verbose_name_plural = _("decision rules")
        constraints = [
            models.UniqueConstraint(fields=["body", "category"], name="decision_rule_once")
        ]

    def __str__(self):
        return f"{self.get_body_display() or '*'} / {self.get_category_display() or '*'}"

    @staticmethod
    def meets(count: int, due: int, num: int, den: int, strict: bool) -> bool:
        # Integer arithmetic: count/due > num/den  <=>  count*den > num*due.
        return count * den > num * due if strict else count * den >= num * due

    def quorum_met(self, present: int, due: int) -> bool:
        return self.meets(present, due, self.quorum_num, self.quorum_den, self.quorum_strict)

    def passes(self, agree: int, due: int) -> bool:
        return self.meets(agree, due, self.pass_num, self.pass_den, self.pass_strict)

    def describe(self) -> str:
        def share(num, den, strict):
            return f"{'>' if strict else '≥'}{num}/{den}"

        return _("quorum %(q)s of members due; passed when agreeing %(p)s of members due") % {
            "q": share(self.quorum_num, self.quorum_den, self.quorum_strict),
            "p": share(self.pass_num, self.pass_den, self.pass_strict),
        }


class SealGuardQuerySet(LedgerQuerySet):
    """Bulk updates and deletes refuse to touch sealed rows (the normal ORM paths)."""

    sealed_lookup = "meeting__sealed_at__isnull"

    def _refuse_if_sealed(self):
        if self.filter(**{self.sealed_lookup: False}).exists():
            raise SealedRecordError(_("Sealed records cannot be changed; append an amendment."))

    def update(self, **kwargs):
        self._refuse_if_sealed()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_sealed()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(obj._sealed() for obj in objs):
            raise SealedRecordError(_("Sealed records cannot be changed; append an amendment."))
        return super().bulk_create(objs, *args, **kwargs)


class MeetingQuerySet(SealGuardQuerySet):
    sealed_lookup = "sealed_at__isnull"


class SealGuard:
    """save() and delete() refuse once the meeting is sealed."""

    def _sealed(self) -> bool:
        raise NotImplementedError

    def save(self, *args, **kwargs):
        if self._sealed():
            raise SealedRecordError(_("Sealed records cannot be changed; append an amendment."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._sealed():
            raise SealedRecordError(_("Sealed records cannot be changed; append an amendment."))
        return super().delete(*args, **kwargs)


class Meeting(SealGuard, LedgerModel):
    """会议: one sitting of a decision-making body of a unit."""

    module = "decisions"

    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveSmallIntegerField(_("sequence in the year"), editable=False)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    chair = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chair"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True, editable=False)
    # The day the minutes were confirmed (业务日期), apart from when the seal was recorded.
    sealed_on = models.DateField(_("minutes confirmed on"), null=True, blank=True, editable=False)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("sealed by"),
    )

    objects = MeetingQuerySet.as_manager()

    def number(self):
        """第N次: numbered per unit, body and year in the order meetings are recorded. A meeting
        moved to another year, body or unit takes the next number there."""
        if self.date:
            self.year = self.date.year
        if self.pk and self.sequence:
            stored = Meeting.objects.filter(pk=self.pk).values("unit_id", "body", "year").first()
            if stored and stored != {"unit_id": self.unit_id, "body": self.body, "year": self.year}:
                self.sequence = None
        if not self.sequence and self.unit_id and self.body and self.year:
            last = Meeting.objects.filter(
                unit_id=self.unit_id, body=self.body, year=self.year
            ).aggregate(models.Max("sequence"))["sequence__max"]
            self.sequence = (last or 0) + 1

    def clean(self):
        self.number()

    def save(self, *args, **kwargs):
        self.number()
        super().save(*args, **kwargs)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "body", "year", "sequence"], name="meeting_sequence"
            )
        ]

    def __str__(self):
        return _("%(unit)s %(year)s %(body)s No. %(n)s") % {
            "unit": self.unit.short_name or self.unit.name if self.unit_id else "",
            "year": self.year,
            "body": self.get_body_display().split(" (")[0],
            "n": self.sequence,
        }

    def _sealed(self) -> bool:
        # What the database says, not this object: sealing itself is the last allowed save.
        return (
            self.pk is not None
            and Meeting.objects.filter(pk=self.pk, sealed_at__isnull=False).exists()
        )

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None

    def voting_members(self):
        return self.attendances.filter(role=Attendance.Role.MEMBER)

    def members_due(self) -> int:
        return self.voting_members().count()

    def members_present(self) -> int:
        return self.voting_members().filter(present=True).count()


class Attendance(SealGuard, TrackedModel):
    """A member due (voting) or an attendee without vote (列席), present or absent with a reason."""

    module = "decisions"
    scope_field = "meeting__unit"

    class Role(models.TextChoices):
        MEMBER = "member", _("member (voting)")
        ATTENDEE = "attendee", _("attendee without vote (列席)")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_principal = models.BooleanField(
        _("principal leader"), default=False, help_text=_("主要负责人: states last.")
    )
    present = models.BooleanField(_("present"), default=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    objects = SealGuardQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["role", "-is_principal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once")
        ]

    def __str__(self):
        return str(self.person)

    def _sealed(self) -> bool:
        return Meeting.objects.filter(pk=self.meeting_id, sealed_at__isnull=False).exists()


class Outcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Rejected")
    DEFERRED = "deferred", _("Deferred")


class Matter(SealGuard, TrackedModel):
    """议题: a matter put to the meeting."""

    module = "decisions"
    scope_field = "meeting__unit"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="matters", verbose_name=_("meeting")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    category = models.CharField(_("matter category"), max_length=10, choices=Category.choices)
    title = models.CharField(_("matter"), max_length=200)
    amount = models.DecimalField(
        _("amount (10,000 yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    proposer = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposer"),
    )
    materials = models.TextField(_("materials"), blank=True)
    feasibility_study = models.BooleanField(_("feasibility study"), default=False)
    legal_review = models.BooleanField(_("legal review"), default=False)
    opinions_solicited = models.BooleanField(_("opinions solicited"), default=False)
    risk_assessment = models.BooleanField(_("risk assessment"), default=False)
    party_prior_study = models.BooleanField(
        _("studied first by the party organisation (前置研究)"), default=False
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=Outcome.choices,
        default=Outcome.PENDING,
        editable=False,
    )
    decision_text = models.TextField(_("decision"), blank=True)
    # The day the meeting decided (业务日期): its own date, however late the votes are entered.
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)

    objects = SealGuardQuerySet.as_manager()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["meeting__date", "order", "id"]

    def __str__(self):
        return self.title

    def _sealed(self) -> bool:
        return Meeting.objects.filter(pk=self.meeting_id, sealed_at__isnull=False).exists()

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.category == Category.FUNDS and self.amount is None:
            raise ValidationError({"amount": _("A matter on large funds needs its amount.")})


class StatementQuerySet(SealGuardQuerySet):
    sealed_lookup = "matter__meeting__sealed_at__isnull"


class Statement(SealGuard, models.Model):
    """表态: one present voting member's position on a matter."""

    module = "decisions"
    scope_field = "matter__meeting__unit"

    class Position(models.TextChoices):
        AGREE = "agree", _("agree")
        DISAGREE = "disagree", _("disagree")
        DEFER = "defer", _("defer")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="statements")
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    position = models.CharField(_("position"), max_length=10, choices=Position.choices)
    remarks = models.TextField(_("remarks"), blank=True)
    sequence = models.PositiveSmallIntegerField(editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["sequence"]
        constraints = [models.UniqueConstraint(fields=["matter", "person"], name="statement_once")]

    def __str__(self):
        return f"{self.person}：{self.get_position_display()}"

    def _sealed(self) -> bool:
        return Meeting.objects.filter(matters=self.matter_id, sealed_at__isnull=False).exists()


class Seal(models.Model):
    """封存: a keyed digest (HMAC-SHA256, the key outside the database) of a sealed record's
    canonical content, chained to the unit's previous seal. A meeting is sealed once; each
    amendment is sealed too, in the same chain. Seals made before the key are plain SHA-256
    (scheme `sha256`) and still verify, as long as the anchors file holds them."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting")
        AMENDMENT = "amendment", _("amendment")

    class Scheme(models.TextChoices):
        SHA256 = "sha256", "SHA-256 (legacy, no key)"
        HMAC_V1 = "hmac-v1", "HMAC-SHA256"

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position in the chain"))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="seals")
    amendment = models.OneToOneField(
        "Amendment", on_delete=models.PROTECT, null=True, blank=True, related_name="seal"
    )
    digest = models.CharField(max_length=64)
    scheme = models.CharField(max_length=10, choices=Scheme.choices, default=Scheme.HMAC_V1)
    previous = models.CharField(max_length=64, blank=True)
    sealed_at = models.DateTimeField()
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("seal")
        verbose_name_plural = _("seals")
        ordering = ["unit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "position"], name="seal_chain_position")
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise SealedRecordError("Seals cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SealedRecordError("Seals cannot be deleted.")


class Amendment(models.Model):
    """更正: a correction appended to a sealed meeting, itself sealed."""

    module = "decisions"
    scope_field = "meeting__unit"  # its change record is kept with the meeting's unit

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="amendments")
    text = models.TextField(_("correction"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["created_at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise SealedRecordError("Amendments cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SealedRecordError("Amendments cannot be deleted.")


class FollowUp(TrackedModel):
    """执行情况: how a decision is being carried out. Written after the meeting, so not part of
    the sealed record; append-only like a progress log."""

    module = "decisions"
    scope_field = "matter__meeting__unit"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"))
    text = models.TextField(_("execution follow-up"))
    completed = models.BooleanField(_("carried out in full"), default=False)

    class Meta:
        verbose_name = _("execution follow-up")
        verbose_name_plural = _("execution follow-ups")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date} {self.text[:40]}"
