"""Writes to the organisation tree and to role assignments."""

import re

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gongxiao.core import scoping
from gongxiao.core.services import record_change

from .models import RoleAssignment, Unit, User
from .roles import MODULES, RIGHTS, Action, Role, role_allows


@transaction.atomic
def move_unit(*, unit: Unit, new_parent: Unit | None) -> Unit:
    """Put `unit` (and its whole subtree) under `new_parent`."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationError(_("A unit cannot be moved under itself or one of its own units."))
    old_path = unit.path
    new_path = (
        (new_parent.path if new_parent else "") + old_path.rstrip("/").rsplit("/", 1)[-1] + "/"
    )
    unit.parent = new_parent
    unit.save(update_fields=["parent"])
    depth_shift = new_path.count("/") - old_path.count("/")
    subtree = Unit.objects.filter(path__startswith=old_path)
    for u in subtree.only("pk", "depth"):
        Unit.objects.filter(pk=u.pk).update(depth=u.depth + depth_shift)
    subtree.update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)))
    unit.refresh_from_db()
    return unit


@transaction.atomic
def assign_role(*, user: User, unit: Unit, role: str) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    scoping.forget(user)
    return assignment


@transaction.atomic
def revoke_role(*, user: User, unit: Unit, role: str) -> None:
    RoleAssignment.objects.filter(user=user, unit=unit, role=role).delete()
    scoping.forget(user)


# --- administration of one's own subtree -----------------------------------------------------
#
# A system administrator assigned at a unit administers that unit's subtree: he adds, renames,
# moves and closes the units below it, opens logins for the people on their rolls, and grants or
# withdraws roles over its units, never a role with a right he does not hold there himself. A
# superuser administers everything. Every refusal says why; nothing is written when refused.

# The place of each kind in the tree: a unit sits below a unit of a higher rank.
KIND_RANK: dict[str, int] = {
    Unit.Kind.PROVINCE: 0,
    Unit.Kind.CITY: 1,
    Unit.Kind.COUNTY: 2,
    Unit.Kind.GRASSROOTS: 3,
    Unit.Kind.ENTERPRISE: 3,
    Unit.Kind.MEMBER: 3,
    Unit.Kind.DEPARTMENT: 3,
    Unit.Kind.OUTLET: 4,
}

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,29}$")


def administered_units(user) -> QuerySet:
    """The units `user` administers (the subtrees of his system administrator roles)."""
    return scoping.units_for(user, "org", Action.ADMINISTER).filter(status=Unit.Status.ACTIVE)


def administers(user, unit: Unit | None) -> bool:
    return unit is not None and administered_units(user).filter(pk=unit.pk).exists()


def _require_administers(user, unit: Unit | None) -> None:
    if not administers(user, unit):
        raise PermissionDenied(_("This unit is outside the units you administer."))


def _top_units(user) -> set[int]:
    """The units where `user` holds the administrator role: they are his to use, not to move or
    close (he would lock himself out)."""
    return {
        unit_id
        for _path, unit_id, role, _subtree in scoping._assignments(user)
        if role_allows(role, "org", Action.ADMINISTER)
    }


def _check_kind(kind: str, parent: Unit | None) -> None:
    if kind not in KIND_RANK:
        raise ValidationError({"kind": _("Choose a kind of unit from the list.")})
    if parent is not None and KIND_RANK[kind] <= KIND_RANK.get(parent.kind, 0):
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot be placed under a %(parent)s.")
                % {"kind": Unit.Kind(kind).label, "parent": Unit.Kind(parent.kind).label}
            }
        )


def _clean_code(code: str, *, exclude: int | None = None) -> str:
    code = (code or "").strip().upper()
    if not CODE_PATTERN.match(code):
        raise ValidationError(
            {"code": _("A unit code is 1 to 30 capital letters, digits or hyphens, e.g. YH-JD01.")}
        )
    taken = Unit.objects.filter(code=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(
            {"code": _("The unit code %(code)s is already used.") % {"code": code}}
        )
    return code


UNIT_FIELDS = ("code", "name", "short_name", "kind", "division_code", "credit_code", "address")


def _unit_snapshot(unit: Unit) -> dict:
    return {
        **{f: getattr(unit, f) for f in UNIT_FIELDS},
        "parent": unit.parent.name if unit.parent is not None else "",
        "status": unit.status,
    }


@transaction.atomic
def add_unit(*, by: User, parent: Unit, code: str, name: str, kind: str, **details) -> Unit:
    """A new unit below `parent`, in the subtree `by` administers."""
    _require_administers(by, parent)
    _check_kind(kind, parent)
    unit = Unit(parent=parent, code=_clean_code(code), name=(name or "").strip(), kind=kind)
    for field in ("short_name", "division_code", "credit_code", "address"):
        setattr(unit, field, (details.get(field) or "").strip())
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    record_change(obj=unit, kind="create", user=by, after=_unit_snapshot(unit), source="admin")
    return unit


@transaction.atomic
def change_unit(*, by: User, unit: Unit, **values) -> Unit:
    """Rename a unit or correct its codes and address (its place changes through move)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_administers(by, unit)
    before = _unit_snapshot(unit)
    if "code" in values:
        values["code"] = _clean_code(values["code"], exclude=unit.pk)
    if "kind" in values and values["kind"] != unit.kind:
        _check_kind(values["kind"], unit.parent)
        below = unit.children.all()
        if any(KIND_RANK[c.kind] <= KIND_RANK[values["kind"]] for c in below):
            raise ValidationError({"kind": _("Units below this one do not fit under that kind.")})
    for field, value in values.items():
        if field not in UNIT_FIELDS:
            raise ValueError(field)
        setattr(unit, field, (value or "").strip())
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    after = _unit_snapshot(unit)
    if after != before:
        record_change(obj=unit, kind="update", user=by, before=before, after=after, source="admin")
    return unit


