"""Who am I: the logged-in user and their roles with scopes."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import RoleAssignment, User
from .serializers import MeSerializer


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="当前用户及其角色与范围", responses=MeSerializer, tags=["accounts"])
    def get(self, request: Request) -> Response:
        user = User.objects.prefetch_related(
            Prefetch(
                "roles",
                queryset=RoleAssignment.objects.select_related(
                    "area", "company", "street", "community"
                ).order_by("pk"),
            )
        ).get(pk=request.user.pk)
        return Response(MeSerializer(user).data)
