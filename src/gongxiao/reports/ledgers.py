"""Report drafts, their sections and Word templates, declared through the kit."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.navigation import NavLink, register_link

from . import models as m
from . import services

FINAL = _("The report is finalised; its text and figures no longer change.")


@register
class DraftLedger(Ledger):
    model = m.ReportDraft
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
        from .views import draft_context

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
