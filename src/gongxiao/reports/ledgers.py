"""Report drafts, their sections and Word templates, declared through the kit."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongxiao.core.actions import Action, Output
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.navigation import NavLink, register_link

from . import models as m
from . import services
from .models import ReportDraft
from .placeholders import Table

FINAL = _("The report is finalised; its text and figures no longer change.")
FINALISED = _("The report is finalised; its figures are kept as they are.")


def _finalise(draft, user, *, progress=None):
    """定稿 in the background: the figures frozen, the Word file and the working papers kept,
    and both handed to the user in one archive."""
    services.finalise(draft=draft, user=user, expected_version=draft.version, progress=progress)
    draft.refresh_from_db()
    name, data = services.export_zip(draft=draft, user=user)
    return Output(name, data, str(FINALISED))


def _move(up):
    def run(section, user):
        services.move_section(section=section, user=user, up=up)

    return run


@register
class DraftLedger(Ledger):
    model = m.ReportDraft
    children: list = []  # the draft's page lists its sections
    slug = "drafts"
    icon = "file-earmark-text"
    list_fields = ["title", "unit", "period", "kind", "status", "updated_at"]
    form_fields = [
        "unit",
        "kind",
        "period",
        "title",
        "campaign",
        "template",
        "addressee",
        "doc_number",
        "issuer",
        "issue_date",
    ]
    export_fields = [*form_fields, "status", "finalised_at"]
    filter_fields = {"kind": ["exact"], "status": ["exact"], "period": ["exact"]}
    search_fields = ["title"]
    sort_fields = ["period", "updated_at", "unit"]
    detail_template = "reports/draft_detail.html"
    # The frozen figures are shown in the preview and kept in the history record, not as JSON.
    detail_exclude = ("snapshot", "title", "final_docx", "final_workpapers")
    actions = [
        Action(
            "finalise",
            _("Finalise"),
            service=_finalise,
            check=services.check_open,
            background=True,
            in_block=False,  # beside the export button, disabled while a placeholder is wrong
            style="success",
            example={},
        ),
    ]

    def create(self, obj, user, *, source="web", m2m=None):
        return services.create_draft(draft=obj, user=user, source=source)

    def lock_reason(self, obj):
        return str(FINAL) if obj.is_final else None

    def display_value(self, obj, name, user, *, for_export=False):
        # The list shows the title as the report prints it, {{ 单位 }} and {{ 期间 }} filled in.
        if name == "title" and not for_export and obj.unit_id and obj.period:
            from .placeholders import plain_title

            return plain_title(obj)
        return super().display_value(obj, name, user, for_export=for_export)

    def may_download(self, obj, field, user):
        if field in ("final_docx", "final_workpapers"):
            return services.may_see_final(obj, user, "export")
        return True

    def detail_extra(self, request, obj):
        return draft_context(request, obj)


@register
class SectionLedger(Ledger):
    model = m.ReportSection
    slug = "sections"
    icon = "list-ol"
    list_fields = ["heading", "draft", "level", "order"]
    form_fields = ["draft", "level", "heading", "body", "order"]
    filter_fields = {"draft": ["exact"], "level": ["exact"]}
    search_fields = ["heading", "body"]
    sort_fields = ["order"]
    actions = [
        Action(
            "move_up",
            _("Move up"),
            service=_move(True),
            check=lambda s, user: services.check_movable(s, up=True),
            in_block=False,  # arrows on each line of the draft's page
            style="outline-secondary",
            example={},
        ),
        Action(
            "move_down",
            _("Move down"),
            service=_move(False),
            check=lambda s, user: services.check_movable(s, up=False),
            in_block=False,
            style="outline-secondary",
            example={},
        ),
    ]

    def create(self, obj, user, *, source="web", m2m=None):
        return services.add_section(section=obj, user=user, source=source)

    def lock_reason(self, obj):
        return str(FINAL) if obj.draft.is_final else None

    def saved_url(self, obj):
        url = reverse("ledger-detail", args=["reports", "drafts", obj.draft_id])
        return f"{url}#section-{obj.pk}"


@register
class TemplateLedger(Ledger):
    model = m.ReportTemplate
    slug = "templates"
    icon = "file-earmark-word"
    list_fields = ["name", "unit", "file", "updated_at"]
    form_fields = ["unit", "name", "file", "description"]
    # A Word file cannot travel in an Excel row: templates are uploaded one by one.
    import_fields = ["unit", "name", "description"]
    search_fields = ["name", "description"]
    sort_fields = ["name", "unit"]


register_link(NavLink("reports", _("Dashboard"), "reports:dashboard", icon="bar-chart"))
register_link(NavLink("reports", _("Metric catalogue"), "reports:catalogue", icon="journal-text"))
register_link(NavLink("reports", _("Statistical tables"), "reports:statistics", icon="table"))


def draft_context(request, draft):
    document = services.document_for(draft, request.user)
    can_change = (
        not draft.is_final
        and ReportDraft.objects.permitted(request.user, "change").filter(pk=draft.pk).exists()
    )
    return {
        "draft": draft,
        "document": document,
        "sections": list(draft.sections.all()),
        "can_change_draft": can_change,
        "can_export": ReportDraft.objects.permitted(request.user, "export")
        .filter(pk=draft.pk)
        .exists(),
        "table_class": Table,
        "sees_final": draft.is_final and services.may_see_final(draft, request.user),
        "has_final_files": draft.is_final and services.may_see_final(draft, request.user, "export"),
        "can_verify": draft.is_final
        and services.may_see_final(draft, request.user)
        and ReportDraft.objects.permitted(request.user, "change").filter(pk=draft.pk).exists(),
    }
