"""The base every ledger row stands on, the change history, and background jobs."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping


class LedgerQuerySet(models.QuerySet):
    """Every query for rows starts here: `Model.objects.visible_to(user)`."""

    def visible_to(self, user):
        return scoping.scope_queryset(self, user, "view")

    def editable_by(self, user):
        return scoping.scope_queryset(self, user, "change")

    def permitted(self, user, action: str):
        return scoping.scope_queryset(self, user, action)


class RecordLocked(Exception):
    """The row may no longer change (sealed, closed …); the message says why and what to do."""


class TrackedModel(models.Model):
    """A row that knows who made and changed it and carries a version number for optimistic
    locking. Rows of a ledger inherit LedgerModel; sub-rows (measures of an item, say) inherit
    this and name the path to their unit in `scope_field`."""

    # The module whose rights govern these rows (a key of org.roles.MODULES).
    module = "org"
    # The path from this model to the owning Unit, for scoping.
    scope_field = "unit"

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        abstract = True


class LedgerModel(TrackedModel):
    """A ledger row: it belongs to a unit."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )

    class Meta:
        abstract = True


class ChangeRecordQuerySet(models.QuerySet):
    """The history is never changed nor deleted (the database refuses it too: core/appendonly)."""

    def update(self, **kwargs):
        raise PermissionError("Change records cannot be changed.")

    def delete(self):
        raise PermissionError("Change records cannot be deleted.")


# The door a change came through, in the words a history shows (the stored tag stays English).
SOURCE_LABELS = {
    "web": _("on the page"),
    "api": _("through the API"),
    "bulk": _("bulk action"),
    "import": _("import"),
    "demo": _("demo data"),
    "synth": _("synthetic data"),
    "workflow": _("workflow"),
    "seal": _("sealing"),
    "procedure": _("meeting procedure"),
    "decision": _("decision"),
    "admin": _("administration"),
    "system": _("system"),
}


class ChangeRecord(models.Model):
    """One change to one row: who, when, what it was before and after. Append-only."""

    class Kind(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    object_pk = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(_("record"), max_length=200)
    # Plain ids, not constraints: the history outlives the rows, units and users it names.
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    user_repr = models.CharField(_("user"), max_length=150, blank=True)
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    source = models.CharField(_("source"), max_length=20, default="web")
    before = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, encoder=DjangoJSONEncoder)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_pk", "-at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("Change records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Change records cannot be deleted.")

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, self.source))

    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class ActionRecord(models.Model):
    """One action taken on one ledger row (a workflow step, progress recorded): which, by whom,
    its business date (业务日期) apart from the time it was recorded, and its input.
    Append-only, like the change records; written by the action runner (core.actions)."""

    ledger = models.CharField(_("ledger"), max_length=100)
    object_pk = models.CharField(max_length=64)
    action = models.CharField(_("action"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    user_repr = models.CharField(_("user"), max_length=150, blank=True)
    on = models.DateField(_("business date"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    source = models.CharField(_("source"), max_length=20, default="web")
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("action record")
        verbose_name_plural = _("action records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ledger", "object_pk", "-at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("Action records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Action records cannot be deleted.")


def job_upload_path(job, filename):
    return f"jobs/{job.pk}/upload-{filename}"


def job_result_path(job, filename):
    return f"jobs/{job.pk}/{filename}"


class Job(models.Model):
    """A long piece of work (import, export, report) with its progress and kept result."""

    class Kind(models.TextChoices):
        IMPORT_CHECK = "import_check", _("import check")
        IMPORT_COMMIT = "import_commit", _("import")
        EXPORT = "export", _("export")
        REPORT = "report", _("report export")
        STATISTICS = "statistics", _("statistical table")
        ACTION = "action", _("action")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ledger = models.CharField(_("ledger"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    result = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    upload = models.FileField(upload_to=job_upload_path, blank=True, max_length=300)
    result_file = models.FileField(upload_to=job_result_path, blank=True, max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who runs it ("host:pid:token", set when a run claims the job) and when it last said it
    # was alive: a running job whose worker died is found by these (core/jobs.py).
    worker = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Notification(models.Model):
    """An in-app notice to one user. `key` makes sending idempotent: the same notice (e.g. the
    overdue reminder of one item for one deadline) is created once per recipient, however often
    the sender runs."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    # What it is about (a close-out request, an overdue item…), for grouping and filtering, and
    # the row it concerns ("rect:12"): a later notice of the same chain supersedes an earlier.
    kind = models.CharField(_("kind"), max_length=30, blank=True, db_index=True)
    subject = models.CharField(max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    level = models.CharField(max_length=10, default="info")
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title
