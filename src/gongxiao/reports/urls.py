from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("metrics/", views.catalogue, name="catalogue"),
    path("metrics/<str:key>/", views.metric_detail, name="metric"),
    path("statistics/", views.statistics, name="statistics"),
    path("drafts/<int:pk>/export/", views.export_draft, name="draft-export"),
    path("drafts/<int:pk>/verify/", views.verify_draft, name="draft-verify"),
]