@transaction.atomic
def move_unit_within(*, by: User, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit (with its subtree) to another parent, both in the subtree `by` administers."""
    _require_administers(by, unit)
    _require_administers(by, new_parent)
    if unit.pk in _top_units(by) and not scoping.is_unrestricted(by):
        raise PermissionDenied(_("The unit where you are administrator cannot be moved by you."))
    _check_kind(unit.kind, new_parent)
    if new_parent.status != Unit.Status.ACTIVE:
        raise ValidationError(_("A unit cannot be moved under a closed unit."))
    before = _unit_snapshot(unit)
    unit = move_unit(unit=unit, new_parent=new_parent)
    record_change(
        obj=unit, kind="update", user=by, before=before, after=_unit_snapshot(unit), source="admin"
    )
    return unit


@transaction.atomic
def close_unit(*, by: User, unit: Unit) -> Unit:
    """Close a unit: its rows stay and stay counted in their periods; the roles assigned at it
    no longer give access. A unit with open units below it is not closed."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_administers(by, unit)
    if unit.pk in _top_units(by) and not scoping.is_unrestricted(by):
        raise PermissionDenied(_("The unit where you are administrator cannot be closed by you."))
    if unit.children.filter(status=Unit.Status.ACTIVE).exists():
        raise ValidationError(_("Close or move the units below it first."))
    before = _unit_snapshot(unit)
    unit.status = Unit.Status.CLOSED
    unit.save(update_fields=["status"])
    record_change(
        obj=unit, kind="update", user=by, before=before, after=_unit_snapshot(unit), source="admin"
    )
    return unit


def _require_person_administered(by: User, person) -> None:
    if person is None or not administers(by, person.unit):
        raise PermissionDenied(_("This person belongs to a unit you do not administer."))


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "person": user.person.name if user.person is not None else "",
        "is_active": user.is_active,
    }


@transaction.atomic
def open_login(*, by: User, person, username: str, password: str) -> User:
    """A login for a person on the roll of a unit `by` administers."""
    _require_person_administered(by, person)
    if User.objects.filter(person=person).exists():
        raise ValidationError(_("This person already has a login."))
    username = (username or "").strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError(
            {"username": _("A login name is letters, digits and @ . + - _ only.")}
        ) from None
    if not username or User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The login name %(name)s is already used.") % {"name": username}}
        )
    user = User(username=username, person=person, is_active=True)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    record_change(obj=user, kind="create", user=by, after=_user_snapshot(user), source="admin")
    return user


