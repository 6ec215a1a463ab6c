"""In-app notifications, mirrored by e-mail through Django's mail settings. Sending is
idempotent per (recipient, key): a ladder that runs every hour sends each notice once."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import Notification

log = logging.getLogger(__name__)


# The kinds of notice, each with its label for the notification centre; an app registers its
# own (rectification: close-out requests, reminders, overdue items…).
_kinds: dict[str, object] = {}


def register_kind(name: str, label) -> None:
    _kinds[name] = label


def kind_label(name: str):
    return _kinds.get(name, _("Other"))


def notify(
    *,
    recipient,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    level: str = "info",
    email: bool = True,
    kind: str = "",
    subject: str = "",
    supersedes: tuple[str, ...] = (),
) -> Notification | None:
    """Create the notice unless this recipient already has one with this key. Returns the new
    notice, or None when it had been sent before.

    One notice per event: a notice of `subject` (the row it is about) marks read the recipient's
    unread notices of the same subject whose kind it `supersedes` (an overdue notice replaces
    the reminder of the same item, an escalation the overdue notice), so the unread list holds
    the latest word on each row, not every step of its ladder."""
    if recipient is None or not recipient.is_active:
        return None
    if Notification.objects.filter(recipient=recipient, key=key).exists():
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                recipient=recipient,
                key=key,
                kind=kind,
                subject=subject,
                title=title[:200],
                body=body,
                url=url,
                level=level,
            )
            if subject and supersedes:
                Notification.objects.filter(
                    recipient=recipient, subject=subject, kind__in=supersedes, read_at__isnull=True
                ).exclude(pk=note.pk).update(read_at=timezone.now())
    except IntegrityError:  # a concurrent run created it first
        return None
    if email and recipient.email and settings.GONGXIAO_EMAIL_ENABLED:
        # Mail goes out from the task worker, so a slow or absent mail server never holds up
        # the page that caused the notice.
        transaction.on_commit(lambda: email_notification.enqueue(note.pk))
    return note


def send_email(pk: int) -> None:
    note = Notification.objects.select_related("recipient").get(pk=pk)
    if note.emailed_at:
        return
    base = getattr(settings, "GONGXIAO_BASE_URL", "").rstrip("/")
    body = note.body + (f"\n\n{base}{note.url}" if note.url and base else "")
    try:
        send_mail(note.title, body, None, [note.recipient.email])
    except Exception:  # mail is a courtesy copy; the in-app notice is the record
        log.exception("could not e-mail notification %s", pk)
        return
    Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, pk: int | None = None, kind: str | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.update(read_at=timezone.now())


def kinds_of(user) -> list[dict]:
    """The kinds of the user's notices with their counts (all and unread), for the filter."""
    from django.db.models import Count, Q

    rows = (
        Notification.objects.filter(recipient=user)
        .values("kind")
        .annotate(total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
        .order_by("kind")
    )
    return [{**r, "label": kind_label(r["kind"])} for r in rows]


@task()
def email_notification(notification_id: int) -> None:
    send_email(notification_id)
