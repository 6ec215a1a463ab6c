"""Every write of the reports module: drafts from skeletons, sections in order, finalisation
(figures frozen, files kept), exports of Word files and working papers, statistical tables."""

from __future__ import annotations

import io
import re
import zipfile

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import scoping
from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused
from gongxiao.core.models import RecordLocked

from . import placeholders, templating, word, workpapers
from .models import ReportDraft, ReportSection
from .skeletons import skeleton


class ReportError(ActionRefused):
    """The draft cannot be exported as it stands; `messages` say what to correct."""

    def __init__(self, messages: list[str]):
        super().__init__(_("Correct the draft first: %(errors)s") % {"errors": "；".join(messages)})
        self.messages = messages


def check_open(draft: ReportDraft, user=None) -> None:
    _require_open(draft)


def check_movable(section: ReportSection, up: bool) -> None:
    """A section moves up unless it is the first, down unless it is the last."""
    _require_open(section.draft)
    siblings = list(section.draft.sections.values_list("pk", flat=True))
    if siblings and siblings[0 if up else -1] == section.pk:
        raise ActionRefused(
            _("This section is already the first.")
            if up
            else _("This section is already the last.")
        )


@transaction.atomic
def create_draft(*, draft: ReportDraft, user, source: str = "web") -> ReportDraft:
    """Save a new draft; its skeleton gives the title, addressee and sections."""
    skel = skeleton(draft.kind)
    draft.title = draft.title or skel["title"]
    draft.addressee = draft.addressee or skel["addressee"]
    kit.create_row(obj=draft, user=user, source=source)
    for i, (level, heading, body) in enumerate(skel["sections"], start=1):
        section = ReportSection(draft=draft, order=i * 10, level=level, heading=heading, body=body)
        kit.create_row(obj=section, user=user, source=source)
    return draft


def _require_open(draft: ReportDraft) -> None:
    if draft.is_final:
        raise RecordLocked(_("The report is finalised; its text and figures no longer change."))


@transaction.atomic
def add_section(*, section: ReportSection, user, source: str = "web") -> ReportSection:
    """Add a section; without an order it goes to the end."""
    _require_open(section.draft)
    if not section.order:
        last = section.draft.sections.aggregate(m=Max("order"))["m"] or 0
        section.order = last + 10
    return kit.create_row(obj=section, user=user, source=source)


@transaction.atomic
def move_section(*, section: ReportSection, user, up: bool) -> None:
    """Swap a section with its neighbour above or below."""
    check_movable(section, up)
    siblings = list(section.draft.sections.all())
    i = next(n for n, s in enumerate(siblings) if s.pk == section.pk)
    j = i - 1 if up else i + 1
    # Renumber so equal orders cannot make the swap a no-op.
    for n, s in enumerate(siblings):
        s._new_order = (n + 1) * 10
    siblings[i]._new_order, siblings[j]._new_order = siblings[j]._new_order, siblings[i]._new_order
    for s in siblings:
        if s.order != s._new_order:
            s.order = s._new_order
            kit.update_row(obj=s, expected_version=s.version, user=user, source="web")


def may_see_final(draft: ReportDraft, user, action: str = "view") -> bool:
    """The frozen figures and files of a finalised report were made with the rights of whoever
    finalised it: they are for those whose own rights reach, over the draft's whole unit subtree,
    every module the report takes figures from."""
    from gongxiao.org.models import Unit

    subtree = Unit.objects.filter(path__startswith=draft.unit.path)
    size = subtree.count()
    for module in draft.snapshot.get("modules", []):
        reach = scoping.units_for(user, module, action).filter(path__startswith=draft.unit.path)
        if reach.count() < size:
            return False
    return True


def document_for(draft: ReportDraft, user) -> placeholders.Document:
    """The draft resolved for `user`. A finalised draft prints the figures it was finalised with
    to those who may see them all; others get the figures of their own reach."""
    snapshot = None
    if draft.is_final and may_see_final(draft, user):
        snapshot = draft.snapshot.get("values")
    return placeholders.build(draft, user, snapshot=snapshot)


def _files(draft, user, *, progress=None):
    document = document_for(draft, user)
    if document.errors:
        raise ReportError(document.errors)
    render = templating.render if draft.template_id else word.render
    docx = render(draft, document)
    if document.errors:  # a template may name figures the user may not see
        raise ReportError(document.errors)
    buf = io.BytesIO()
    workpapers.write(document, draft, user, buf, progress=progress)
    return docx, buf.getvalue(), document


def file_stem(draft: ReportDraft) -> str:
    title = placeholders.plain_title(draft)
    return re.sub(r'[\\/:*?"<>|\s]+', "", title)[:80] or _("report")


def export_zip(*, draft: ReportDraft, user, progress=None) -> tuple[str, bytes]:
    """The Word file and its working papers, zipped: (file name, bytes)."""
    if not ReportDraft.objects.permitted(user, "export").filter(pk=draft.pk).exists():
        raise PermissionDenied(_("You may not export this report."))
    stem = file_stem(draft)
    if draft.is_final:
        if not may_see_final(draft, user, "export"):
            raise PermissionDenied(
                _(
                    "The finalised report holds figures your roles do not reach; "
                    "it cannot be exported."
                )
            )
        docx = draft.final_docx.open("rb").read()
        xlsx = draft.final_workpapers.open("rb").read()
    else:
        docx, xlsx, _doc = _files(draft, user, progress=progress)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{stem}.docx", docx)
        z.writestr(f"{stem}-{workpapers.WORKPAPERS}.xlsx", xlsx)
    return f"{stem}.zip", buf.getvalue()


@transaction.atomic
def finalise(*, draft: ReportDraft, user, expected_version: int, progress=None) -> ReportDraft:
    """定稿: freeze the figures and keep the Word file and working papers as issued."""
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    _require_open(draft)
    if not ReportDraft.objects.permitted(user, "change").filter(pk=draft.pk).exists():
        raise PermissionDenied(_("You may not finalise this report."))
    if draft.version != expected_version:
        # Checked before any file is written, so a stale request leaves nothing behind.
        raise kit.StaleEdit(
            ReportDraft.objects.select_related("updated_by__person").get(pk=draft.pk)
        )
    docx, xlsx, document = _files(draft, user, progress=progress)
    stem = file_stem(draft)
    draft.snapshot = {
        "as_of": document.resolver.as_of.isoformat(),
        "by": user.get_username(),
        "modules": sorted({u.metric.module for u in document.figures}),
        "values": document.resolver.snapshot_values(),
        # Each figure with what it was computed from and the rows it counted, so that
        # `gongxiao verify-reports` can recompute it later and name the rows that moved it.
        "figures": document.resolver.snapshot_figures(),
    }
    draft.status = ReportDraft.Status.FINAL
    draft.finalised_at = timezone.now()
    draft.final_docx.save(f"{stem}.docx", ContentFile(docx), save=False)
    draft.final_workpapers.save(
        f"{stem}-{workpapers.WORKPAPERS}.xlsx", ContentFile(xlsx), save=False
    )
    return kit.update_row(
        obj=draft, expected_version=expected_version, user=user, source="workflow"
    )
