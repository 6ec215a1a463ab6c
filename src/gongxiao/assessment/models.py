"""绩效考核 (SPEC §3.6): 100-point schemes kept as data, in editions; cycles (quarterly, yearly and
the annual comprehensive assessment 综合业绩考评 that combines cycles by weights) in which an
assessing unit scores the units — or persons — it assesses; a score sheet per assessed unit
or person, one score per indicator, and appeals that reopen one score.

A score sheet belongs to the unit assessed (a person's sheet to his unit), so the scoping layer
lets a grassroots co-op see its own sheet; once the cycle is published the sheet is shared with
the other units of its cycle (`published_to`), and only then."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, TrackedModel
from gongxiao.core.periods import parse_period

from . import rules

ZERO = Decimal(0)


def _points(label, **kw):
    return models.DecimalField(label, max_digits=7, decimal_places=2, **kw)


def _value(label, **kw):
    return models.DecimalField(label, max_digits=16, decimal_places=4, null=True, blank=True, **kw)


class Subject(models.TextChoices):
    UNITS = "units", _("units")
    PERSONS = "persons", _("persons")


class Scheme(LedgerModel):
    """考核方案: one edition of a scheme; a later edition is a new row (`based_on`), so every
    cycle keeps the edition it was scored by. Locked once a cycle opens on it (`locked_on`)."""

    module = "assessment"

    code = models.CharField(_("scheme code"), max_length=30)
    name = models.CharField(_("scheme name"), max_length=100)
    edition = models.PositiveIntegerField(_("edition"), default=1)
    subject = models.CharField(
        _("assesses"), max_length=10, choices=Subject.choices, default=Subject.UNITS
    )
    bands = models.JSONField(
        _("grade bands"),
        default=list,
        blank=True,
        help_text=_(
            "[[minimum, grade], …], e.g. "
            "[[90, “优秀”], [75, “称职”], [60, “基本称职”], [0, “不称职”]]"
        ),
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editions",
        verbose_name=_("based on edition"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "code", "edition"], name="assessment_scheme_edition"
            )
        ]

    def __str__(self):
        return str(_("%(name)s (edition %(n)s)") % {"name": self.name, "n": self.edition})

    def clean(self):
        self.bands = rules.check_bands(self.bands)

    @property
    def locked_on(self):
        """The day the first cycle opened on this edition (it is locked from then), or None.
        Derived from the cycles, so the lock and its day cannot disagree with them."""
        if not self.pk:
            return None
        return (
            Cycle.objects.filter(scheme=self)
            .exclude(status=Cycle.Status.DRAFT)
            .aggregate(day=models.Min("opened_on"))["day"]
        )


class Indicator(TrackedModel):
    """指标项: what is assessed, its weight (its maximum points) and its scoring rule; bound, if
    it is measured, to a metric of the catalogue with the reports' narrowing (维度=值)."""

    module = "assessment"
    scope_field = "scheme__unit"

    class Rule(models.TextChoices):
        MANUAL = rules.MANUAL, _("manual (0 to the maximum)")
        LADDER = rules.LADDER, _("ladder (thresholds to points)")
        PROPORTION = rules.PROPORTION, _("proportion of a target (capped)")
        DEDUCTION = rules.DEDUCTION, _("deduction per occurrence (with a floor)")
        BONUS = rules.BONUS, _("bonus per occurrence (with a cap)")

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("scheme")
    )
    section = models.CharField(_("section"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=1)
    name = models.CharField(_("indicator"), max_length=200)
    weight = _points(_("weight (points)"), validators=[MinValueValidator(ZERO)])
    rule = models.CharField(_("scoring rule"), max_length=12, choices=Rule.choices)
    params = models.JSONField(_("rule parameters"), default=dict, blank=True)
    metric = models.CharField(_("metric"), max_length=100, blank=True)
    narrowing = models.CharField(
        _("narrowing (维度=值)"),
        max_length=200,
        blank=True,
        help_text=_("As in a report: 会议类型=党组会; several separated by |."),
    )
    target = _value(_("default target"))
    guidance = models.TextField(_("scoring guidance"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="assessment_indicator_name")
        ]

    def __str__(self):
        return self.name

    @property
    def counts_toward_100(self) -> bool:
        return self.rule != rules.BONUS

    @property
    def max_points(self) -> Decimal:
        if self.rule == rules.BONUS:
            return Decimal(str(self.params.get("cap", 0)))
        return self.weight

    def clean(self):
        try:
            self.params = rules.check_params(self.rule, self.weight or ZERO, self.params)
        except ValidationError as exc:
            raise ValidationError({"params": exc.messages}) from None
        if self.rule == rules.MANUAL and self.metric:
            raise ValidationError(
                {"metric": _("A manual indicator gives points, not a figure: it takes no metric.")}
            )
        if self.metric:
            from . import fill

            problem = fill.binding_problem(self.metric, self.narrowing)
            if problem:
                raise ValidationError({"metric": problem})


class Cycle(LedgerModel):
    """考核周期: the assessing unit's quarterly or yearly assessment by a scheme edition, or the
    annual comprehensive assessment combining its cycles by weights. The assessed units (or
    persons) each get a score sheet when the cycle opens."""

    module = "assessment"
    # The units assessed see the cycle (not one another's sheets).
    shared_with_field = "sheets__unit"

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("quarterly")
        YEAR = "year", _("yearly")
        COMPREHENSIVE = "comprehensive", _("annual comprehensive (综合业绩考评)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        PUBLISHED = "published", _("published")

    name = models.CharField(_("cycle name"), max_length=100)
    kind = models.CharField(_("kind of cycle"), max_length=15, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=10, help_text=_("2023Q1, or 2023"))
    period_start = models.DateField(_("period from"), editable=False, null=True)
    period_end = models.DateField(_("period to"), editable=False, null=True)
    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cycles",
        verbose_name=_("scheme"),
    )
    assessed_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("units assessed")
    )
    assessed_persons = models.ManyToManyField(
        "org.Person", blank=True, related_name="+", verbose_name=_("persons assessed")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True, editable=False)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")

    def __str__(self):
        return self.name

    def clean(self):
        try:
            p = parse_period(self.period)
        except ValueError as exc:
            raise ValidationError({"period": str(exc)}) from None
        quarter = "Q" in p.code
        if self.kind == self.Kind.QUARTER and not quarter:
            raise ValidationError({"period": _("A quarterly cycle needs a quarter: 2023Q1.")})
        if self.kind != self.Kind.QUARTER and len(p.code) != 4:
            raise ValidationError(
                {"period": _("A yearly or comprehensive cycle needs a year: 2023.")}
            )
        self.period, self.period_start, self.period_end = p.code, p.start, p.end
        if self.kind == self.Kind.COMPREHENSIVE:
            if self.scheme_id:
                raise ValidationError(
                    {"scheme": _("A comprehensive assessment combines cycles; it takes no scheme.")}
                )
        elif not self.scheme_id:
            raise ValidationError(
                {"scheme": _("A quarterly or yearly cycle is scored by a scheme.")}
            )
        elif (
            self.unit_id
            and self.scheme is not None
            and not self.unit.path.startswith(self.scheme.unit.path)
        ):
            raise ValidationError(
                {"scheme": _("The scheme must be the assessing unit's own or a unit's above it.")}
            )


