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
    """Closed out as of the end of `on`, by business dates: closed on or before that day and not
    reopened by then. The current close-out is on the item (`closed_on`); earlier ones that a
    follow-up review undid are kept as closures, so a reopened item still counts as closed for
    the days it was."""
    return Q(closed_on__lte=on) | Q(
        pk__in=Closure.objects.filter(closed_on__lte=on, reopened_on__gt=on).values("item_id")
    )


def closed_between(start: datetime.date, end: datetime.date) -> Q:
    """Closed out (by business date) between `start` and `end`, even if reopened since."""
    return Q(closed_on__gte=start, closed_on__lte=end) | Q(
        pk__in=Closure.objects.filter(
            reopened_on__isnull=False, closed_on__gte=start, closed_on__lte=end
        ).values("item_id")
    )


class ItemQuerySet(LedgerQuerySet):
    def open_on(self, on: datetime.date):
        """Found by `on` and not closed out by then: the state of the ledger on that day."""
        return self.filter(found_date__lte=on).exclude(closed_by(on))

    def overdue_on(self, on: datetime.date):
        """Open on `on` with its deadline already past: overdue on that day."""
        return self.open_on(on).filter(deadline__lt=on)

    def closed_between(self, start: datetime.date, end: datetime.date):
        return self.filter(closed_between(start, end))

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
    # The business date of the current close-out (销号日期), and when it was recorded.
    closed_on = models.DateField(_("closed out on"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(
        _("close-out recorded at"), null=True, blank=True, editable=False
    )
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
            # The list's order with the unit in it: a page is found by walking this index
            # alone (the unit checked from it), and only the page's rows are read
            # (core/pagination.py). It serves the found_date ranges as the plain one did.
            models.Index(fields=["found_date", "id", "unit"], name="rect_item_newest"),
            models.Index(fields=["closed_on"]),
            # The report figures of a subtree (core.metrics.compute_many) read a unit's items
            # by these dates alone: from this index, without the rows.
            models.Index(
                fields=["unit", "found_date", "closed_on", "deadline"], name="rect_item_unit_dates"
            ),
            # From a record to the items it raised (findings, recommendations, opinions …).
            models.Index(fields=["source_type", "source_id"], name="rect_item_source"),
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

    def status_on(self, on: datetime.date) -> str:
        """The item's status at the end of `on`, from the business dates of its steps ("" if
        it had not been found yet)."""
        if hasattr(self, "_status_on"):
            return status_from_annotations(self, on)
        if self.found_date and self.found_date > on:
            return ""
        if RectificationItem.objects.filter(pk=self.pk).filter(closed_by(on)).exists():
            return Status.CLOSED
        last = (
            self.transitions.filter(on__lte=on)
            .order_by("-on", "-at", "-id")
            .values_list("to_status", flat=True)
            .first()
        )
        return Status.IN_PROGRESS if last == Status.CLOSED else (last or Status.OPEN)

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        if on is None:
            on, status = timezone.localdate(), self.status
        else:
            status = self.status_on(on)
        return (
            status not in (Status.CLOSED, "") and self.deadline is not None and self.deadline < on
        )

    def overdue_days(self, on: datetime.date | None = None) -> int:
        return ((on or timezone.localdate()) - self.deadline).days if self.is_overdue(on) else 0

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


def as_of_annotations(on: datetime.date) -> dict:
    """Annotations that give each item's status and close-out date at the end of `on` in one
    query (see status_from_annotations)."""
    return {
        "_status_on": models.Subquery(
            Transition.objects.filter(item=models.OuterRef("pk"), on__lte=on)
            .order_by("-on", "-at", "-id")
            .values("to_status")[:1]
        ),
        "_closed_on_as_of": models.Subquery(
            Closure.objects.filter(item=models.OuterRef("pk"), closed_on__lte=on)
            .filter(Q(reopened_on__isnull=True) | Q(reopened_on__gt=on))
            .order_by("-closed_on")
            .values("closed_on")[:1]
        ),
    }


def status_from_annotations(item, on: datetime.date) -> str:
    if item.found_date and item.found_date > on:
        return ""
    # Rows loaded in bulk (synthetic data, old imports) may carry a close-out date only.
    if item._closed_on_as_of or (item.closed_on and item.closed_on <= on):
        return Status.CLOSED
    last = item._status_on
    return Status.IN_PROGRESS if last == Status.CLOSED else (last or Status.OPEN)


class Closure(models.Model):
    """One close-out of an item by business date, and the day a follow-up review reopened it
    (empty while it stands). Figures of a past day read these, not the item's present status."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="closures")
    closed_on = models.DateField(_("closed out on"))
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True)

    class Meta:
        verbose_name = _("close-out")
        verbose_name_plural = _("close-outs")
        ordering = ["closed_on", "id"]
        indexes = [models.Index(fields=["reopened_on", "closed_on"])]

    def __str__(self):
        return f"{self.closed_on} – {self.reopened_on or ''}"


class Transition(models.Model):
    """One step of an item's workflow: who, on which business date, recorded when, from, to,
    why. Append-only; shown as a timeline on the item."""

    item = models.ForeignKey(
        RectificationItem, on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    # 业务日期: the day the step happened, which may be long before it was entered.
    on = models.DateField(_("business date"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["on", "at", "id"]
        indexes = [models.Index(fields=["item", "on"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Transitions cannot be changed.")
        super().save(*args, **kwargs)
