"""Ballots over the API and what they add up to: progress, cast, my ballots, board, result.

Included with voting/api.py by ``voting.api_urls`` (who sees what: voting/api.py).
The service decides whether a ballot is taken (``services.ballot_cast``: the
clock, the frozen roll, one ballot per right, the answers); this module
parses the request and renders the receipt. The board and the result are
public once voting has closed by the clock (RULES.md §3, DESIGN.md "The
public ballot board"), a 404 before.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from core.errors import DomainError
from core.guards import HasAction
from voting import counting, selectors, services
from voting.board_store import (
    PUBLIC_STATUSES,
    BoardMismatch,
    BoardNotReady,
    board_bytes,
    board_verified,
)
from voting.integrity import board_mismatch_error
from voting.models import OUTCOME_LABELS, Assembly, Ballot, RollSnapshot, VotingRight

from . import serializers_ballots as s
from .api import CAST, TAGS, VIEW, assemblies_visible, get_or_404

# --------------------------------------------------------------------------- progress


class AssemblyProgressView(APIView):
    permission_classes = [HasAction.for_action(VIEW)]

    @extend_schema(
        summary="表决进度：各议题参与 vs. 三分之二线、同意 vs. 通过线（按人数和面积）",
        tags=TAGS,
        responses={
            200: s.AssemblyProgressSerializer,
            404: OpenApiResponse(description="不在范围内，或表决尚未开始（名册未冻结）"),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        assembly = get_or_404(assemblies_visible(request.user), pk)
        progress = selectors.assembly_progress(assembly)
        if progress is None:
            raise Http404(_("表决尚未开始，名册尚未冻结，暂无进度。"))
        return Response(s.AssemblyProgressSerializer(progress).data)


# --------------------------------------------------------------------------- ballots


class AssemblyCastView(APIView):
    permission_classes = [HasAction.for_action(CAST)]

    @extend_schema(
        summary="网上投票（业主）：每个议题都须作答，投票后不能更改",
        tags=TAGS,
        request=s.BallotCastSerializer,
        responses={
            201: OpenApiResponse(s.BallotReceiptSerializer, description="已投票，返回回执"),
            200: OpenApiResponse(
                s.BallotReceiptSerializer, description="同一 key 的重复提交：返回原来那张票的回执"
            ),
            400: OpenApiResponse(
                description="code：bad_choices（fields 按议题编号）、not_bound、choose_right、"
                "not_your_right"
            ),
            409: OpenApiResponse(
                description="code：already_voted、closed、not_open、not_noticed、cancelled、"
                "not_on_roll、key_reused、busy"
            ),
            404: OpenApiResponse(description="没有这个会议，或不在本人的区域"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        visible = assemblies_visible(request.user).filter(
            area__in=permissions.areas_for(request.user, CAST)
        )
        assembly = get_or_404(visible, pk)
        form = s.BallotCastSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        right = None
        if data.get("right") is not None:
            right = VotingRight.objects.filter(assembly=assembly, pk=data["right"]).first()
            if right is None:
                message = _("这不是您的表决权。")
                raise DomainError("not_your_right", message, fields={"right": message})
        now = timezone.now()
        ballot = services.ballot_cast(
            assembly=assembly,
            choices=data["choices"],
            actor=request.user,
            right=right,
            idempotency_key=data.get("key", ""),
            now=now,
        )
        # A ballot made by this call carries this call's moment; a replayed one its own.
        created = ballot.cast_at == now
        return Response(
            s.BallotReceiptSerializer(ballot).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class IdFilter(django_filters.NumberFilter):
    """A whole-number id within the database's integer range (a larger one is a 400, not a 500)."""

    field_class = forms.IntegerField


class BallotFilter(django_filters.FilterSet):
    assembly = IdFilter(
        field_name="assembly_id", min_value=1, max_value=2**63 - 1, label=gettext_lazy("会议 id")
    )

    class Meta:
        model = Ballot
        fields = ["assembly"]


@extend_schema(
    summary="我的选票回执（查验码、选票哈希、方式、时间；只有本人表决权的票）", tags=TAGS
)
class MyBallotsView(generics.ListAPIView):
    serializer_class = s.BallotReceiptSerializer
    permission_classes = [HasAction.for_action(CAST)]
    filterset_class = BallotFilter

    def get_queryset(self) -> QuerySet[Ballot]:
        if getattr(self, "swagger_fake_view", False):
            return Ballot.objects.none()
        return selectors.ballots_of(self.request.user)


