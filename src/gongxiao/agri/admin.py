"""The required fields of each kind of member (会员信息录入率) are settings the federation keeps in
the admin; they are not ledger rows. A change re-evaluates every member (services.rules_changed),
so the completeness history records it from that day."""

from django.contrib import admin

from . import services
from .models import RequiredField


@admin.register(RequiredField)
class RequiredFieldAdmin(admin.ModelAdmin):
    list_display = ["kind", "field"]
    list_filter = ["kind"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.rules_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.rules_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.rules_changed()
