from django.urls import path

from . import views

app_name = "assets"

urlpatterns = [
    path("leases/<int:pk>/contract.docx", views.contract_docx, name="contract-docx"),
    path("safety/coverage/", views.safety_coverage, name="safety-coverage"),
]
