from django.urls import path

from . import filing, minutes, views

app_name = "decisions"

urlpatterns = [
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/seal/", views.seal, name="seal"),
    path("meetings/<int:pk>/amendments/", views.amendment, name="amendment"),
    path("meetings/<int:pk>/minutes.docx", minutes.minutes_docx, name="minutes-docx"),
    path("meetings/<int:pk>/minutes/", minutes.minutes_print, name="minutes-print"),
    path("matters/<int:pk>/statements/", views.statement, name="statement"),
    path("matters/<int:pk>/defer/", views.defer, name="defer"),
    path("matters/<int:pk>/decision/", views.decision, name="decision"),
    path("matters/<int:pk>/follow-ups/", views.follow_up, name="follow-up"),
    path("filing/", filing.filing, name="filing"),
    path("filing.xlsx", filing.filing_xlsx, name="filing-xlsx"),
    path("filing.docx", filing.filing_docx, name="filing-docx"),
]
