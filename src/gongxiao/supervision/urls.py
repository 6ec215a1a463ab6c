from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path(
        "recommendations/<int:pk>/decide/",
        views.decide_recommendation,
        name="decide-recommendation",
    ),
    path("opinions/<int:pk>/raise/", views.raise_opinion, name="raise-opinion"),
    path("letters/coverage/", views.coverage, name="coverage"),
    path("talks/summary/", views.talk_summary, name="talk-summary"),
]
