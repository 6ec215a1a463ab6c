"""Admin for the organisation's structure. Ledger rows are not edited here: they change only
through the kit's services, which keep scope and history."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_noop

from . import services
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

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        # Roles are granted and revoked through org's services (which also drop the user's
        # cached rights), never by saving the rows here.
        user = form.instance
        for f in formset.forms:
            # The row as stored: the form has already put its new values on f.instance.
            old = RoleAssignment.objects.filter(pk=f.instance.pk).first() if f.instance.pk else None
            if old is not None and (f in formset.deleted_forms or f.has_changed()):
                services.revoke_role(user=user, unit=old.unit, role=old.role)
            if f in formset.deleted_forms or not f.has_changed() or not f.cleaned_data:
                continue
            services.assign_role(
                user=user, unit=f.cleaned_data["unit"], role=f.cleaned_data["role"]
            )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "year"]
    list_filter = ["year"]
    search_fields = ["code", "name"]


# The words of the third-party models a superuser meets in the admin (login throttling, the
# task queue): their packages ship no Chinese, so their msgids are translated in the project's
# catalogue. Marked here so that makemessages keeps them.
THIRD_PARTY_WORDS = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Logout Time"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("User Agent"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("args kwargs"),
    gettext_noop("backend name"),
    gettext_noop("enqueued at"),
    gettext_noop("exception class path"),
    gettext_noop("finished at"),
    gettext_noop("priority"),
    gettext_noop("queue name"),
    gettext_noop("return value"),
    gettext_noop("run after"),
    gettext_noop("started at"),
    gettext_noop("task path"),
    gettext_noop("traceback"),
    gettext_noop("worker id"),
]
