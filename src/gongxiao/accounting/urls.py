from django.urls import path

from . import views

app_name = "accounting"

urlpatterns = [
    path("trial-balance/", views.trial_balance, name="trial-balance"),
    path("statements/", views.statements, name="statements"),
    path("accounts/<int:pk>/ledger/", views.account_ledger, name="account-ledger"),
]
