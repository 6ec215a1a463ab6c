from django.urls import path

from . import dashboard, lists, printing, views

app_name = "rectification"

urlpatterns = [
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("items/<int:pk>/record/", printing.item_record_print, name="item-record"),
    path("items/<int:pk>/record.docx", printing.item_record_docx, name="item-record-docx"),
    path("lists/<slug:kind>.xlsx", lists.export_list, name="list-export"),
    path("lists/import/", lists.import_ledger, name="list-import"),
    path("lists/import/template.xlsx", lists.import_template, name="list-template"),
]
