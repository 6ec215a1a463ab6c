"""The REST API: one viewset per registered ledger, generated like the pages, with the same
filters and the same scoping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from gongxiao.core import scoping, services
from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.models import RecordLocked
from gongxiao.core.rest import Conflict


class LedgerPermission(permissions.BasePermission):
    ACTIONS = {
        "GET": "view",
        "HEAD": "view",
        "OPTIONS": "view",
        "POST": "add",
        "PUT": "change",
        "PATCH": "change",
        "DELETE": "delete",
    }

    def has_permission(self, request, view):
        declared = getattr(view, "ledger_actions", {}).get(getattr(view, "action", None))
        if declared is not None:
            # A declared action needs its own right (review, say), not "add".
            return scoping.can_any(request.user, view.ledger.module, declared.right)
        action = self.ACTIONS.get(request.method, "change")
        return scoping.can_any(request.user, view.ledger.module, action)


class LedgerSerializer(serializers.ModelSerializer):
    ledger = None

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            action = "add" if self.instance is None else "change"
            for name, field in fields.items():
                if field.read_only:
                    continue
                # A many-to-many field holds its queryset on the child relation.
                target = getattr(field, "child_relation", field)
                queryset = getattr(target, "queryset", None)
                if queryset is None:
                    continue
                if name == "unit":
                    target.queryset = scoping.units_for(
                        request.user, self.Meta.model.module, action
                    )
                else:
                    target.queryset = scoping.scope_related(queryset, request.user)
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        # The right is checked per row, and only for ledgers that hold personal data.
        if (
            self.ledger.pii_fields
            and request is not None
            and not self.ledger.shows_pii(request.user, instance)
        ):
            for name, mask in self.ledger.pii_fields.items():
                if data.get(name):
                    data[name] = mask(data[name])
        return data

    def _refuse_fields_it_may_not_set(self):
        """A field the client may not write (the status, the close-out time, anything only an
        action changes) is refused with a message naming it, never silently ignored. Sent back
        unchanged, as read, it passes: a client may PUT what it got."""
        data = self.initial_data
        if not hasattr(data, "keys"):
            return
        model = self.Meta.model
        model_fields = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
        errors = {}
        for key in data:
            if key == "version":
                continue
            field = self.fields.get(key)
            if field is not None and not field.read_only:
                continue
            if field is None and key not in model_fields:
                continue  # not a field of the record at all
            sent = data.get(key)
            if field is not None and self.instance is not None:
                try:
                    current = field.to_representation(field.get_attribute(self.instance))
                except (AttributeError, TypeError, ValueError):
                    current = None
                if sent == current or (sent in (None, "") and current in (None, "")):
                    continue
            elif sent in (None, ""):
                continue
            label = model_fields[key].verbose_name if key in model_fields else key
            errors[key] = [
                _(
                    "“%(field)s” cannot be set here: it changes only through the actions of "
                    "this record."
                )
                % {"field": label}
            ]
        if errors:
            raise serializers.ValidationError(errors)

    def validate(self, attrs):
        self._refuse_fields_it_may_not_set()
        # Model validation (validators, clean(), constraints) runs in the service; here we only
        # make sure an update names the version it was based on.
        if self.instance is not None and "version" not in self.initial_data:
            raise serializers.ValidationError(
                {
                    "version": _(
                        "Send the version you read; it protects against overwriting "
                        "another person's change."
                    )
                }
            )
        return attrs


def build_serializer(ledger):
    version = serializers.IntegerField(
        required=False, help_text="Version read; required for updates."
    )
    meta = type(
        "Meta",
        (),
        {
            "model": ledger.model,
            "fields": ["id", *ledger.api_field_names, "version", "created_at", "updated_at"],
            "read_only_fields": ["id", "created_at", "updated_at"],
        },
    )
    return type(
        f"{ledger.model.__name__}Serializer",
        (LedgerSerializer,),
        {"Meta": meta, "ledger": ledger, "version": version},
    )


def _api_field(f: forms.Field):
    """The API field for an action form's field (for the schema; the form validates)."""
    common = {"required": f.required, "label": f.label, "help_text": f.help_text or None}
    if isinstance(f, forms.FileField):
        if getattr(f.widget, "allow_multiple_selected", False):
            return serializers.ListField(child=serializers.FileField(), **common)
        return serializers.FileField(**common)
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(f, forms.ModelChoiceField):
        return serializers.PrimaryKeyRelatedField(
            queryset=f.queryset.model._default_manager.all(), allow_null=not f.required, **common
        )
    if isinstance(f, forms.ChoiceField):
        return serializers.ChoiceField(choices=list(f.choices), **common)
    if isinstance(f, forms.DateField):
        return serializers.DateField(allow_null=not f.required, **common)
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(allow_null=not f.required, **common)
    return serializers.CharField(allow_blank=not f.required, **common)


