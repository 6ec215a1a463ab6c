from django.urls import path

from gongxiao.core import home, notification_views, search, views

L = "ledgers/<slug:app_label>/<slug:slug>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("context/", home.switch_context, name="switch-context"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", search.search_page, name="search"),
    path(L, views.LedgerListView.as_view(), name="ledger-list"),
    path(L + "new/", views.LedgerCreateView.as_view(), name="ledger-create"),
    path(L + "export/", views.LedgerExportView.as_view(), name="ledger-export"),
    path(L + "import/", views.LedgerImportView.as_view(), name="ledger-import"),
    path(L + "import/template/", views.LedgerTemplateView.as_view(), name="ledger-template"),
    path(L + "<int:pk>/", views.LedgerDetailView.as_view(), name="ledger-detail"),
    path(L + "<int:pk>/edit/", views.LedgerEditView.as_view(), name="ledger-edit"),
    path(L + "<int:pk>/delete/", views.LedgerDeleteView.as_view(), name="ledger-delete"),
    path(L + "<int:pk>/file/<slug:field>/", views.LedgerFileView.as_view(), name="ledger-file"),
    path(
        L + "<int:pk>/actions/<slug:name>/", views.LedgerActionView.as_view(), name="ledger-action"
    ),
    path(L + "bulk/", views.LedgerBulkActionView.as_view(), name="ledger-bulk"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        notification_views.notification_open,
        name="notification-open",
    ),
    path(
        "notifications/read-all/",
        notification_views.notification_read_all,
        name="notification-read-all",
    ),
    path("jobs/<uuid:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<uuid:pk>/download/", views.JobDownloadView.as_view(), name="job-download"),
    path("jobs/<uuid:pk>/confirm/", views.ImportConfirmView.as_view(), name="job-confirm"),
    path("jobs/<uuid:pk>/retry/", views.JobRetryView.as_view(), name="job-retry"),
]