class Component(TrackedModel):
    """One cycle counted in an annual comprehensive assessment, with its weight (per cent)."""

    module = "assessment"
    scope_field = "cycle__unit"

    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.CASCADE,
        related_name="components",
        verbose_name=_("comprehensive cycle"),
    )
    part = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="+", verbose_name=_("cycle counted")
    )
    weight = _points(_("weight (%)"), validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        verbose_name = _("component of a comprehensive assessment")
        verbose_name_plural = _("components of comprehensive assessments")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "part"], name="assessment_component_once")
        ]

    def __str__(self):
        return f"{self.cycle} ← {self.part}" if self.cycle_id and self.part_id else "—"

    def clean(self):
        if not (self.cycle_id and self.part_id):
            return
        if self.cycle.kind != Cycle.Kind.COMPREHENSIVE:
            raise ValidationError({"cycle": _("Only a comprehensive assessment combines cycles.")})
        if self.part.kind == Cycle.Kind.COMPREHENSIVE or self.part_id == self.cycle_id:
            raise ValidationError(
                {"part": _("A comprehensive assessment combines quarterly and yearly cycles.")}
            )
        if self.part.unit_id != self.cycle.unit_id:
            raise ValidationError({"part": _("The cycle counted must be the same unit's.")})
        if self.part.period[:4] != self.cycle.period[:4]:
            raise ValidationError({"part": _("The cycle counted must be of the same year.")})


