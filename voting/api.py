"""The vote over the API (issue #6 item 9): assemblies, their motions, the committee's drafts.

Ballots, progress, the board and the result: ``voting.api_ballots``; both
are routed by ``voting.api_urls``.

Thin like the pages (voting/views/owner.py): a serializer checks the shape,
one service or selector call decides, a serializer renders. A
refusal from a service becomes ``{"code", "detail", "fields"}`` with its own
status (400 invalid input, 409 ``Conflict``, 403) through
``core.api.exception_handler`` — the same status the page answers.

Who sees what (``accounts.permissions``):

- assemblies, their detail and live progress: ``assembly.view_progress`` in
  the assembly's area (owners, area staff, officers, the bureau). An
  assembly outside the caller's scope is a 404 (its existence is scoped
  information, as in estates/api.py). A draft — or one cancelled before its
  notice — is the convener's working copy: only those who may call an
  assembly in that area (``assembly.call``) see it.
- casting and "my ballots": ``ballot.cast`` (owners). Which right a login
  may cast is the frozen roll's decision, made by ``services.ballot_cast``.
- the board and the result: public, without login, once voting has closed
  by the clock (RULES.md §3; DESIGN.md "The public ballot board"); 404 before.
- the committee's writes (draft, motions, notice): ``assembly.call``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from core.errors import DomainError
from core.guards import HasAction
from voting import selectors, services
from voting.models import Assembly, RollSnapshot

from . import serializers as s

VIEW = "assembly.view_progress"
CAST = "ballot.cast"
CALL = "assembly.call"
TAGS = ["voting"]


# --------------------------------------------------------------------------- reads


def assemblies_visible(user) -> QuerySet[Assembly]:
    """Assemblies ``user`` may follow (module docstring: drafts only for their conveners)."""
    unpublished = Q(notice_published_at__isnull=True) & Q(
        status__in=[Assembly.Status.DRAFT, Assembly.Status.CANCELLED]
    )
    callers = permissions.areas_for(user, CALL).values("pk")
    return selectors.assemblies_for(user, VIEW).exclude(unpublished & ~Q(area__in=callers))


def _status_q(wanted: str, now) -> Q:
    """Rows whose *derived* status (``Assembly.current_status``) is ``wanted`` at ``now``."""
    status = Assembly.Status
    if wanted == status.NOTICED:
        return Q(status=status.NOTICED, opens_at__gt=now)
    if wanted == status.OPEN:
        return (Q(status=status.NOTICED, opens_at__lte=now) | Q(status=status.OPEN)) & Q(
            closes_at__gt=now
        )
    if wanted == status.CLOSED:
        return Q(status__in=[status.NOTICED, status.OPEN], closes_at__lte=now) | Q(
            status=status.CLOSED
        )
    return Q(status=wanted)


def get_or_404(queryset: QuerySet[Assembly], pk: int) -> Assembly:
    assembly = queryset.filter(pk=pk).first()
    if assembly is None:
        raise Http404(_("没有这个会议，或不在您的范围内。"))
    return assembly


def _detail(assembly: Assembly, user) -> Assembly:
    """The assembly with its motions, attachments, frozen roll and the caller's own rights."""
    detail = selectors.assembly_detail(assembly.pk)
    detail.roll = RollSnapshot.objects.filter(assembly=detail).first()
    detail.my_rights = selectors.rights_for(user, detail)
    return detail


# --------------------------------------------------------------------------- assemblies


class AssemblyFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__code", label=gettext_lazy("区域编码"))
    status = django_filters.ChoiceFilter(
        choices=Assembly.Status.choices,
        method="by_status",
        label=gettext_lazy("状态（按当前时间推算）"),
    )

    class Meta:
        model = Assembly
        fields = ["area", "status"]

    def by_status(self, queryset, name, value):
        return queryset.filter(_status_q(value, timezone.now()))


class NowMixin:
    """One moment per request, so every row's derived status is read off the same clock."""

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


class AssemblyListView(NowMixin, generics.ListAPIView):
    serializer_class = s.AssemblyListSerializer
    filterset_class = AssemblyFilter

    def get_permissions(self):
        action = CALL if self.request.method == "POST" else VIEW
        return [HasAction.for_action(action)()]

    def get_queryset(self) -> QuerySet[Assembly]:
        if getattr(self, "swagger_fake_view", False):
            return Assembly.objects.none()
        return assemblies_visible(self.request.user)

    @extend_schema(summary="业主大会会议（本人范围内，新的在前）", tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="新建会议草稿（业委会；无业委会的区域由街道/社区、住建局）",
        tags=TAGS,
        request=s.AssemblyCreateSerializer,
        responses={201: s.AssemblyDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        form = s.AssemblyCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        area = permissions.areas_for(request.user, CALL).filter(code=data.pop("area")).first()
        if area is None:
            message = _("没有这个物业管理区域，或您不能在该区域召集会议。")
            raise DomainError("bad_area", message, fields={"area": message})
        assembly = services.assembly_create(area=area, actor=request.user, **data)
        return Response(
            s.AssemblyDetailSerializer(
                _detail(assembly, request.user), context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )


class AssemblyDetailView(NowMixin, generics.RetrieveAPIView):
    serializer_class = s.AssemblyDetailSerializer
    permission_classes = [HasAction.for_action(VIEW)]
    queryset = Assembly.objects.none()  # for the schema; get_object scopes the real lookup

    @extend_schema(
        summary="会议详情：状态、时间、范围、名册、议题（依据与通过标准）、附件", tags=TAGS
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self) -> Assembly:
        return _detail(
            get_or_404(assemblies_visible(self.request.user), self.kwargs["pk"]), self.request.user
        )


# --------------------------------------------------------------------------- committee writes


class MotionCreateView(APIView):
    permission_classes = [HasAction.for_action(CALL)]

    @extend_schema(
        summary="为会议草稿添加议题（类型由《民法典》第二百七十八条事项确定）",
        tags=TAGS,
        request=s.MotionCreateSerializer,
        responses={201: s.AssemblyMotionSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        assembly = get_or_404(
            Assembly.objects.filter(area__in=permissions.areas_for(request.user, CALL)), pk
        )
        form = s.MotionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        data["candidates"] = [
            (c["name"], c.get("statement", "")) for c in data.get("candidates", [])
        ]
        motion = services.motion_add(assembly=assembly, actor=request.user, **data)
        return Response(s.AssemblyMotionSerializer(motion).data, status=status.HTTP_201_CREATED)


class AssemblyNoticeView(NowMixin, generics.GenericAPIView):
    serializer_class = s.AssemblyDetailSerializer
    permission_classes = [HasAction.for_action(CALL)]

    @extend_schema(
        summary="发布会议公告（签章 PDF）；表决开始须满公告期",
        tags=TAGS,
        request=None,
        responses={200: s.AssemblyDetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        assembly = get_or_404(
            Assembly.objects.filter(area__in=permissions.areas_for(request.user, CALL)), pk
        )
        noticed = services.assembly_notice(assembly=assembly, actor=request.user)
        return Response(self.get_serializer(_detail(noticed, request.user)).data)
