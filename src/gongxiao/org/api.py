"""The units endpoint, GET /api/org/units/: the organisation tree in the user's reach (as
core.scoping.units_for gives it), read-only; filter by parent and kind."""

from django_filters import rest_framework as filters
from rest_framework import permissions, serializers, viewsets

from gongxiao.core import scoping

from .models import Unit


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent", "path", "depth", "status"]
        read_only_fields = fields


class UnitFilter(filters.FilterSet):
    parent = filters.NumberFilter(field_name="parent_id")

    class Meta:
        model = Unit
        fields = ["parent", "kind"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = UnitFilter
    queryset = Unit.objects.none()

    def get_queryset(self):
        return scoping.units_for(self.request.user)