def serializer_for_action(action):
    """The input of an action's API route, derived from its form: one declaration."""
    fields = {
        name: _api_field(f)
        for name, f in action.form_class.base_fields.items()
        if name != "version"
    }
    fields["version"] = serializers.IntegerField(
        help_text="Version read; required (a stale or missing one answers 409)."
    )
    camel = "".join(p.title() for p in action.name.split("_"))
    return type(
        f"{action.ledger.model.__name__}{camel}ActionInput", (serializers.Serializer,), fields
    )


def _action_route(ledger, act):
    def run(self, request, pk=None):
        from gongxiao.core import actions

        obj = ledger.model.objects.permitted(request.user, "view").filter(pk=pk).first()
        if obj is None:
            raise exceptions.NotFound(_("No such record."))
        try:
            obj = actions.perform(
                ledger,
                act,
                obj,
                request.user,
                request.data,
                request.data.get("version"),
                files=request.FILES,
                source="api",
            )
        except Exception as exc:
            error = actions.api_error(exc)
            if error is None:
                raise
            raise error from exc
        return Response(self.get_serializer(obj).data)

    run.__name__ = f"act_{act.name}"
    run = drf_action(
        detail=True,
        methods=["post"],
        url_path=f"actions/{act.name}",
        url_name=f"action-{act.name}",
    )(run)
    # Outside @action, as drf-spectacular asks.
    return extend_schema(
        summary=str(act.label),
        request={
            "application/json": act.serializer_class,
            "multipart/form-data": act.serializer_class,
        },
        responses=ledger.serializer_class,
        tags=[ledger.app_label],
        operation_id=f"{ledger.app_label}_{ledger.slug}_action_{act.name}",
    )(run)


class BulkRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


class BulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    refused = serializers.ListField(child=serializers.DictField())
    not_found = serializers.ListField(child=serializers.IntegerField())


def _bulk_route(ledger, act):
    """`POST /api/<app>/<ledger>/actions/<name>/` with `rows` [{id, version}]: each row through
    the same runner in its own savepoint; rows out of scope are reported, never touched."""
    fields = {
        name: field
        for name, field in act.serializer_class().get_fields().items()
        if name != "version"
    }
    fields["rows"] = BulkRowSerializer(many=True)
    camel = "".join(p.title() for p in act.name.split("_"))
    request_serializer = type(
        f"{ledger.model.__name__}{camel}BulkInput", (serializers.Serializer,), fields
    )

    def run(self, request):
        from gongxiao.core import actions

        rows = request.data.get("rows")
        if not isinstance(rows, list) or not rows:
            raise serializers.ValidationError({"rows": [_("Choose the rows first.")]})
        pairs = []
        for row in rows:
            try:
                pairs.append((int(row["id"]), row.get("version")))
            except (KeyError, TypeError, ValueError, AttributeError):
                raise serializers.ValidationError(
                    {"rows": [_("Each row needs its id and the version read.")]}
                ) from None
        data = {k: v for k, v in request.data.items() if k != "rows"}
        result = actions.perform_bulk(ledger, act, pairs, request.user, data, source="api-bulk")
        return Response(
            {
                "done": result.done,
                "refused": [{"id": pk, "detail": msg} for pk, msg in result.refused],
                "not_found": result.not_found,
            }
        )

    run.__name__ = f"bulk_{act.name}"
    run = drf_action(
        detail=False,
        methods=["post"],
        url_path=f"actions/{act.name}",
        url_name=f"bulk-{act.name}",
    )(run)
    return extend_schema(
        summary="{} ({})".format(act.label, _("several rows")),
        request=request_serializer,
        responses=BulkResultSerializer,
        tags=[ledger.app_label],
        operation_id=f"{ledger.app_label}_{ledger.slug}_bulk_{act.name}",
    )(run)


