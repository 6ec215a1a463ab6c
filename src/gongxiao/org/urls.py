from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_add, name="unit-add"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/close/", views.unit_close, name="unit-close"),
]