def _require_user_administered(by: User, user: User) -> None:
    _require_person_administered(by, user.person if user.person_id else None)


@transaction.atomic
def set_login_active(*, by: User, user: User, active: bool) -> User:
    _require_user_administered(by, user)
    if user.pk == by.pk:
        raise PermissionDenied(_("You cannot deactivate your own login."))
    if user.is_superuser and not scoping.is_unrestricted(by):
        raise PermissionDenied(_("A superuser's login is changed by a superuser only."))
    before = _user_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_change(
        obj=user, kind="update", user=by, before=before, after=_user_snapshot(user), source="admin"
    )
    return user


@transaction.atomic
def reset_password(*, by: User, user: User, password: str) -> User:
    """A new password set by the administrator (the user changes it at his next login); his API
    tokens are revoked with the old one."""
    _require_user_administered(by, user)
    if user.is_superuser and not scoping.is_unrestricted(by):
        raise PermissionDenied(_("A superuser's login is changed by a superuser only."))
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    record_change(
        obj=user,
        kind="update",
        user=by,
        before={"password": "******"},
        after={"password": _("reset by the administrator")},
        source="admin",
    )
    return user


def rights_over(user: User, unit: Unit) -> dict[str, set[str]]:
    """What `user`'s roles let him do over `unit`, module by module."""
    held: dict[str, set[str]] = {}
    for path, unit_id, role, subtree in scoping._assignments(user):
        covers = unit.path.startswith(path) if subtree else unit.pk == unit_id
        if covers:
            for module, actions in RIGHTS.get(role, {}).items():
                held.setdefault(module, set()).update(actions)
    return held


def _require_may_grant(by: User, unit: Unit, role: str) -> None:
    _require_administers(by, unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if scoping.is_unrestricted(by):
        return
    held = rights_over(by, unit)
    for module, actions in RIGHTS[role].items():
        if not set(actions) <= held.get(module, set()):
            raise PermissionDenied(
                _(
                    "The role %(role)s gives rights you do not hold over %(unit)s yourself "
                    "(%(module)s); ask the administrator above you."
                )
                % {"role": Role(role).label, "unit": unit.name, "module": MODULES.get(module)}
            )


@transaction.atomic
def grant_role(*, by: User, user: User, unit: Unit, role: str) -> RoleAssignment:
    """Give `user` (a login of a person `by` administers) `role` over `unit`."""
    _require_user_administered(by, user)
    _require_may_grant(by, unit, role)
    if not user.is_active:
        raise ValidationError(_("This login is deactivated; activate it first."))
    if RoleAssignment.objects.filter(user=user, unit=unit, role=role).exists():
        raise ValidationError(
            _("%(user)s already holds %(role)s over %(unit)s.")
            % {"user": user.display_name(), "role": Role(role).label, "unit": unit.name}
        )
    assignment = assign_role(user=user, unit=unit, role=role)
    record_change(
        obj=user,
        kind="update",
        user=by,
        before=None,
        after={"granted": f"{Role(role).label} · {unit.name}"},
        source="admin",
    )
    return assignment


@transaction.atomic
def withdraw_role(*, by: User, assignment: RoleAssignment) -> None:
    """Take back a role `by` could have granted; never his own administrator role."""
    assignment = RoleAssignment.objects.select_related("user", "unit").get(pk=assignment.pk)
    _require_user_administered(by, assignment.user)
    _require_may_grant(by, assignment.unit, assignment.role)
    if assignment.user_id == by.pk and role_allows(assignment.role, "org", Action.ADMINISTER):
        raise PermissionDenied(_("You cannot withdraw your own administrator role."))
    revoke_role(user=assignment.user, unit=assignment.unit, role=assignment.role)
    record_change(
        obj=assignment.user,
        kind="update",
        user=by,
        before={"granted": f"{assignment.get_role_display()} · {assignment.unit.name}"},
        after=None,
        source="admin",
    )
