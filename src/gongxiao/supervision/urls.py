from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("letters/coverage/", views.coverage, name="coverage"),
    path("talks/summary/", views.talk_summary, name="talk-summary"),
]
