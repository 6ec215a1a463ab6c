from django.urls import path

from . import views

app_name = "accounting"

urlpatterns = [
    path("trial-balance/", views.trial_balance, name="trial-balance"),
    path("statements/", views.statements, name="statements"),
    path("accounts/<int:pk>/ledger/", views.account_ledger, name="account-ledger"),
    path("journal/", views.journal, name="journal"),
    path("consolidated/", views.consolidated, name="consolidated"),
    path("vouchers/<int:pk>/print/", views.voucher_print, name="voucher-print"),
    path("books/<int:pk>/import/<slug:kind>/", views.book_import, name="book-import"),
    path("import/<slug:kind>/template.xlsx", views.import_template, name="import-template"),
]
