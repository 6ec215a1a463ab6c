"""Rules are data, edited here by system administrators. Meetings are shown read-only once
sealed: the admin is one more way in that must not change a sealed record."""

from django.contrib import admin

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
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "date", "sealed_at"]
    list_filter = ["body", "year"]
    readonly_fields = ["year", "sequence", "sealed_at", "sealed_by"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.sealed_at:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.sealed_at:
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request):
        return False  # meetings are recorded in the application, where the procedure applies
