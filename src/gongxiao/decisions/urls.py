"""The pages of 三重一大 that are not a ledger, list, form or action: the minutes in Word and
the filing lists. The procedure's steps are the ledgers' actions (decisions/ledgers.py)."""

from django.urls import path

from . import filing, minutes

app_name = "decisions"

urlpatterns = [
    path("meetings/<int:pk>/minutes.docx", minutes.minutes_docx, name="minutes-docx"),
    path("meetings/<int:pk>/minutes/", minutes.minutes_print, name="minutes-print"),
    path("filing/", filing.filing, name="filing"),
    path("filing.xlsx", filing.filing_xlsx, name="filing-xlsx"),
    path("filing.docx", filing.filing_docx, name="filing-docx"),
]
