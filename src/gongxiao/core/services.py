"""Every write to a ledger row goes through these functions: they check scope, enforce the
optimistic lock, refuse deleting referenced rows, and write the change history in the same
transaction."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import uuid
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from gongxiao.core import bulk, scoping
from gongxiao.core.models import ChangeRecord


class StaleEdit(Exception):
    """Somebody saved the row after this edit began; nothing was written."""

    def __init__(self, current):
        self.current = current
        who = current.updated_by.display_name() if current.updated_by_id else _("someone")
        super().__init__(
            _(
                "This record was changed by %(who)s after you opened it (now version %(v)s). "
                "Your changes were not saved; compare with the saved values and submit again."
            )
            % {"who": who, "v": current.version}
        )


class RowInUse(Exception):
    """The row is referenced by other rows and cannot be deleted."""


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(obj) -> dict:
    """The row's stored values, JSON-ready, keyed by field name (foreign keys by id)."""
    data = {}
    # A model may keep a bulky or guarded field out of its history (a report's frozen figures).
    skip = {"created_at", "updated_at", *getattr(obj, "history_exclude", ())}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        key = field.name
        data[key] = _plain(field.value_from_object(obj))
    return data


def snapshots(objs: list) -> list[dict]:
    """`snapshot` of many rows of one model, the field list worked out once."""
    if not objs:
        return []
    skip = {"created_at", "updated_at", *getattr(objs[0], "history_exclude", ())}
    concrete = [f for f in objs[0]._meta.concrete_fields if f.name not in skip]
    # A file field's value goes through its descriptor (a FieldFile), as in `snapshot`.
    fields = [(f.name, f.attname, isinstance(f, models.FileField)) for f in concrete]
    plain = (str, int, bool, float, type(None))
    out = []
    for obj in objs:
        d = obj.__dict__
        row = {}
        for name, attname, through in fields:
            v = getattr(obj, attname) if through else d[attname]
            row[name] = v if type(v) in plain else _plain(v)
        out.append(row)
    return out


_collecting: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "gx_collecting_changes", default=None
)


@contextlib.contextmanager
def collect_changes():
    """The change records written inside the block (the action runner writes one itself when
    a service wrote none)."""
    written: list = []
    token = _collecting.set(written)
    try:
        yield written
    finally:
        _collecting.reset(token)


def record_change(*, obj, kind: str, user, before=None, after=None, source="web") -> ChangeRecord:
    unit_id = scoping._unit_id_of(obj) if hasattr(obj, "scope_field") else None
    record = ChangeRecord.objects.create(
        **_change_kwargs(obj, kind, user, before, after, source, unit_id)
    )
    if (sink := _collecting.get()) is not None:
        sink.append(record)
    return record


def _change_kwargs(obj, kind, user, before, after, source, unit_id):
    return {
        "content_type": ContentType.objects.get_for_model(type(obj)),
        "object_pk": str(obj.pk),
        "object_repr": str(obj)[:200],
        "unit_id": unit_id,
        "user": user if user and user.is_authenticated else None,
        "user_repr": _who(user),
        "kind": kind,
        "source": source,
        "before": before,
        "after": after,
    }


def _who(user) -> str:
    if not (user and user.is_authenticated):
        return "system"
    # The history names the person (王小明); the login stays in the record's user id.
    return user.display_name() if hasattr(user, "display_name") else user.get_username()


def _require_unit(user, model, unit_id, action):
    allowed = scoping.units_for(user, model.module, action).filter(pk=unit_id).exists()
    if not allowed:
        raise PermissionDenied(_("You may not record data for this unit."))


