"""The REST API: one viewset per registered ledger, generated like the pages, with the same
filters and the same scoping."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from gongxiao.core import jobs, scoping, services
from gongxiao.core.filters import LedgerFilterBackend
from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.models import Job, RecordLocked
from gongxiao.core.rest import Conflict
from gongxiao.core.serializers import (  # noqa: F401 - where they were first
    LedgerSerializer,
    build_serializer,
    serializer_for_action,
)


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


def _require_object(request) -> None:
    """An action's input is one object of named fields; a list or a bare value is refused."""
    if not hasattr(request.data, "get"):
        raise serializers.ValidationError(
            {"non_field_errors": [_("Send one object with the action's fields.")]}
        )


def _visible_row(ledger, user, pk):
    """The row `pk` names, if the user may see it; a malformed id is as unknown as a foreign
    one (404), never a server error."""
    obj = None
    if str(pk).isdigit():
        obj = ledger.model.objects.permitted(user, "view").filter(pk=int(pk)).first()
    if obj is None:
        raise exceptions.NotFound(_("No such record."))
    return obj


class JobSerializer(serializers.Serializer):
    """A background job: follow it at `url` (GET) until its status is done or failed."""

    id = serializers.UUIDField(source="pk")
    kind = serializers.CharField()
    status = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    message = serializers.CharField()
    url = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    def get_url(self, job) -> str:
        return reverse("api-job", args=[job.pk])

    def get_download(self, job) -> str | None:
        return reverse("job-download", args=[job.pk]) if job.result_file else None


@extend_schema(responses=JobSerializer, tags=["jobs"], operation_id="job_read")
@api_view(["GET"])
def job_detail(request, pk):
    """One of the user's own background jobs (a finalisation, an export)."""
    job = Job.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise exceptions.NotFound(_("No such job."))
    return Response(JobSerializer(job, context={"request": request}).data)


def _action_route(ledger, act):
    def run(self, request, pk=None):
        from gongxiao.core import actions

        _require_object(request)
        obj = _visible_row(ledger, request.user, pk)
        try:
            if act.background:
                job = jobs.start_action(
                    ledger,
                    act,
                    obj,
                    request.user,
                    request.data,
                    request.data.get("version"),
                    source="api",
                    back_url=reverse("ledger-detail", args=[ledger.app_label, ledger.slug, obj.pk]),
                    language=request.LANGUAGE_CODE,
                )
                return Response(JobSerializer(job, context={"request": request}).data, status=202)
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
        responses={202: JobSerializer} if act.background else ledger.serializer_class,
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

        _require_object(request)
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

        obj = _visible_row(ledger, request.user, pk)
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
    filter_backends = [LedgerFilterBackend]

    def get_queryset(self):
        action = {
            "list": "view",
            "retrieve": "view",
            "update": "change",
            "partial_update": "change",
            "destroy": "delete",
        }.get(self.action, "view")
        ledger: Any = self.ledger  # set on each generated viewset
        if self.action == "list":
            # The API names related rows by id (read off the row itself): no join for them,
            # only the many-to-many ids it lists, and the way to the row's unit (the personal
            # data check reads it).
            rows = ledger.model.objects.permitted(self.request.user, action)
            many = ledger.m2m_names(ledger.api_field_names)
            if many:
                rows = rows.prefetch_related(*many)
            if "__" in ledger.model.scope_field:
                rows = rows.select_related(ledger.model.scope_field.rsplit("__", 1)[0])
        else:
            rows = ledger.queryset_for(self.request.user, action)
        return rows.order_by(*(ledger.model._meta.ordering or []), "-pk")

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