# --------------------------------------------------------------------------- public


class AssemblyBoardView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="公示板 gongzhi-board/1（公开，表决截止后）：规范 JSON 原样字节，可用 "
        "python -m voting.verifier 复核",
        tags=TAGS,
        auth=[],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="规范 JSON：UTF-8、键排序、无空白"
            ),
            404: OpenApiResponse(description="没有这个会议，或表决尚未截止"),
            409: OpenApiResponse(description="公示板校验失败：存储的选票与审计记录不一致"),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        assembly = get_or_404(Assembly.objects.select_related("area"), pk)
        try:
            built = board_verified(assembly)
        except BoardNotReady:
            raise Http404(_("表决尚未截止，公示板尚未公开。")) from None
        except BoardMismatch:
            return Response(board_mismatch_error(), status=status.HTTP_409_CONFLICT)
        response = HttpResponse(board_bytes(built), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="board-{assembly.pk}.json"'
        return response


# What every motion's count holds (``voting.counting.count_motion``); elections add more.
COUNT_KEYS = (
    "outcome",
    "quorum",
    "total",
    "participating",
    *counting.CHOICES,
    "thresholds",
)


def assembly_result(assembly: Assembly, *, now=None) -> dict | None:
    """The public result of a closed assembly, or None while there is none to show.

    Only the count stored when the assembly was counted
    (``services.assembly_count``, which checked every ballot against its
    audit event): between the close by the clock and that count, ``counted``
    is false and no figures are shown (DESIGN.md "Trust anchors"). A counted
    assembly whose ballots no longer pass the board's checks raises
    ``BoardMismatch`` (the view answers "公示板校验失败").
    """
    now = now or timezone.now()
    current = assembly.current_status(now)
    if current not in PUBLIC_STATUSES:
        return None
    snapshot = RollSnapshot.objects.filter(assembly=assembly).first()
    if snapshot is None:
        return None  # never opened: nothing was cast; the count will say no quorum
    motions = list(assembly.motions.prefetch_related("candidates").order_by("position"))
    counts = assembly.result
    if counts is not None:
        board_verified(assembly, now=now)
    rows = []
    for motion in motions if counts is not None else []:
        count = counts[motion.code]
        names = {c.code: c.name for c in motion.candidates.all()}
        row = {
            "code": motion.code,
            "title": motion.title,
            "kind": motion.kind,
            "legal_basis": motion.legal_basis,
            "threshold_text": motion.threshold_text,
            **{key: count[key] for key in COUNT_KEYS},
            "outcome_label": str(OUTCOME_LABELS[count["outcome"]]),
            "seats": motion.seats,
            "elected": count.get("elected", []),
            "tie": count.get("tie"),
            "tied": count.get("tied", []),
            "tied_seats": count.get("tied_seats"),
            "candidates": [
                {
                    "code": code,
                    "name": names.get(code, code),
                    **entry,
                    "elected": code in count["elected"],
                    "tied": code in count["tied"],
                }
                for code, entry in count.get("candidates", {}).items()
            ],
        }
        rows.append(row)
    return {
        "id": assembly.pk,
        "title": assembly.title,
        "area": assembly.area,
        "status": current,
        "status_label": assembly.current_status_label(now),
        "counted": assembly.result is not None,
        "opens_at": assembly.opens_at,
        "closes_at": assembly.closes_at,
        "closed_at": assembly.closed_at,
        "roll": snapshot,
        "ballots": assembly.ballots_cast,
        "head": assembly.chain_head,
        "preliminary": assembly.preliminary_publication,
        "objection_deadline": assembly.objection_deadline,
        "final": assembly.final_publication,
        "motions": rows,
    }


class AssemblyResultView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="表决结果（公开，表决截止后）：各议题结果与票数、初步/最终结果公告编号、异议截止时间",
        tags=TAGS,
        auth=[],
        responses={
            200: s.AssemblyResultSerializer,
            404: OpenApiResponse(description="没有这个会议，或表决尚未截止"),
            409: OpenApiResponse(description="公示板校验失败：存储的选票与审计记录不一致"),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        assembly = get_or_404(
            Assembly.objects.select_related("area", "preliminary_publication", "final_publication"),
            pk,
        )
        try:
            result = assembly_result(assembly)
        except BoardMismatch:
            return Response(board_mismatch_error(), status=status.HTTP_409_CONFLICT)
        if result is None:
            raise Http404(_("表决尚未截止，暂无结果。"))
        return Response(s.AssemblyResultSerializer(result).data)