def _check_still_in_scope(user, obj, action):
    # NetBox's habit: after the write, inside the transaction, make sure the row is still in
    # reach; otherwise roll back, so nobody can move a row out of his scope or create one outside.
    if not type(obj).objects.permitted(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not record data for this unit."))


@transaction.atomic
def create_row(*, obj: models.Model, user, source: str = "web"):
    """Insert a new ledger row built (and validated) by a form, serializer or import."""
    _require_unit(user, type(obj), scoping._unit_id_of(obj), "add")
    obj.created_by = user
    obj.updated_by = user
    obj.version = 1
    obj.full_clean()
    obj.save()
    _check_still_in_scope(user, obj, "add")
    record_change(
        obj=obj, kind=ChangeRecord.Kind.CREATE, user=user, after=snapshot(obj), source=source
    )
    return obj


@transaction.atomic
def update_row(*, obj: models.Model, expected_version: int, user, source: str = "web"):
    """Save an edited row only if nobody saved it since `expected_version` was read."""
    model = type(obj)
    stored = model.objects.permitted(user, "change").filter(pk=obj.pk).first()
    if stored is None:
        raise PermissionDenied(_("You may not change this record."))
    # The conditional UPDATE is the lock: of two edits of the same version only one matches.
    claimed = model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not claimed:
        raise StaleEdit(model.objects.select_related("updated_by__person").get(pk=obj.pk))
    before = snapshot(stored)
    obj.version = expected_version + 1
    obj.updated_by = user
    obj.full_clean()
    obj.save()
    _check_still_in_scope(user, obj, "change")
    after = snapshot(obj)
    if before != after:
        record_change(
            obj=obj,
            kind=ChangeRecord.Kind.UPDATE,
            user=user,
            before=before,
            after=after,
            source=source,
        )
    return obj


@transaction.atomic
def delete_row(*, obj: models.Model, user, source: str = "web") -> None:
    model = type(obj)
    if not model.objects.permitted(user, "delete").filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not delete this record."))
    before = snapshot(obj)
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        blockers = (
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        models_ = {type(o) for o in blockers}
        # Name only the kinds of record the user may see: that a person appears in the four
        # forms ledger is itself restricted.
        refs = sorted(
            str(m._meta.verbose_name)
            for m in models_
            if not hasattr(m, "module") or scoping.can_any(user, m.module, "view")
        )
        if len(refs) == len(models_):
            message = _(
                "This record is referenced by other records (%(refs)s) and cannot be deleted."
            ) % {"refs": "、".join(refs)}
        else:
            message = _("This record is referenced by other records and cannot be deleted.")
        raise RowInUse(message) from exc
    obj.pk = before.get("id")
    record_change(obj=obj, kind=ChangeRecord.Kind.DELETE, user=user, before=before, source=source)


@transaction.atomic
def set_m2m(*, obj, values: dict, user, source: str = "web") -> None:
    """Set many-to-many fields (the units inspected, the people talked to) and record the change."""
    before = {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in values}
    for name, items in values.items():
        getattr(obj, name).set(items)
    after = {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in values}
    if before != after:
        record_change(
            obj=obj,
            kind=ChangeRecord.Kind.UPDATE,
            user=user,
            before=before,
            after=after,
            source=source,
        )


def bulk_create_rows(*, model, objs: list, user, source: str = "import") -> list:
    """Insert validated rows in bulk with their history rows; the caller holds the transaction."""
    # The same scope rules as one row at a time: every row's unit (through its parent for a
    # sub-row) must be one the user may add to, before and after the insert.
    units = {scoping._unit_id_of(obj) for obj in objs}
    allowed = set(
        scoping.units_for(user, model.module, "add")
        .filter(pk__in=units)
        .values_list("pk", flat=True)
    )
    if units - allowed:
        raise PermissionDenied(_("You may not record data for this unit."))
    for obj in objs:
        obj.created_by = user
        obj.updated_by = user
        obj.version = 1
    created = bulk.insert(model, objs)
    if any(o.pk is None for o in created):  # backends that cannot return ids
        raise RuntimeError("bulk_create did not return primary keys")
    ids = [o.pk for o in created]
    # In chunks: SQLite takes at most some thousands of parameters in one statement.
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        if model.objects.permitted(user, "add").filter(pk__in=chunk).count() != len(chunk):
            raise PermissionDenied(_("You may not record data for this unit."))
    ct = ContentType.objects.get_for_model(model)
    who = user if user and user.is_authenticated else None
    user_repr = _who(user)
    n = len(created)
    # Column by column, without a model instance per record (a 100,000-row import).
    bulk.insert_columns(
        ChangeRecord,
        {
            "content_type_id": [ct.pk] * n,
            "object_pk": [str(obj.pk) for obj in created],
            "object_repr": [str(obj)[:200] for obj in created],
            "unit_id": [scoping._unit_id_of(obj) for obj in created],
            "user_id": [who.pk if who else None] * n,
            "user_repr": [user_repr] * n,
            "kind": [ChangeRecord.Kind.CREATE.value] * n,
            "source": [source] * n,
            "before": [None] * n,
            "after": snapshots(created),
        },
    )
    return created


def business_date(
    on: datetime.date | None,
    *,
    not_before: Sequence[tuple[datetime.date | None, str]] = (),
    field="on",
) -> datetime.date:
    """The business date (业务日期) of an event: the day it happened, kept apart from the time
    it is recorded. Today unless given; never in the future, nor before any of `not_before`
    (the row's own date, the previous step), each with the message to show."""
    from django.utils import timezone

    today = timezone.localdate()
    if on is None:
        return today
    if isinstance(on, datetime.datetime):
        on = on.date()
    if on > today:
        raise ValidationError({field: _("The date cannot be in the future.")})
    for floor, message in not_before:
        if floor is not None and on < floor:
            raise ValidationError({field: message})
    return on


def field_label(name: str, model=None) -> str:
    """The words for a field a refusal names: its verbose name on `model`, or else on the
    first model of the project that has a field of that name; the name itself as a last
    resort."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst

    models_ = [model] if model is not None else []
    models_ += [m for m in apps.get_models() if m.__module__.startswith("gongxiao.")]
    for m in models_:
        try:
            return str(capfirst(m._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            continue
    return name


def validation_messages(exc: ValidationError, model=None) -> list[str]:
    """The messages of a refusal, each prefixed with the label of the field it names (with a
    full-width colon), never its name in the code."""
    if hasattr(exc, "error_dict"):
        return [
            f"{field_label(k, model)}：{m}" if k != "__all__" else m
            for k, ms in exc.message_dict.items()
            for m in ms
        ]
    return list(exc.messages)
