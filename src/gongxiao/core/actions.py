"""Actions: every change a ledger row takes beyond the generic edit (a workflow step, progress
with evidence, a measure's state) is declared once on its ledger, and the kit gives it its
button, its page, its API route with OpenAPI, its bulk form on the list and its audit record:

    class ItemLedger(Ledger):
        actions = [
            Action(
                "close_out",
                _("Close out"),
                service=close_out,          # service(obj, user, *, on, **inputs)
                right="review",             # on the ledger's module, over the row's unit
                check=may_close_out,        # check(obj, user): None, or raises a refusal
                business_date=True,
                bulk=True,
                example={},
            ),
        ]

Whatever door is used, one runner (`perform`) takes the change: one transaction, the row
locked, the version required and checked, scope and right checked through the scoping layer,
the input validated by the action's form, the service called, one `ActionRecord` and the
change record written. One mapping (`refusal`) turns the domain's refusals into a page message
and an API status.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxiao.core.models import RecordLocked


class ActionRefused(Exception):
    """A change the rules do not allow now; the message says why in plain words. The refusals
    of the domain (a workflow step out of turn, a closed item) subclass it, so every door maps
    them the same way (a message on the page, 409 in the API)."""


class VersionMissing(ActionRefused):
    """The request did not say which version of the row it was based on."""

    def __init__(self):
        super().__init__(_("The page is out of date: reload it and try again."))


class InputInvalid(ValidationError):
    """The action's input failed its form; `form` holds the errors and the input as sent."""

    def __init__(self, form):
        self.form = form
        super().__init__({k: [str(m) for m in ms] for k, ms in form.errors.items()})


@dataclass
class Output:
    """What a background action leaves its job: a file to download and a message."""

    filename: str
    data: bytes
    message: str


class ActionForm(forms.Form):
    """The base of an action's input form: it knows the row and the user, to scope its choices
    (the measures of this item, the people in reach)."""

    def __init__(self, *args, obj=None, user=None, **kwargs):
        self.obj = obj
        self.user = user
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            widget = f.widget
            if f.label and not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("aria-label", str(f.label))
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-sm")


STYLES = {"primary", "secondary", "success", "danger", "outline-danger", "outline-secondary"}


