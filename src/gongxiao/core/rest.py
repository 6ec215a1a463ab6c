"""REST framework settings targets (pagination, errors). Kept apart from api.py, which imports
the viewsets that read these settings."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gongxiao.core.pagination import CappedPaginator


class CappedPageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = getattr(self.page.paginator, "capped", False)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema

    def django_paginator_class(self, *args, **kwargs):
        return CappedPaginator(*args, **kwargs)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_version"


def exception_handler(exc, context):
    """Model validation and permission errors from services become 400 and 403 with messages."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        # Django's "No Matter matches the given query." names the model in English; one
        # Chinese answer for a row that does not exist and one out of reach alike.
        exc = exceptions.NotFound(_("No such record."))
    if isinstance(exc, ProtectedError):
        exc = Conflict(_("This record is referenced by other records and cannot be deleted."))
    return drf_exception_handler(exc, context)
