"""Writes to the organisation tree and to role assignments."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gongxiao.core import scoping

from .models import RoleAssignment, Unit, User


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
