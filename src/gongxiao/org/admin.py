"""Admin for the organisation's structure. Ledger rows are not edited here: they change only
through the kit's services, which keep scope and history."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Division, RoleAssignment, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "division_code", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name", "credit_code"]
    readonly_fields = ["path", "depth"]

    def get_readonly_fields(self, request, obj=None):
        # A unit changes place only through services.move_unit, which moves its subtree.
        return [*self.readonly_fields, "parent"] if obj else self.readonly_fields


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = [*BaseUserAdmin.fieldsets, (None, {"fields": ["person"]})]
    raw_id_fields = ["person"]


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "year"]
    list_filter = ["year"]
    search_fields = ["code", "name"]
