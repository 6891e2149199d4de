"""A test-only URL module: API views that raise the domain errors, to test the one
exception handler (core.api.exception_handler) end to end through DRF."""

from __future__ import annotations

from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError, PermissionDeniedError


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


class ParsesAJsonField(APIView):
    """A JSON string inside a form, parsed by a serializer field after the body parser."""

    permission_classes = [AllowAny]

    def post(self, request):
        field = serializers.JSONField(binary=True)
        return Response({"depth": bool(field.to_internal_value(request.data["doc"]))})


urlpatterns = [
    path("json-field/", ParsesAJsonField.as_view()),
    path("domain-error/", RaisesDomainError.as_view()),
    path("permission-denied/", RaisesPermissionDenied.as_view()),
]
