"""The one scoping layer. Every query for ledger rows passes through `scope_queryset`.

A role assignment (user, unit, role) grants the role's rights over the unit's subtree (or over
the unit alone for own-unit roles). A row is in reach when its unit is in one of the subtrees
whose role grants the action on the row's module.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery


def _assignments(user) -> list[tuple[str, int, str, bool]]:
    """(unit path, unit id, role, subtree) for each of the user's active assignments, cached on
    the user object for the life of the request."""
    cached = getattr(user, "_gx_assignments", None)
    if cached is not None:
        return cached
    from gongxiao.org.roles import OWN_UNIT_ONLY

    RoleAssignment = apps.get_model("org", "RoleAssignment")
    rows = RoleAssignment.objects.filter(user_id=user.pk, unit__status="active").values_list(
        "unit__path", "unit_id", "role"
    )
    cached = [(path, unit_id, role, role not in OWN_UNIT_ONLY) for path, unit_id, role in rows]
    user._gx_assignments = cached
    return cached


def forget(user) -> None:
    """Drop what is cached on the user (after his assignments change)."""
    for name in ("_gx_assignments", "_gx_related_reach", "_gx_seen_rows"):
        user.__dict__.pop(name, None)


def is_unrestricted(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def unit_q(user, module: str | None, action: str) -> Q | None:
    """A Q over Unit for the units where `user` may take `action` in `module` (any module when
    None). None means every unit; an impossible Q means none."""
    from gongxiao.org.roles import RESTRICTED_MODULES, role_allows

    if is_unrestricted(user) and module not in RESTRICTED_MODULES:
        return None
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for path, unit_id, role, subtree in _assignments(user):
        if module is None or role_allows(role, module, action):
            q |= Q(path__startswith=path) if subtree else Q(pk=unit_id)
    return q


def may_at(user, module: str, action: str, unit) -> bool:
    """Whether `user` may take `action` in `module` at `unit` (a row to be added there, say),
    decided from the cached assignments and the unit's path: no query."""
    from gongxiao.org.roles import RESTRICTED_MODULES, role_allows

    if is_unrestricted(user) and module not in RESTRICTED_MODULES:
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    return any(
        role_allows(role, module, action)
        and (unit.path.startswith(path) if subtree else unit.pk == unit_id)
        for path, unit_id, role, subtree in _assignments(user)
    )


def units_for(user, module: str | None = None, action: str = "view") -> QuerySet:
    """The units in reach, e.g. for a unit selector or a form's unit choices."""
    Unit = apps.get_model("org", "Unit")
    q = unit_q(user, module, action)
    qs = Unit.objects.all() if q is None else Unit.objects.filter(q)
    return qs.order_by("path")


def row_q(user, module: str, action: str, field: str) -> Q | None:
    """unit_q seen from the rows: a Q on the path of the unit the rows reach through `field`.
    A join on the unit lets the database walk a big ledger in its own order (newest first) and
    stop after a page, where an IN over the units in reach made it sort every row first."""
    from gongxiao.org.roles import RESTRICTED_MODULES, role_allows

    if is_unrestricted(user) and module not in RESTRICTED_MODULES:
        return None
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for path, unit_id, role, subtree in _assignments(user):
        if role_allows(role, module, action):
            q |= _subtree_q(field, path) if subtree else Q(**{field: unit_id})
    return q


class _AnyOf(Func):
    """PostgreSQL's `column = ANY(ARRAY(subquery))`: the subquery runs once, before the scan."""

    arg_joiner = " = ANY(ARRAY"
    template = "%(expressions)s)"
    output_field = BooleanField()


def _subtree_q(field: str, path: str) -> Q:
    """Rows whose unit lies in the subtree at `path`. SQLite answers the join on the unit's
    path best (it filters the walk with a Bloom filter of the units in reach). PostgreSQL
    probes the unit table once per row walked for the join (a county's first page: some 2,500
    probes, 13 ms); given the subtree's unit ids first (`= ANY(ARRAY(SELECT …))`, one initial
    plan) it checks each index entry against them and reads a page from the index alone
    (0.3–1 ms). Both walk the ledger in its own order and stop after a page."""
    if connection.vendor != "postgresql" or path.count("/") <= 2:
        # A province's or a city's reach (thousands or hundreds of units) stays the join:
        # PostgreSQL compares each row with the array element by element, which for a scan
        # of a filtered or searched list over 3,112 units cost 0.3–0.8 s (the join: 50–90 ms).
        return Q(**{f"{field}__path__startswith": path})
    Unit = apps.get_model("org", "Unit")
    units = Unit.objects.filter(path__startswith=path).order_by().values("pk")
    return Q(_AnyOf(F(field), Subquery(units)))


