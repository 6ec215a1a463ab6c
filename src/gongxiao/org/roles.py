"""Roles of SPEC §2 and what each may do in each module.

The rights table is data: a role grants, over the subtree of the unit it is assigned at, a set of
actions per module. `data_entry` is the one role limited to its own unit.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("System administrator")
    LEADER = "leader", _("Leader")
    DISCIPLINE = "discipline", _("Discipline officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ASSET = "asset", _("Asset officer")
    SERVICE = "service", _("Service officer")
    FINANCE = "finance", _("Finance")
    PARTY = "party", _("Party affairs")
    DATA_ENTRY = "data_entry", _("Data entry")
    READ_ONLY = "read_only", _("Read-only")


class Action(models.TextChoices):
    VIEW = "view", _("view")
    ADD = "add", _("add")
    CHANGE = "change", _("change")
    DELETE = "delete", _("delete")
    IMPORT = "import", _("import")
    EXPORT = "export", _("export")
    # See personal data (ID numbers) unmasked, on pages, in the API and in exports.
    PII = "pii", _("see personal data")
    # Approve or reject a close-out, reopen after a follow-up review (整改销号审核).
    REVIEW = "review", _("review")
    # Administer units, logins and role assignments of a subtree (the system administrator's).
    ADMINISTER = "administer", _("administer units and users")


# Modules of SPEC §3. A ledger belongs to exactly one.
MODULES = {
    "org": _("Organisation"),
    "rectification": _("Rectification"),
    "decisions": _("Major matters"),
    "supervision": _("Supervision"),
    "discipline": _("Four forms"),
    "assets": _("Co-op assets"),
    "agri": _("Services to farmers"),
    "credit": _("Credit"),
    "assessment": _("Assessment"),
    "party": _("Party building"),
    "accounting": _("Accounting"),
    "reports": _("Reports"),
}

ALL = frozenset(Action.values)
REVIEW = frozenset({Action.REVIEW})
READ = frozenset({Action.VIEW, Action.EXPORT})
WRITE = frozenset(
    {Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.IMPORT, Action.EXPORT}
)
ENTRY = frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.IMPORT, Action.EXPORT})

# The four-forms ledger ("discipline") is readable by the discipline role alone: not even a
# superuser sees it without that role.
RESTRICTED_MODULES = frozenset({"discipline"})
_OPEN_MODULES = [m for m in MODULES if m not in RESTRICTED_MODULES]


def _grant(modules, actions):
    return {m: frozenset(actions) for m in modules}


RIGHTS: dict[str, dict[str, frozenset]] = {
    Role.SYSADMIN: {**_grant(_OPEN_MODULES, ALL)},
    # Reports are written by the office for the leadership, by the discipline office (全面从严治党
    # report) and by party affairs (党建 summaries).
    Role.LEADER: {
        **_grant(_OPEN_MODULES, READ),
        "decisions": WRITE,
        "rectification": WRITE | REVIEW,
        # The leadership scores the units it assesses and reviews another's scoring (绩效考核),
        # and approves credit ratings.
        "assessment": WRITE | REVIEW,
        "credit": READ | REVIEW,
        "reports": WRITE,
    },
    Role.DISCIPLINE: {
        **_grant(_OPEN_MODULES, READ),
        "supervision": WRITE,
        "rectification": WRITE | REVIEW,
        "discipline": ALL,
        "org": READ | {Action.PII},
        "reports": WRITE,
    },
    Role.SUPERVISOR: {**_grant(_OPEN_MODULES, READ), "supervision": WRITE},
    # Asset officers read the passed 三重一大 matters that approve leases and disposals.
    Role.ASSET: {
        "org": READ,
        "assets": WRITE,
        "decisions": READ,
        "rectification": ENTRY,
        "reports": READ,
    },
    Role.SERVICE: {
        "org": READ,
        "agri": WRITE,
        # Rates members and approves a colleague's rating (never his own: credit/services.py).
        "credit": WRITE | REVIEW,
        "rectification": ENTRY,
        "reports": READ,
    },
    Role.FINANCE: {
        "org": READ,
        # Reviews and posts vouchers (审核, 记账), closes and reopens periods (结账, 反结账).
        "accounting": WRITE | REVIEW,
        "assets": READ,
        "credit": READ,
        "reports": READ,
    },
    Role.PARTY: {
        "org": WRITE | {Action.PII},
        "party": WRITE,
        "decisions": ENTRY,
        "supervision": ENTRY,
        "rectification": ENTRY,
        "reports": WRITE,
    },
    Role.DATA_ENTRY: _grant([m for m in _OPEN_MODULES if m not in ("decisions", "reports")], ENTRY),
    Role.READ_ONLY: _grant(_OPEN_MODULES, {Action.VIEW}),
}

# Roles whose assignment covers only the unit itself, not its subtree.
OWN_UNIT_ONLY = frozenset({Role.DATA_ENTRY})


def role_allows(role: str, module: str, action: str) -> bool:
    return action in RIGHTS.get(role, {}).get(module, frozenset())