class ActionRecordSerializer(serializers.Serializer):
    action = serializers.CharField()
    user = serializers.CharField(source="user_repr")
    on = serializers.DateField(allow_null=True, help_text="Business date (业务日期)")
    at = serializers.DateTimeField(help_text="When it was recorded")
    source = serializers.CharField()
    data = serializers.DictField(help_text="The input, as given")


def _action_history_route(ledger):
    def run(self, request, pk=None):
        from gongxiao.core.models import ActionRecord

        obj = ledger.model.objects.permitted(request.user, "view").filter(pk=pk).first()
        if obj is None:
            raise exceptions.NotFound(_("No such record."))
        records = ActionRecord.objects.filter(ledger=ledger.key, object_pk=str(obj.pk))
        return Response(ActionRecordSerializer(records.order_by("at", "id"), many=True).data)

    run.__name__ = "action_records"
    run = drf_action(detail=True, methods=["get"], url_path="actions", url_name="actions")(run)
    return extend_schema(
        summary=_("Actions taken"),
        responses=ActionRecordSerializer(many=True),
        tags=[ledger.app_label],
        operation_id=f"{ledger.app_label}_{ledger.slug}_actions_taken",
    )(run)


class LedgerViewSet(viewsets.ModelViewSet):
    ledger = None
    ledger_actions: dict = {}
    permission_classes = [permissions.IsAuthenticated, LedgerPermission]
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        action = {
            "list": "view",
            "retrieve": "view",
            "update": "change",
            "partial_update": "change",
            "destroy": "delete",
        }.get(self.action, "view")
        return self.ledger.queryset_for(self.request.user, action).order_by(
            *(self.ledger.model._meta.ordering or []), "-pk"
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        m2m = {n: data.pop(n) for n in self.ledger.m2m_names(list(data))}
        obj = self.ledger.model(**data)
        if reason := self.ledger.lock_reason(obj):
            raise Conflict(reason)
        try:
            obj = self.ledger.create(obj, self.request.user, source="api", m2m=m2m)
        except RecordLocked as exc:
            raise Conflict(str(exc)) from exc
        serializer.instance = obj

    def perform_update(self, serializer):
        obj = serializer.instance
        expected = serializer.validated_data.pop("version", None)
        if expected is None:
            try:
                expected = int(self.request.data.get("version"))
            except (TypeError, ValueError):
                raise serializers.ValidationError(
                    {
                        "version": _(
                            "Send the version you read; it protects against overwriting "
                            "another person's change."
                        )
                    }
                ) from None
        m2m = {
            n: serializer.validated_data.pop(n)
            for n in self.ledger.m2m_names(list(serializer.validated_data))
        }
        for key, value in serializer.validated_data.items():
            setattr(obj, key, value)
        if reason := self.ledger.lock_reason(obj):
            raise Conflict(reason)
        try:
            self.ledger.update(
                obj, self.request.user, expected_version=expected, source="api", m2m=m2m or None
            )
        except (services.StaleEdit, RecordLocked) as exc:
            raise Conflict(str(exc)) from exc

    def perform_destroy(self, instance):
        try:
            services.delete_row(obj=instance, user=self.request.user, source="api")
        except (services.RowInUse, RecordLocked) as exc:
            raise Conflict(str(exc)) from exc


def build_router() -> DefaultRouter:
    router = DefaultRouter()
    for ledger in all_ledgers():
        viewset = type(
            f"{ledger.model.__name__}ViewSet",
            (LedgerViewSet,),
            {
                "ledger": ledger,
                "serializer_class": ledger.serializer_class,
                "filterset_class": ledger.filterset_class,
                "queryset": ledger.model.objects.none(),
                "ledger_actions": {
                    **{f"act_{a.name}": a for a in ledger.actions},
                    **{f"bulk_{a.name}": a for a in ledger.actions if a.bulk},
                },
                **{f"act_{a.name}": _action_route(ledger, a) for a in ledger.actions},
                **{f"bulk_{a.name}": _bulk_route(ledger, a) for a in ledger.actions if a.bulk},
                **({"action_records": _action_history_route(ledger)} if ledger.actions else {}),
            },
        )
        viewset = extend_schema_view(
            list=extend_schema(summary=str(ledger.verbose_name_plural), tags=[ledger.app_label]),
        )(viewset)
        router.register(
            f"{ledger.app_label}/{ledger.slug}",
            viewset,
            basename=f"api-{ledger.app_label}-{ledger.slug}",
        )
    return router
