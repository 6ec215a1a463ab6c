"""The Django admin shows ledger rows but never changes them: a ledger row changes only through
the kit (its pages, API, import and actions), where scope, procedure, versions and the change
record apply. Every admin registered for a ledger model uses LedgerReadOnlyAdmin (a test holds
every registration to it)."""


class LedgerReadOnlyAdmin:
    """View only: no add, change or delete through the admin, for anyone (superusers included)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
