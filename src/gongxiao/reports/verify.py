"""Checking a finalised report later: every figure it printed is recomputed for its period from
the ledgers as they are now, and each figure that late entries have changed is listed with its
audit trail: the rows added to it, dropped from it, and changed since finalisation, by whom.
Nothing here writes: the finalised figures and files stay as issued."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongxiao.core import metrics
from gongxiao.core.models import ChangeRecord
from gongxiao.core.periods import parse_period

from .models import ReportDraft


@dataclass
class RowChange:
    """One row behind a figure that changed after finalisation."""

    pk: str
    name: str
    how: str  # "added", "removed" or "changed"
    records: list = field(default_factory=list)  # ChangeRecords after finalisation, oldest first
    model: type | None = None

    def fields_text(self, record) -> str:
        """The fields a change touched, by their names on the form."""
        names = []
        for name in record.changed_fields():
            try:
                names.append(str(self.model._meta.get_field(name).verbose_name))
            except Exception:  # noqa: BLE001 - a field since removed keeps its stored name
                names.append(name)
        return "、".join(names)

    @property
    def entries(self) -> list[tuple]:
        return [(r, self.fields_text(r)) for r in self.records]

    @property
    def how_text(self) -> str:
        return {
            "added": _("now counted"),
            "removed": _("no longer counted"),
            "changed": _("changed"),
        }[self.how]

    @property
    def by(self) -> str:
        return "、".join(dict.fromkeys(r.user_repr or "—" for r in self.records)) or "—"


@dataclass
class Drift:
    """A figure whose value today differs from the value finalised."""

    id: str
    key: str
    label: str
    measure: str
    unit: str
    period: str
    frozen: object
    now: object
    url: str = ""
    rows: list = field(default_factory=list)  # RowChange

    @property
    def frozen_text(self) -> str:
        return metrics.display(_number(self.frozen), self.measure)

    @property
    def now_text(self) -> str:
        return metrics.display(_number(self.now), self.measure)


@dataclass
class Check:
    draft: ReportDraft
    checked: int = 0  # figures recomputed
    drifts: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # figures that could not be recomputed

    @property
    def agrees(self) -> bool:
        return not self.drifts and not self.errors


def _number(value):
    if value is None or isinstance(value, (int, Decimal)):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def same(a, b) -> bool:
    a, b = _number(a), _number(b)
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        return Decimal(a) == Decimal(b)
    return a == b


def finaliser(draft: ReportDraft):
    """The user whose rights made the finalised figures."""
    User = get_user_model()
    name = (draft.snapshot or {}).get("by")
    user = User.objects.filter(**{User.USERNAME_FIELD: name}).first() if name else None
    return user or draft.updated_by


def check(draft: ReportDraft, user=None) -> Check:
    """Recompute the figures of a finalised `draft` as `user` (the finaliser by default) sees
    the ledgers now."""
    from gongxiao.org.models import Unit

    user = user or finaliser(draft)
    result = Check(draft)
    specs = (draft.snapshot or {}).get("figures")
    if specs is None:
        specs = _specs_from_text(draft, user)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={s["unit"] for s in specs})}
    for spec in specs:
        unit = units.get(spec["unit"])
        try:
            if unit is None:
                raise PermissionDenied(_("The unit no longer exists."))
            fig = metrics.compute(
                spec["key"],
                user,
                unit,
                parse_period(spec["period"]),
                dict(spec.get("filters") or []) or None,
            )
        except (KeyError, PermissionDenied, ValueError) as exc:
            result.errors.append(f"{spec['id']} {spec.get('label', spec['key'])}: {exc}")
            continue
        result.checked += 1
        if same(fig.value, spec["value"]):
            continue
        result.drifts.append(
            Drift(
                id=spec["id"],
                key=spec["key"],
                label=spec.get("label") or str(fig.metric.label),
                measure=fig.metric.measure,
                unit=unit.name,
                period=parse_period(spec["period"]).label,
                frozen=spec["value"],
                now=fig.value,
                url=fig.url,
                rows=_row_changes(draft, fig.rows, spec.get("rows")),
            )
        )
    return result


def _row_changes(draft, rows, frozen_pks) -> list[RowChange]:
    """The figure's rows that entered it, left it or changed after finalisation."""
    now = {str(pk) for pk in rows.order_by().values_list("pk", flat=True)}
    frozen = set(frozen_pks) if frozen_pks is not None else None
    involved = now | (frozen or set())
    model = rows.model
    ct = ContentType.objects.get_for_model(model)
    records: dict[str, list] = {}
    late = ChangeRecord.objects.filter(
        content_type=ct, object_pk__in=involved, at__gt=draft.finalised_at
    ).order_by("at", "id")
    for r in late:
        records.setdefault(r.object_pk, []).append(r)
    out = []
    names = {str(o.pk): str(o) for o in model._default_manager.filter(pk__in=involved)}
    for pk in sorted(involved, key=lambda p: (len(p), p)):
        if frozen is not None and pk in now and pk not in frozen:
            how = "added"
        elif frozen is not None and pk in frozen and pk not in now:
            how = "removed"
        elif pk in records:
            how = "changed"
        else:
            continue
        recs = records.get(pk, [])
        name = names.get(pk) or (recs[-1].object_repr if recs else pk)
        out.append(RowChange(pk, name, how, recs, model))
    return out


def _specs_from_text(draft, user) -> list[dict]:
    """For a report finalised before figures were kept one by one: its figures as its text
    names them, with the values kept by key."""
    from . import placeholders

    values = (draft.snapshot or {}).get("values", {})
    doc = placeholders.build(draft, user)
    specs = []
    for ident, used in doc.resolver.used.items():
        key = placeholders._snapshot_key(ident)
        if key not in values:
            continue
        specs.append(
            {
                "id": used.id,
                "key": used.metric.key,
                "label": used.label,
                "unit": used.unit.pk,
                "period": used.period.code,
                "filters": sorted(used.filters.items()),
                "value": values[key],
                "rows": None,
            }
        )
    return specs


def finalised_drafts():
    return ReportDraft.objects.filter(status=ReportDraft.Status.FINAL).select_related("unit")
