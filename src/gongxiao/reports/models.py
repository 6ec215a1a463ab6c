"""Report drafts (报告), their sections, and the Word templates users bring."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, RecordLocked, TrackedModel
from gongxiao.core.periods import parse_period

FINAL_MESSAGE = _("The report is finalised; its text and figures no longer change.")
# Characters a Word file cannot hold (control characters other than tab and line breaks).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def no_control_characters(value):
    if value and CONTROL.search(value):
        raise ValidationError(
            _(
                "The text holds invisible control characters (often pasted from another "
                "program); remove them."
            )
        )


class Kind(models.TextChoices):
    """The built-in skeletons, after the seed reports (see skeletons.py)."""

    GOVERNANCE = "governance", _("Yearly report on strict self-governance of the Party")
    PARTY_HALF = "party_half", _("Half-year party-building summary")
    WORK_SUMMARY = "work_summary", _("Yearly work summary and next-year plan")
    CAMPAIGN = "campaign", _("Special-campaign report")
    BLANK = "blank", _("Blank draft")


def validate_period(value):
    try:
        parse_period(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def template_path(template, filename):
    return f"report_templates/{template.unit_id}/{filename}"


def final_path(draft, filename):
    return f"reports/{draft.unit_id}/{draft.pk}/{filename}"


class ReportTemplate(LedgerModel):
    """A Word file (.docx) with docxtpl placeholders that a unit uses for its reports."""

    module = "reports"

    name = models.CharField(_("template name"), max_length=100)
    file = models.FileField(_("Word file"), upload_to=template_path, max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        from .templating import check_template

        if self.file:
            errors = check_template(self.file)
            if errors:
                raise ValidationError({"file": errors})


class ReportDraft(LedgerModel):
    """A report being written for a unit's subtree and a period: numbered sections of narrative
    in which figure and table placeholders resolve from the ledgers."""

    module = "reports"
    # The frozen figures stay out of the change history, which every viewer of the row reads.
    history_exclude = ("snapshot",)

    class Status(models.TextChoices):
        DRAFT = "draft", _("being drafted")
        FINAL = "final", _("finalised")

    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the skeleton's title."),
        validators=[no_control_characters],
    )
    kind = models.CharField(_("skeleton"), max_length=20, choices=Kind.choices, default=Kind.BLANK)
    period = models.CharField(
        _("period"),
        max_length=10,
        validators=[validate_period],
        help_text=_("2022, 2022H1, 2022Q3 or 2022-07"),
    )
    campaign = models.ForeignKey(
        "rectification.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
        help_text=_("For a special-campaign report: the figures marked 本专项 count its items."),
    )
    template = models.ForeignKey(
        ReportTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("Word template"),
        help_text=_("Leave empty for the official layout of GB/T 9704-2012."),
    )
    addressee = models.CharField(
        _("addressee"), max_length=200, blank=True, help_text=_("主送机关, e.g. 市纪委监委")
    )
    doc_number = models.CharField(
        _("document number"), max_length=50, blank=True, help_text=_("e.g. 湘供发〔2023〕15号")
    )
    issuer = models.CharField(
        _("issuing authority"),
        max_length=100,
        blank=True,
        help_text=_("Signed at the end; the unit's name when empty."),
    )
    issue_date = models.DateField(_("date of the document"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True, editable=False)
    # The figures as they stood when the draft was finalised: the issued report never changes.
    snapshot = models.JSONField(_("figures at finalisation"), default=dict, editable=False)
    final_docx = models.FileField(
        _("final Word file"), upload_to=final_path, blank=True, max_length=300, editable=False
    )
    final_workpapers = models.FileField(
        _("final working papers"), upload_to=final_path, blank=True, max_length=300, editable=False
    )

    class Meta:
        verbose_name = _("report draft")
        verbose_name_plural = _("report drafts")
        ordering = ["-period", "-updated_at"]

    def __str__(self):
        from .placeholders import plain_title

        return plain_title(self) if self.unit_id and self.period else self.title

    def save(self, *args, **kwargs):
        # Once finalised, a report is what was issued: no later save, whatever the path.
        if self.pk and ReportDraft.objects.filter(pk=self.pk, status=self.Status.FINAL).exists():
            raise RecordLocked(FINAL_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if ReportDraft.objects.filter(pk=self.pk, status=self.Status.FINAL).exists():
            raise RecordLocked(FINAL_MESSAGE)
        return super().delete(*args, **kwargs)

    @property
    def period_obj(self):
        return parse_period(self.period)

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    def clean(self):
        if self.period:
            try:  # 2022年第三季度, as the pages print it, is kept as 2022Q3
                self.period = parse_period(self.period).code
            except ValueError:
                self.period = self.period.strip().upper()
        if self.doc_number:
            # 〔2023〕15号: the year in hexagonal brackets, whatever brackets were typed.
            self.doc_number = re.sub(
                r"[\[［(（【〔]\s*(\d{4})\s*[\]］)）】〕]", r"〔\1〕", self.doc_number.strip()
            )
        if not self.title.strip() and self.kind:
            from .skeletons import skeleton

            self.title = skeleton(self.kind)["title"]
        if not self.title.strip():
            raise ValidationError({"title": _("Give the report a title.")})
        if self.campaign_id and self.kind != Kind.CAMPAIGN:
            raise ValidationError(
                {"campaign": _("Only a special-campaign report names a campaign.")}
            )


class ReportSection(TrackedModel):
    """One numbered part of a draft. Levels follow the official headings: 一、（一）1.（1）;
    level 0 is narrative without a heading (the opening, say)."""

    module = "reports"
    scope_field = "draft__unit"

    class Level(models.IntegerChoices):
        TEXT = 0, _("text without heading")
        ONE = 1, "一、"
        TWO = 2, "（一）"
        THREE = 3, "1."
        FOUR = 4, "（1）"

    draft = models.ForeignKey(
        ReportDraft, on_delete=models.CASCADE, related_name="sections", verbose_name=_("draft")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.ONE)
    heading = models.CharField(
        _("heading"), max_length=200, blank=True, validators=[no_control_characters]
    )
    body = models.TextField(
        _("text"),
        blank=True,
        validators=[no_control_characters],
        help_text=_(
            "Figures: {{ key }}, {{ key | 上年 }}, {{ key | 同比 }}, {{ key | 本专项 }}; "
            "a table by unit on its own line: {{ 表: key1, key2 }}; {{ 单位 }}, {{ 期间 }}."
        ),
    )

    class Meta:
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        ordering = ["draft", "order", "id"]

    def __str__(self):
        return self.heading or str(self.body)[:30]

    def _final_drafts(self) -> bool:
        ids = {self.draft_id}
        if self.pk:
            ids |= set(ReportSection.objects.filter(pk=self.pk).values_list("draft_id", flat=True))
        return ReportDraft.objects.filter(pk__in=ids, status=ReportDraft.Status.FINAL).exists()

    def save(self, *args, **kwargs):
        # Neither into nor out of a finalised report.
        if self._final_drafts():
            raise RecordLocked(FINAL_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._final_drafts():
            raise RecordLocked(FINAL_MESSAGE)
        return super().delete(*args, **kwargs)

    def clean(self):
        if self.level and not self.heading.strip():
            raise ValidationError({"heading": _("A numbered section needs a heading.")})
