"""信用合作 (SPEC §3.5, the credit leg of 生产·供销·信用 "三位一体"): the credit rating of the
members of the farmers' federation (agri.Member) on scorecards kept as versioned data, guarantee
business (融资担保) with its life in dated events, and bank cooperation: agreements, credit
granted to members (授信) and loans arranged.

Amounts are in 万元 with four decimals (exact to the yuan). Every event carries its business
date; a figure of a past period is computed from those dates (services.py), never from a status
column."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, TrackedModel

ZERO = Decimal(0)
POSITIVE = [MinValueValidator(Decimal("0.0001"))]
NOT_NEGATIVE = [MinValueValidator(ZERO)]


def _money(label, **kw):
    # 万元 with four decimals: exact to the yuan.
    return models.DecimalField(label, max_digits=14, decimal_places=4, **kw)


def _points(label, **kw):
    # Points with two decimals; a score with more is refused, never rounded (services.py).
    return models.DecimalField(label, max_digits=6, decimal_places=2, **kw)


class Grade(models.TextChoices):
    """The grades of the ladder, best first. Which score earns which grade is data (GradeBand)."""

    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"


GRADE_ORDER = [Grade.AAA, Grade.AA, Grade.A]  # best first


class MemberRow(LedgerModel):
    """A row about one member of the farmers' federation, kept by the member's own unit."""

    member = models.ForeignKey(
        "agri.Member",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("federation member"),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.member_id and self.unit_id and self.member.unit_id != self.unit_id:
            raise ValidationError(
                {
                    "member": _(
                        "The member belongs to another unit: choose that unit, "
                        "or a member of this one."
                    )
                }
            )


# --- rating (信用等级评定) --------------------------------------------------------------------


class Scorecard(LedgerModel):
    """信用评分表: a named scorecard in one edition. Its sections, items and grade bands are its
    content; once a rating has used an edition, the edition no longer changes (a change is a
    new edition, action `new_edition`), and each rating keeps the edition and the points it
    scored besides."""

    module = "credit"

    name = models.CharField(_("scorecard"), max_length=100)
    edition = models.PositiveSmallIntegerField(_("edition"), default=1, editable=False)
    valid_from = models.DateField(_("in use from"))
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("previous edition"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("credit scorecard")
        verbose_name_plural = _("credit scorecards")
        ordering = ["name", "-edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name", "edition"], name="credit_scorecard_edition_unique"
            )
        ]

    def __str__(self):
        return f"{self.name}（第{self.edition}版）"


class ScoreSection(TrackedModel):
    """A section of a scorecard: a base section (household situation 40, finances 50, credit
    history 10) whose items' scores add up to at most its points, or the bonus or deduction
    section, whose points cap the bonus added or the deduction taken."""

    module = "credit"
    scope_field = "scorecard__unit"

    class Kind(models.TextChoices):
        BASE = "base", _("scored section")
        BONUS = "bonus", _("bonus items")
        DEDUCTION = "deduction", _("deduction items")

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="sections", verbose_name=_("scorecard")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("section"), max_length=100)
    kind = models.CharField(
        _("kind of section"), max_length=10, choices=Kind.choices, default=Kind.BASE
    )
    points = _points(_("points (cap)"), validators=POSITIVE)

    class Meta:
        verbose_name = _("scorecard section")
        verbose_name_plural = _("scorecard sections")
        ordering = ["scorecard", "order", "id"]

    def __str__(self):
        return f"{self.scorecard} · {self.title}"


class ScoreItem(TrackedModel):
    """An item of a section with the most points it can score (or, in the deduction section,
    take away) and the guidance the rater follows."""

    module = "credit"
    scope_field = "section__scorecard__unit"

    section = models.ForeignKey(
        ScoreSection, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    code = models.CharField(
        _("item code"),
        max_length=20,
        validators=[
            RegexValidator(
                r"^[a-z0-9_]+$", _("Use lower-case letters, digits and underscores only.")
            )
        ],
        help_text=_("Short and unique in the scorecard, e.g. h1; it names the item's field."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("item"), max_length=200)
    points = _points(_("maximum points"), validators=POSITIVE)
    guidance = models.TextField(_("how to score"), blank=True)

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        ordering = ["section__order", "order", "id"]

    def __str__(self):
        return f"{self.code} {self.title}"

    def validate_unique(self, exclude=None):
        # A code is unique in its scorecard, across its sections: checked with the unique
        # fields, so an import tells a row already kept from a clash.
        super().validate_unique(exclude=exclude)
        if exclude and "code" in exclude or not (self.section_id and self.code):
            return
        clash = ScoreItem.objects.filter(
            section__scorecard_id=self.section.scorecard_id, code=self.code
        ).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"code": _("Another item of this scorecard has this code.")})


class GradeBand(TrackedModel):
    """A grade and the lowest total that earns it (AAA ≥ 80, AA ≥ 70, A ≥ 60); below the lowest
    band a member is rated but not graded."""

    module = "credit"
    scope_field = "scorecard__unit"

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="bands", verbose_name=_("scorecard")
    )
    grade = models.CharField(_("grade"), max_length=4, choices=Grade.choices)
    min_score = _points(
        _("lowest total for the grade"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["scorecard", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "grade"], name="credit_band_one_per_grade")
        ]

    def __str__(self):
        return f"{self.grade} ≥ {self.min_score}"


class CreditRating(MemberRow):
    """信用等级评定: one member's rating for one year on one scorecard edition. Scored by one
    person (rater), approved by another; the edition, each item's points and evidence, the
    total and the grade are kept with the rating."""

    module = "credit"

    class Status(models.TextChoices):
        DRAFT = "draft", _("to be scored")
        SCORED = "scored", _("scored, awaiting approval")
        APPROVED = "approved", _("approved")

    year = models.PositiveSmallIntegerField(
        _("rating year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("scorecard")
    )
    edition = models.PositiveSmallIntegerField(_("scorecard edition"), null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    total = _points(_("total score"), null=True, blank=True, editable=False)
    grade = models.CharField(
        _("grade"), max_length=4, choices=Grade.choices, blank=True, editable=False
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("rated by"),
    )
    rated_on = models.DateField(_("rated on"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    returned_reason = models.CharField(
        _("returned because"), max_length=200, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("credit rating")
        verbose_name_plural = _("credit ratings")
        ordering = ["-year", "unit__path", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="credit_rating_one_per_year")
        ]

    def __str__(self):
        return f"{self.year} {self.member}"


class RatingScore(TrackedModel):
    """The points one item scored in a rating, with its evidence, and the item as it stood
    (section, code, title, maximum) so the rating reads the same whatever happens later."""

    module = "credit"
    scope_field = "rating__unit"

    rating = models.ForeignKey(
        CreditRating,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("credit rating"),
    )
    item = models.ForeignKey(
        ScoreItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("scorecard item")
    )
    section_title = models.CharField(_("section"), max_length=100)
    section_kind = models.CharField(
        _("kind of section"), max_length=10, choices=ScoreSection.Kind.choices
    )
    item_code = models.CharField(_("item code"), max_length=20)
    item_title = models.CharField(_("item"), max_length=200)
    max_points = _points(_("maximum points"))
    score = _points(_("points scored"))
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["rating", "id"]

    def __str__(self):
        return f"{self.item_code} {self.score}"


# --- guarantees (融资担保) --------------------------------------------------------------------


class Sector(models.TextChoices):
    """Whether a guarantee or a loan serves agriculture (涉农): a choice, so a sentence narrows a
    figure by its label (`| 涉农`) and an export reads back as it was written."""

    AGRI = "agri", _("agricultural (涉农)")
    OTHER = "other", _("not agricultural (非涉农)")


class Guarantee(MemberRow):
    """融资担保: a guarantee for a member's loan from a lender bank, given by a guarantor (the city
    agricultural guarantee company, 市农担公司), arranged at an agency point (代办点). Its life is
    its events: in force (在保) from the start until released (解保) or compensated (代偿);
    the balance on any day follows from the events dated up to that day."""

    module = "credit"

    contract_number = models.CharField(_("guarantee contract no."), max_length=50, blank=True)
    lender = models.CharField(_("lender bank"), max_length=100)
    guarantor = models.CharField(_("guarantor"), max_length=100)
    amount = _money(_("amount guaranteed (10,000 yuan)"), validators=POSITIVE)
    start_date = models.DateField(_("guaranteed from"))
    end_date = models.DateField(_("guaranteed until"))
    sector = models.CharField(
        _("agricultural or not"), max_length=5, choices=Sector.choices, default=Sector.AGRI
    )
    agency_point = models.CharField(_("agency point (代办点)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("guarantee")
        verbose_name_plural = _("guarantees")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return f"{self.member} {self.lender} {self.start_date}"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})


class GuaranteeEvent(TrackedModel):
    """An event in a guarantee's life on its business date: a release (解保, of part or all of
    the balance), a compensation (代偿: the guarantor paid the lender; the guarantee leaves
    在保), or a recovery (追偿回收) of a compensation. Kept as recorded, never edited."""

    module = "credit"
    scope_field = "guarantee__unit"

    class Kind(models.TextChoices):
        RELEASE = "release", _("release (解保)")
        COMPENSATION = "compensation", _("compensation (代偿)")
        RECOVERY = "recovery", _("recovery (追偿回收)")

    guarantee = models.ForeignKey(
        Guarantee, on_delete=models.PROTECT, related_name="events", verbose_name=_("guarantee")
    )
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("business date"))
    amount = _money(_("amount (10,000 yuan)"), validators=POSITIVE)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("guarantee event")
        verbose_name_plural = _("guarantee events")
        ordering = ["guarantee", "date", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


# --- bank cooperation ------------------------------------------------------------------------


class BankAgreement(LedgerModel):
    """银行合作协议: an agreement with a bank (e.g. the 三位一体 strategic co-operation agreement),
    its date and the credit line it promises (意向贷款)."""

    module = "credit"

    bank = models.CharField(_("bank"), max_length=100)
    title = models.CharField(_("agreement"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    credit_line = _money(_("credit line (10,000 yuan)"), validators=NOT_NEGATIVE)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("bank agreement")
        verbose_name_plural = _("bank agreements")
        ordering = ["-signed_on", "-id"]

    def __str__(self):
        return f"{self.bank} {self.title}"

    def clean(self):
        super().clean()
        if self.signed_on and self.valid_until and self.valid_until < self.signed_on:
            raise ValidationError({"valid_until": _("The end cannot be before the start.")})


class CreditLine(MemberRow):
    """授信: credit a bank granted a member, under an agreement or not."""

    module = "credit"

    bank = models.CharField(_("bank"), max_length=100)
    agreement = models.ForeignKey(
        BankAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_lines",
        verbose_name=_("bank agreement"),
    )
    granted_on = models.DateField(_("granted on"))
    amount = _money(_("credit granted (10,000 yuan)"), validators=POSITIVE)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit granted")
        verbose_name_plural = _("credit granted")
        ordering = ["-granted_on", "-id"]

    def __str__(self):
        return f"{self.member} {self.bank} {self.granted_on}"


class Loan(MemberRow):
    """贷款: a loan to a member the federation arranged, with its bank, amount, date and term."""

    module = "credit"

    bank = models.CharField(_("bank"), max_length=100)
    agreement = models.ForeignKey(
        BankAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("bank agreement"),
    )
    lent_on = models.DateField(_("lent on"))
    amount = _money(_("loan (10,000 yuan)"), validators=POSITIVE)
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    sector = models.CharField(
        _("agricultural or not"), max_length=5, choices=Sector.choices, default=Sector.AGRI
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("loan arranged")
        verbose_name_plural = _("loans arranged")
        ordering = ["-lent_on", "-id"]

    def __str__(self):
        return f"{self.member} {self.bank} {self.lent_on}"