@dataclass
class Action:
    """One change a row of a ledger can take. `service(obj, user, **inputs)` does it (with
    `on=` the business date when `business_date`); `check(obj, user)` is its dry run, None or
    a raised refusal, deciding which buttons show; `right` is the action of org.roles the user
    needs on the ledger's module over the row's unit."""

    name: str
    label: object
    service: Callable
    right: str = "change"
    input: type[forms.Form] | None = None
    check: Callable | None = None
    business_date: bool = False
    bulk: bool = False
    # Example input for the generated tests; a value may be a function of the row (the id of
    # one of its measures). An action without one fails core/tests/test_actions.py.
    example: dict | None = None
    style: str = "primary"
    # Shown in the detail page's actions block; False when the app's template places it
    # itself (a state select on each measure's line), still posting to the kit's route.
    in_block: bool = True
    # The action adds to the row without changing it (an amendment to sealed minutes, a
    # follow-up of a decision): its version is still required and checked, never raised, as
    # the row itself may be sealed.
    appends: bool = False
    # The service runs in the task worker (定稿 writes a Word file and every row of the working
    # papers): the request checks everything and gets a job to follow; the job takes the
    # action through the same runner, the service called with `progress=` and free to return
    # an `Output` (a file to download).
    background: bool = False
    # Inputs kept out of the action record (a password): recorded as "******".
    secret: tuple[str, ...] = ()
    # Asked before the page posts it (a step that cannot be undone, such as sealing): the
    # question shown; the API, whose callers mean what they send, does not ask.
    confirm: object = None
    ledger: object = field(default=None, repr=False)

    def __post_init__(self):
        if self.style not in STYLES:
            raise ValueError(f"Action {self.name}: unknown style {self.style!r}")
        if self.background and self.bulk:
            raise ValueError(f"Action {self.name}: a background action applies to one row")

    @cached_property
    def form_class(self) -> type[ActionForm]:
        """The input form with the kit's fields: the version read (hidden) and, for an event,
        its business date (业务日期), today unless entered after the fact."""
        base = self.input or ActionForm
        attrs = {
            "version": forms.IntegerField(widget=forms.HiddenInput, required=False),
        }
        if self.business_date:
            attrs["on"] = forms.DateField(
                label=gettext_lazy("business date"),
                required=False,
                help_text=gettext_lazy("The day this happened; today unless entered later."),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        return type(f"{self.name.title().replace('_', '')}ActionForm", (base,), attrs)

    def form(self, obj, user, data=None, files=None):
        initial = {"version": obj.version}
        if self.business_date:
            initial["on"] = timezone.localdate()
        form = self.form_class(
            data,
            files,
            obj=obj,
            user=user,
            initial=initial,
            auto_id=f"id_{self.name}_%s",
        )
        if self.business_date:
            attrs = form.fields["on"].widget.attrs
            attrs["max"] = timezone.localdate().isoformat()
            attrs["class"] = "form-control form-control-sm w-auto"
            attrs["title"] = str(form.fields["on"].help_text)
        return form

    @property
    def has_inputs(self) -> bool:
        return bool(self.input and self.input.base_fields)

    def refusal(self, obj, user, rights: dict | None = None) -> str | None:
        """Why `user` may not take this action on `obj` now (None: he may). `rights` caches
        the answers on the rights for several actions of one page."""
        try:
            if not _has_right(obj, user, self.right, {} if rights is None else rights):
                raise PermissionDenied(_("Your roles do not allow this action on this record."))
            if self.check is not None:
                self.check(obj, user)
        except (ActionRefused, PermissionDenied, RecordLocked) as exc:
            return str(exc) or _("Your roles do not allow this.")
        return None

    def refusal_by_rules(self, obj, user) -> str | None:
        """Why the rules refuse this action on `obj` now, the user's right aside (a page that
        checked the right once for many rows asks this for each)."""
        if self.check is None:
            return None
        try:
            self.check(obj, user)
        except (ActionRefused, PermissionDenied, RecordLocked) as exc:
            return str(exc) or _("Your roles do not allow this.")
        return None

    def allowed(self, obj, user, rights: dict | None = None) -> bool:
        return self.refusal(obj, user, rights) is None

    @cached_property
    def serializer_class(self):
        """The API input, derived from the form so the two doors share one declaration."""
        from gongxiao.core.serializers import serializer_for_action

        return serializer_for_action(self)


def _has_right(obj, user, right, cache: dict) -> bool:
    if right not in cache:
        cache[right] = type(obj).objects.permitted(user, right).filter(pk=obj.pk).exists()
    return cache[right]


def available(ledger, obj, user) -> list[Action]:
    """The actions whose dry run passes for `user` on `obj`: the buttons of the row's page."""
    rights: dict = {}  # one query per right, not per button
    return [a for a in ledger.actions if a.allowed(obj, user, rights)]


def get_action(ledger, name: str) -> Action:
    for a in ledger.actions:
        if a.name == name:
            return a
    raise Http404(_("No such action."))


# --- the runner ------------------------------------------------------------------------------


def _json(value):
    from gongxiao.core.services import _plain

    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if hasattr(value, "read") and hasattr(value, "name"):  # an uploaded file: its name
        return getattr(value, "name", "")
    return _plain(value)


def perform(
    ledger,
    action: Action,
    obj,
    user,
    data,
    expected_version,
    *,
    files=None,
    source: str = "web",
    progress=None,
    validate_only: bool = False,
):
    """Take `action` on `obj` for `user` with the input `data` (a form's or a request's), based
    on version `expected_version`. Refused, with nothing written, by: a row out of the user's
    scope (Http404), a missing right (PermissionDenied), a missing or stale version
    (VersionMissing, StaleEdit), input its form refuses (InputInvalid), and the rules of the
    domain (ActionRefused and its kin). Returns the row as it stands after (or the `Output` of
    a background action). `validate_only` runs every check and returns the cleaned input,
    writing nothing: what a request does before it queues a background action."""
    from gongxiao.core import services
    from gongxiao.core.models import ActionRecord

    model = ledger.model
    pk = obj.pk
    with transaction.atomic():
        if not model.objects.permitted(user, "view").filter(pk=pk).exists():
            raise Http404(_("No such record."))
        # The lock first, then every check on the row as it is now: two clerks pressing the
        # same button at once take the step once.
        current = model.objects.select_for_update().get(pk=pk)
        if not model.objects.permitted(user, action.right).filter(pk=pk).exists():
            raise PermissionDenied(_("Your roles do not allow this action on this record."))
        if expected_version in (None, ""):
            raise VersionMissing()
        try:
            expected_version = int(expected_version)
        except (TypeError, ValueError):
            raise VersionMissing() from None
        if current.version != expected_version:
            raise services.StaleEdit(model.objects.select_related("updated_by__person").get(pk=pk))
        form = action.form(current, user, data=data, files=files)
        if not form.is_valid():
            raise InputInvalid(form)
        inputs = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if action.business_date:
            inputs["on"] = services.business_date(inputs.get("on"))
        if action.check is not None:
            action.check(current, user)
        if validate_only:
            return inputs
        before = services.snapshot(current)
        with services.collect_changes() as written:
            extra = {"progress": progress} if action.background else {}
            result = action.service(current, user, **inputs, **extra)
        current = model.objects.get(pk=pk)
        if current.version == expected_version and not action.appends:
            # The row's version marks every action taken on it, so a page read before the
            # action cannot take it (or another) again unknowingly.
            model.objects.filter(pk=pk).update(
                version=F("version") + 1, updated_by=user, updated_at=timezone.now()
            )
            current = model.objects.get(pk=pk)
        if not written:
            services.record_change(
                obj=current,
                kind="update",
                user=user,
                before=before,
                after=services.snapshot(current),
                source=source,
            )
        ActionRecord.objects.create(
            ledger=ledger.key,
            object_pk=str(pk),
            action=action.name,
            user=user if user.is_authenticated else None,
            user_repr=services._who(user),
            on=inputs.get("on") if action.business_date else None,
            source=source,
            data={k: "******" if k in action.secret else _json(v) for k, v in inputs.items()},
        )
    obj.__dict__.update(current.__dict__)
    return result if isinstance(result, (model, Output)) else current


def plain_inputs(inputs: dict) -> dict:
    """An action's cleaned input as JSON (rows by id, dates in ISO form), to hand to a job."""
    return {k: _json(v) for k, v in inputs.items()}


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (pk, message)
    not_found: list = field(default_factory=list)

    def message(self, action) -> str:
        parts = [
            _("%(action)s: done on %(n)s rows.") % {"action": action.label, "n": len(self.done)}
        ]
        if self.refused:
            parts.append(
                _("Refused on %(n)s: %(list)s.")
                % {
                    "n": len(self.refused),
                    "list": "；".join(f"#{pk} {msg}" for pk, msg in self.refused[:10]),
                }
            )
        if self.not_found:
            parts.append(
                _("%(n)s rows not found in your scope were not touched.")
                % {"n": len(self.not_found)}
            )
        return " ".join(parts)


def perform_bulk(ledger, action: Action, rows, user, data, *, source="bulk") -> BulkResult:
    """Take `action` on each of `rows` ((pk, version) pairs) through the same runner, each in
    its own savepoint: a row refused leaves the others done; a row out of scope is reported,
    never touched."""
    result = BulkResult()
    if not action.bulk:
        raise ActionRefused(_("This action does not apply to several rows at once."))
    for pk, version in rows:
        obj = ledger.model.objects.permitted(user, "view").filter(pk=pk).first()
        if obj is None:
            result.not_found.append(pk)
            continue
        try:
            with transaction.atomic():
                perform(ledger, action, obj, user, data, version, source=source)
        except Http404:
            result.not_found.append(pk)
        except Exception as exc:
            status, message = refusal(exc)
            if status is None:
                raise
            result.refused.append((pk, message))
        else:
            result.done.append(pk)
    return result


# --- one mapping of refusals -----------------------------------------------------------------


def refusal(exc) -> tuple[int | None, str]:
    """(API status, page message) for a refusal from the runner or a service; (None, "") for
    an exception that is not one (a bug: let it raise)."""
    from gongxiao.core.services import StaleEdit, validation_messages

    if isinstance(exc, Http404):
        return 404, str(exc) or _("No such record.")
    if isinstance(exc, PermissionDenied):
        return 403, str(exc) or _("Your roles do not allow this.")
    if isinstance(exc, InputInvalid):
        return 400, "；".join(
            f"{exc.form.fields[k].label}：{m}" if k in exc.form.fields else m
            for k, ms in exc.form.errors.items()
            for m in ms
        )
    if isinstance(exc, ValidationError):
        return 400, "；".join(validation_messages(exc))
    if isinstance(exc, (StaleEdit, ActionRefused, RecordLocked)):
        return 409, str(exc)
    return None, ""


def api_error(exc):
    """The DRF exception for a refusal, raised by the API door."""
    from rest_framework import exceptions

    from gongxiao.core.rest import Conflict

    status, message = refusal(exc)
    if status == 404:
        return exceptions.NotFound(message)
    if status == 403:
        return exceptions.PermissionDenied(message)
    if status == 400:
        if isinstance(exc, InputInvalid):
            return exceptions.ValidationError(
                {k: [str(m) for m in ms] for k, ms in exc.form.errors.items()}
            )
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return exceptions.ValidationError(detail)
    if status == 409:
        return Conflict(message)
    return None


def parse_rows(values) -> list[tuple[int, int | None]]:
    """The rows a bulk form selected: "pk:version" each."""
    out = []
    for v in values:
        pk, _sep, version = str(v).partition(":")
        with contextlib.suppress(ValueError):
            out.append((int(pk), int(version) if version else None))
    return out
