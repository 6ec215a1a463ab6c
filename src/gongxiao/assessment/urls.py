from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("cycles/<int:pk>/ranking.xlsx", views.ranking_xlsx, name="ranking-xlsx"),
    path("cycles/<int:pk>/ranking.docx", views.ranking_docx, name="ranking-docx"),
    path("sheets/<int:pk>/sheet.xlsx", views.sheet_xlsx, name="sheet-xlsx"),
    path("sheets/<int:pk>/sheet.docx", views.sheet_docx, name="sheet-docx"),
]
