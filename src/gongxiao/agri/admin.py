"""The required fields of each kind of member (会员信息录入率) are settings the federation keeps in
the admin; they are not ledger rows."""

from django.contrib import admin

from .models import RequiredField


@admin.register(RequiredField)
class RequiredFieldAdmin(admin.ModelAdmin):
    list_display = ["kind", "field"]
    list_filter = ["kind"]
