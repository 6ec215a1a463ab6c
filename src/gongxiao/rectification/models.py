"""整改台账: campaigns, problems found, their measures, progress with evidence, and the
transitions of each item up to close-out (销号)."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, LedgerQuerySet, TrackedModel


class Campaign(LedgerModel):
    """专项行动 / 专项整治: a named campaign with a plan, a period and the units taking part."""

    module = "rectification"
    # Seen by the units taking part as well as by its own unit's subtree.
    shared_with_field = "units"

    name = models.CharField(_("campaign name"), max_length=200)
    plan = models.TextField(_("plan"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="campaigns", verbose_name=_("units taking part")
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class Source(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    AUDIT = "audit", _("Special audit")
    TOUR = "tour", _("Inspection tour")
    LIFE_MEETING = "life_meeting", _("Life meeting opinion")
    CASE_REFORM = "case_reform", _("Case-based reform")
    PROBLEM_LISTS = "problem_lists", _("Problem lists")
    SELF_CHECK = "self_check", _("Self-inspection")
    ASSIGNED = "assigned", _("Assigned from above")
    PETITION = "petition", _("Petitions and reports")
    SAFETY = "safety", _("Safety inspection")
    ASSET_INVENTORY = "asset_inventory", _("Asset inventory")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    POLITICAL = "political", _("Political")
    IDEOLOGICAL = "ideological", _("Ideological")
    ORGANISATIONAL = "organisational", _("Organisational")
    CONDUCT = "conduct", _("Conduct")
    DISCIPLINE = "discipline", _("Discipline")
    INSTITUTIONAL = "institutional", _("Institutional")
    BUSINESS = "business", _("Business management")
    ASSETS = "assets", _("Assets")
    FINANCE = "finance", _("Finance")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class Kind(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate (立行立改)")
    DEADLINE = "deadline", _("By a deadline (限期整改)")
    ONGOING = "ongoing", _("Ongoing (长期坚持)")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In rectification")
    REQUESTED = "requested", _("Close-out requested")
    CLOSED = "closed", _("Closed out")


def closed_by(on: datetime.date) -> Q:
    """Closed out on or before `on` (a close-out stamps closed_at; a reopening clears it)."""
    return Q(status=Status.CLOSED) & (Q(closed_at__isnull=True) | Q(closed_at__date__lte=on))


class ItemQuerySet(LedgerQuerySet):
    def open_on(self, on: datetime.date):
        """Found by `on` and not closed out by then: the state of the ledger on that day."""
        return self.filter(found_date__lte=on).exclude(closed_by(on))

    def overdue_on(self, on: datetime.date):
        """Open on `on` with its deadline already past: overdue on that day."""
        return self.open_on(on).filter(deadline__lt=on)

    def overdue(self, on: datetime.date | None = None):
        """Derived, never stored: the deadline has passed and the item is not closed."""
        on = on or timezone.localdate()
        return self.exclude(status=Status.CLOSED).filter(deadline__lt=on)

    def not_overdue(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(status=Status.CLOSED) | Q(deadline__isnull=True) | Q(deadline__gte=on))


class RectificationItem(LedgerModel):
    """问题: a problem found, tracked until it is closed out. `unit` is the responsible unit."""

    module = "rectification"

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("campaign"),
    )
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("problem description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # The record in Gongxiao the item came from (an inspection finding, an audit
    # recommendation, a meeting opinion), when there is one.
    source_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    source_record = GenericForeignKey("source_type", "source_id")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    responsible_leader = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible leader"),
    )
    responsible_person = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    lead_department = models.CharField(_("lead department"), max_length=100, blank=True)
    found_date = models.DateField(_("date found"))
    kind = models.CharField(
        _("kind of rectification"), max_length=10, choices=Kind.choices, default=Kind.DEADLINE
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    checkin_every_days = models.PositiveSmallIntegerField(
        _("check-in every (days)"),
        default=90,
        help_text=_("For ongoing items: how often progress must be reported."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, editable=False
    )
    closed_at = models.DateTimeField(_("closed out at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("closed out by"),
    )

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["-found_date", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["found_date"]),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.kind == Kind.DEADLINE and not self.deadline:
            errors["deadline"] = _("An item rectified by a deadline needs its deadline.")
        if self.deadline and self.found_date and self.deadline < self.found_date:
            errors["deadline"] = _("The deadline cannot be before the date the problem was found.")
        if self.kind == Kind.IMMEDIATE and not self.deadline and self.found_date:
            # 立行立改: fixed at once; a week is the usual allowance.
            self.deadline = self.found_date + datetime.timedelta(days=7)
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status != Status.CLOSED and self.deadline is not None and self.deadline < on

    def overdue_days(self, on: datetime.date | None = None) -> int:
        on = on or timezone.localdate()
        return (on - self.deadline).days if self.is_overdue(on) else 0

    def next_checkin_due(self) -> datetime.date | None:
        if self.kind != Kind.ONGOING or self.status == Status.CLOSED:
            return None
        last = (
            self.progress.filter(is_checkin=True)
            .order_by("-date")
            .values_list("date", flat=True)
            .first()
        )
        start = last or self.found_date
        return start + datetime.timedelta(days=self.checkin_every_days)


class Measure(TrackedModel):
    """整改措施: one of the measures taken against an item."""

    module = "rectification"
    scope_field = "item__unit"

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    item = models.ForeignKey(
        RectificationItem,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("rectification item"),
    )
    description = models.TextField(_("measure"))
    owner = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(
        _("status"), max_length=12, choices=State.choices, default=State.PLANNED
    )

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["id"]

    def __str__(self):
        return self.description[:60]


class ProgressEntry(TrackedModel):
    """整改进展: what was done, when, with evidence files; a check-in for ongoing items."""

    module = "rectification"
    scope_field = "item__unit"

    item = models.ForeignKey(
        RectificationItem,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("rectification item"),
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    is_checkin = models.BooleanField(_("periodic check-in"), default=False)

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.text[:40]}"


def evidence_path(evidence, filename):
    return f"evidence/{evidence.entry.item_id}/{filename}"


class Evidence(models.Model):
    """佐证材料: a file proving a piece of progress."""

    module = "rectification"
    scope_field = "entry__item__unit"

    entry = models.ForeignKey(
        ProgressEntry,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("progress entry"),
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Transition(models.Model):
    """One step of an item's workflow: who, when, from, to, why. Append-only; shown as a
    timeline on the item."""

    item = models.ForeignKey(
        RectificationItem, on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Transitions cannot be changed.")
        super().save(*args, **kwargs)
