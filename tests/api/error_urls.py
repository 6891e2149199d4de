"""A test-only URL module: API views that raise the domain errors, to test the one
exception handler (gongzhi.api.exception_handler) end to end through DRF."""

from __future__ import annotations

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from gongzhi.errors import DomainError, PermissionDeniedError


class RaisesDomainError(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise DomainError(
            "budget_too_high", "预算超过上限。", fields={"budget": "预算不能超过 50 万元。"}
        )


class RaisesPermissionDenied(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise PermissionDeniedError()


urlpatterns = [
    path("domain-error/", RaisesDomainError.as_view()),
    path("permission-denied/", RaisesPermissionDenied.as_view()),
]