class Sheet(LedgerModel):
    """考核评分表: one assessed unit's (or person's) sheet in a cycle; `unit` is the unit
    assessed (a person's unit), so the unit sees its own sheet."""

    module = "assessment"
    shared_with_field = "published_to"

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting self-assessment")
        SELF_ASSESSED = "self_assessed", _("self-assessed")
        SCORED = "scored", _("scored")
        REVIEWED = "reviewed", _("reviewed")

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("cycle")
    )
    person = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person assessed"),
    )
    peer_group = models.CharField(_("peer group"), max_length=50)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.OPEN
    )
    self_on = models.DateField(_("self-assessed on"), null=True, blank=True)
    self_note = models.TextField(_("self-assessment"), blank=True)
    scored_on = models.DateField(_("scored on"), null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scored by"),
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    total = _points(_("total score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank in peer group"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    published_to = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("published to")
    )

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit"],
                condition=models.Q(person__isnull=True),
                name="assessment_sheet_unit_once",
            ),
            models.UniqueConstraint(
                fields=["cycle", "person"],
                condition=models.Q(person__isnull=False),
                name="assessment_sheet_person_once",
            ),
        ]

    def __str__(self):
        who = (
            self.person.name
            if self.person is not None
            else (self.unit.name if self.unit_id else "—")
        )
        return f"{who} · {self.cycle}" if self.cycle_id else who

    @property
    def assessed(self) -> str:
        return self.person.name if self.person is not None else self.unit.name


class Score(TrackedModel):
    """One indicator's score on a sheet: the unit's self-assessment with its evidence, the
    figure filled from the metric (`auto_value`, with the rows behind it), the assessor's
    value when he overrides it (with reason and evidence; both kept), and the points."""

    module = "assessment"
    scope_field = "sheet__unit"

    sheet = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("score sheet")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    target = _value(_("target"))
    self_value = _value(_("self-assessed value or points"))
    self_note = models.TextField(_("self-assessment note"), blank=True)
    self_evidence = models.FileField(
        _("self-assessment evidence"),
        upload_to="assessment/evidence/%Y/",
        blank=True,
        max_length=300,
    )
    auto_value = _value(_("value from the metric"))
    auto_rows = models.JSONField(_("rows behind the figure"), default=list, blank=True)
    auto_url = models.CharField(_("rows of the figure"), max_length=500, blank=True)
    value = _value(_("assessed value or points"))
    overridden = models.BooleanField(_("metric overridden"), default=False)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    override_evidence = models.FileField(
        _("evidence for the override"),
        upload_to="assessment/evidence/%Y/",
        blank=True,
        max_length=300,
    )
    points = _points(_("points"), null=True, blank=True)
    scored_on = models.DateField(_("scored on"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened by an appeal"), default=False)

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["indicator__order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "indicator"], name="assessment_score_once")
        ]

    def __str__(self):
        if not (self.sheet_id and self.indicator_id):
            return "—"
        return f"{self.sheet.assessed} · {self.indicator.name}"


class Appeal(TrackedModel):
    """申诉: an assessed unit disputes one indicator's score; upheld, the score is reopened for
    the assessor to score again, and the totals and ranking follow."""

    module = "assessment"
    scope_field = "sheet__unit"

    class Status(models.TextChoices):
        FILED = "filed", _("filed")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected")

    sheet = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("score sheet")
    )
    score = models.ForeignKey(
        Score, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("indicator score")
    )
    reason = models.TextField(_("reason for the appeal"))
    filed_on = models.DateField(_("filed on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FILED
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self):
        return str(_("Appeal on %(score)s") % {"score": self.score}) if self.score_id else "—"
