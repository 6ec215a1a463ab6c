"""Rules are data, edited here by system administrators. Meetings are a ledger: the admin shows
them and never changes them (they change in the application, where the procedure applies)."""

from django.contrib import admin

from gongxiao.core.admin import LedgerReadOnlyAdmin

from .models import DecisionRule, Meeting


@admin.register(DecisionRule)
class DecisionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "body",
        "category",
        "quorum_num",
        "quorum_den",
        "quorum_strict",
        "pass_num",
        "pass_den",
        "pass_strict",
    ]


@admin.register(Meeting)
class MeetingAdmin(LedgerReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["__str__", "date", "sealed_at"]
    list_filter = ["body", "year"]
