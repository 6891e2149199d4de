"""API plumbing shared by every app: pagination and the one exception handler."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Map ``DomainError`` to its status (400 invalid input, 409 state conflict, 403
    permission; ``core.errors``) with a field map.

    Everything else goes to DRF's handler, whose validation errors already
    carry a field map. Bad input must never surface as a 500.
    """
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, RecursionError):
        # Input nested past Python's recursion limit (a JSON string inside a
        # multipart form, say) that a field parsed after the body parser had
        # checked it (core.parsers): bad input, not a server fault.
        return Response(
            {"code": "too_deep", "detail": _("输入的嵌套层数过多。"), "fields": {}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