def subtree_q(field: str, unit) -> Q:
    """A Q on rows whose unit (through `field`) is `unit` or below it, written for the planner.
    Below the top of the tree (a city, a county: a small part of a big ledger) the rows are
    named by their unit's id among the subtree's units, so the database starts from the rows
    of those units (the unit index: a county's year of items in 40 ms on SQLite) instead of
    walking a date index over the whole ledger and checking each row's unit (1.2 s). At the top
    (a province: about every row) it is the join on the path, one pass over the rows."""
    if unit.parent_id is None:
        return Q(**{f"{field}__path__startswith": unit.path})
    Unit = apps.get_model("org", "Unit")
    return Q(**{f"{field}__in": Unit.objects.filter(path__startswith=unit.path).values("pk")})


def scope_queryset(qs: QuerySet, user, action: str = "view") -> QuerySet:
    model = qs.model
    q = unit_q(user, model.module, action)
    if q is None:
        return qs
    Unit = apps.get_model("org", "Unit")
    units = Unit.objects.filter(q).values("pk")
    reach = row_q(user, model.module, action, model.scope_field)
    shared = getattr(model, "shared_with_field", None)
    if shared and action == "view":
        # A row shared with other units (a campaign with the units taking part) is seen there
        # too, but changed only by its own unit.
        reach |= Q(pk__in=model.objects.filter(**{f"{shared}__in": units}).values("pk"))
    return qs.filter(reach)


def can(user, action: str, obj=None, *, model=None) -> bool:
    """May `user` take `action` on `obj` (or on some row of `model` when obj is None)?"""
    model = model or type(obj)
    q = unit_q(user, model.module, action)
    if q is None:
        return True
    Unit = apps.get_model("org", "Unit")
    if obj is None:
        return Unit.objects.filter(q).exists()
    if getattr(model, "shared_with_field", None) and action == "view":
        return scope_queryset(model.objects.filter(pk=obj.pk), user, action).exists()
    unit_id = _unit_id_of(obj)
    return Unit.objects.filter(q, pk=unit_id).exists()


def _unit_id_of(obj) -> int | None:
    target = obj
    parts = obj.scope_field.split("__")
    for part in parts[:-1]:
        target = getattr(target, part)
    return getattr(target, f"{parts[-1]}_id")


def can_any(user, module: str, action: str) -> bool:
    from gongxiao.org.roles import RESTRICTED_MODULES, role_allows

    if is_unrestricted(user) and module not in RESTRICTED_MODULES:
        return True
    if not (user and user.is_authenticated):
        return False
    return any(role_allows(role, module, action) for _p, _u, role, _s in _assignments(user))


def scope_related(qs: QuerySet, user) -> QuerySet:
    """Limit the choices of a related field (a form's select, a filter's options, an API
    field) to what `user` may see, so no name from another county shows up in a dropdown."""
    model = qs.model
    Unit = apps.get_model("org", "Unit")
    if model is Unit:
        q = unit_q(user, None, "view")
        return qs if q is None else qs.filter(q)
    if model._meta.label == "org.Person":
        # One may name the people of one's units and of the units above them (a clerk names
        # his county's leader as responsible leader); nobody of a sibling county.
        q = unit_q(user, None, "view")
        if q is None:
            return qs
        if not (user and user.is_authenticated and user.is_active):
            return qs.none()
        # The units in reach, and the units above the ones assigned (the ancestors of any unit
        # in reach are either in reach or above an assignment): no walk over every unit.
        above = set()
        for path, _unit_id, _role, _subtree in _assignments(user):
            above.update(int(p) for p in path.strip("/").split("/"))
        return qs.filter(Q(unit__in=Unit.objects.filter(q).values("pk")) | Q(unit_id__in=above))
    if hasattr(model, "scope_field") and hasattr(model, "module"):
        return scope_queryset(qs, user, "view")
    if model._meta.label == "org.User":
        q = unit_q(user, None, "view")
        if q is None:
            return qs
        return qs.filter(assignments__unit__in=Unit.objects.filter(q).values("pk")).distinct()
    return qs


def can_see_related(user, obj) -> bool:
    """Whether a related row shown inside a visible row (a unit taking part, a person talked
    to) may be named to `user`. Answers from sets cached on the user for the request."""
    model = type(obj)
    label = model._meta.label
    if label not in ("org.Unit", "org.Person"):
        if hasattr(model, "scope_field") and hasattr(model, "module"):
            # Asked once per row and request (an export names the same campaign many times).
            seen = user.__dict__.setdefault("_gx_seen_rows", {})
            key = (label, obj.pk)
            if key not in seen:
                seen[key] = scope_queryset(model.objects.filter(pk=obj.pk), user).exists()
            return seen[key]
        return True
    if unit_q(user, None, "view") is None:
        return True
    cache = getattr(user, "_gx_related_reach", None)
    if cache is None:
        Unit = apps.get_model("org", "Unit")
        paths = list(Unit.objects.filter(unit_q(user, None, "view")).values_list("pk", "path"))
        units = {pk for pk, _path in paths}
        with_ancestors = {int(p) for _pk, path in paths for p in path.strip("/").split("/")}
        cache = (units, with_ancestors)
        user._gx_related_reach = cache
    units, with_ancestors = cache
    if label == "org.Unit":
        return obj.pk in units
    return obj.unit_id in with_ancestors
