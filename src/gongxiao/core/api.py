"""The REST API: one viewset per registered ledger, generated like the pages, with the same
filters and the same scoping."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
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

    def validate(self, attrs):
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


class LedgerViewSet(viewsets.ModelViewSet):
    ledger = None
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
