"""The books in the admin: shown, never changed (they change in the application, where the
four-eyes steps apply; the database refuses a change to a posted voucher in any case)."""

from django.contrib import admin

from gongxiao.core.admin import LedgerReadOnlyAdmin

from .models import Book, Period, Voucher, VoucherLine


@admin.register(Book)
class BookAdmin(LedgerReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "unit", "standard", "centre_from", "centre_until"]


@admin.register(Period)
class PeriodAdmin(LedgerReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["book", "year", "month", "status"]


class LineInline(LedgerReadOnlyAdmin, admin.TabularInline):
    model = VoucherLine
    fields = ["summary", "account", "debit", "credit"]


@admin.register(Voucher)
class VoucherAdmin(LedgerReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["__str__", "book", "date", "status"]
    list_filter = ["status", "word"]
    inlines = [LineInline]
