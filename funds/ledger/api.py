"""The fund ledger over the API, read only: owners' sub-ledgers and areas' accounts.

Same rules as the pages (``funds.ledger.views``): an owner reaches only the units
they own now (``fund.view_own``; a unit sold is no longer theirs, the buyer
sees its whole history, Order 165 art. 28); the committee, officers and the
bureau read the areas in their scope (``fund.view_area``). Without the
action anywhere: 403. A unit or an area outside the caller's reach: 404,
never 403, so an answer does not confirm that it exists.

Every figure comes from the ledger's selectors (``funds.ledger.selectors``,
``funds.ledger.figures``, ``funds.ledger.services.deposit_demands``): nothing is
computed here but the page slicing and the filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from core.errors import Conflict, DomainError
from core.guards import HasAction
from estates.models import ManagementArea, Unit

from . import selectors
from .figures import bank_check, unit_statement
from .reconciliation.selectors import statements_of
from .serializers import (
    AreaFundSerializer,
    AreaUnitQuerySerializer,
    FundAreaUnitSerializer,
    FundLedgerLineSerializer,
    FundMyUnitSerializer,
    FundUnitStatementSerializer,
    StatementQuerySerializer,
)
from .services import DepositStatus, deposit_demands, today

OWN = "fund.view_own"
AREA = "fund.view_area"
TAGS = ["funds"]

UNIT_ID = OpenApiParameter(
    "unit_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="房屋 id（本人现有房屋）"
)
AREA_CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="物业管理区域编码"
)


class CanViewOwn(HasAction):
    action = OWN


class CanViewArea(HasAction):
    action = AREA


def _fake(view) -> bool:
    # Schema generation runs the view without a real request user.
    return getattr(view, "swagger_fake_view", False)


def _demand(area: ManagementArea, unit: Unit | None = None) -> list[DepositStatus] | None:
    """The deposit figures, or None where the area has no deposit terms yet (no profile)."""
    try:
        return deposit_demands(area, unit=unit)
    except DomainError as exc:
        if exc.code != "no_profile":
            raise
        return None


# --------------------------------------------------------------------------- owners


@dataclass(frozen=True)
class MyUnit:
    unit: Unit
    balance_fen: int
    deposit: DepositStatus | None

    @property
    def top_up(self) -> bool:
        return bool(self.deposit and self.deposit.top_up)


def owner_unit_or_404(user, unit_id: int) -> Unit:
    unit = selectors.owner_unit(user, unit_id)
    if unit is None or not permissions.can(user, OWN, unit):
        raise Http404
    return unit


def _my_unit(unit: Unit) -> MyUnit:
    found = _demand(unit.area, unit)
    if found:
        return MyUnit(unit, found[0].balance_fen, found[0])
    lines = selectors.sub_ledger(unit)
    return MyUnit(unit, lines[-1].balance_fen if lines else 0, None)


class MyUnitsView(APIView):
    """The caller's current units, each with its balance and deposit status (a short list:
    an owner's own units, not paginated)."""

    permission_classes = [CanViewOwn]

    @extend_schema(
        summary="我的维修资金：本人现有房屋的分户账余额、首期交存情况、应续交提示",
        tags=TAGS,
        responses=FundMyUnitSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = [
            _my_unit(unit)
            for unit in selectors.owner_units(request.user)
            if permissions.can(request.user, OWN, unit)
        ]
        return Response(FundMyUnitSerializer(rows, many=True).data)


@extend_schema(
    summary="分户账明细：每一笔记账及其后余额（按记账日期，旧的在前）",
    tags=TAGS,
    parameters=[UNIT_ID],
)
class UnitEntriesView(generics.ListAPIView):
    serializer_class = FundLedgerLineSerializer
    permission_classes = [CanViewOwn]
    filter_backends: list = []

    def get_queryset(self):
        if _fake(self):
            return []
        # Order 165 art. 30: the owner sees every entry; the running balance needs all of them.
        return selectors.sub_ledger(owner_unit_or_404(self.request.user, self.kwargs["unit_id"]))


class UnitStatementView(APIView):
    permission_classes = [CanViewOwn]

    @extend_schema(
        summary="分户账年度对账单（年初、交存、利息、收益、使用分摊、退还、调整、年末）",
        tags=TAGS,
        parameters=[
            UNIT_ID,
            OpenApiParameter(
                "year",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description="年度（2000–2100）；不填为该房屋最近有记账的年度，没有记账则为今年",
            ),
        ],
        responses=FundUnitStatementSerializer,
    )
    def get(self, request: Request, unit_id: int) -> Response:
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        unit = owner_unit_or_404(request.user, unit_id)
        year = query.validated_data.get("year")
        if year is None:
            lines = selectors.sub_ledger(unit)
            year = lines[-1].value_date.year if lines else today().year
        return Response(FundUnitStatementSerializer(unit_statement(unit, year)).data)


# --------------------------------------------------------------------------- areas


def area_or_404(user, code: str) -> ManagementArea:
    area = permissions.areas_for(user, AREA).filter(code=code).first()
    if area is None:
        raise Http404
    return area


@dataclass(frozen=True)
class AreaUnit:
    """One row of the area's unit list; the deposit figures are None without deposit terms."""

    unit_id: int
    code: str
    floor_area: Decimal
    first_fen: int | None
    paid_fen: int
    outstanding_fen: int | None
    balance_fen: int
    paid_in_full: bool | None
    top_up: bool | None

    @classmethod
    def of(cls, d: DepositStatus) -> AreaUnit:
        return cls(
            d.unit_id,
            d.code,
            d.floor_area,
            d.first_fen,
            d.paid_fen,
            d.outstanding_fen,
            d.balance_fen,
            d.paid_in_full,
            d.top_up,
        )


def _bank_statement(area: ManagementArea) -> dict | None:
    """The bank's balance at the end of the latest imported statement beside the ledger's
    balance of the same day (RULES.md §4 "Publication"); None before any import."""
    latest = statements_of(area).first()
    return None if latest is None else bank_check(area, latest.end_date)


class AreaFundView(APIView):
    permission_classes = [CanViewArea]

    @extend_schema(
        summary="区域维修资金：设置、各账户余额、专户对账、未交足首期和应续交的房屋数",
        tags=TAGS,
        parameters=[AREA_CODE],
        responses=AreaFundSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        area = area_or_404(request.user, code)
        demands = _demand(area)
        data = {"area": area}
        if demands is None:
            data.update(
                units=Unit.objects.filter(area=area).count(),
                profile=None,
                totals=None,
                balanced=None,
                bank_statement=None,
                unpaid=None,
                top_up=None,
            )
        else:
            totals = selectors.area_totals(area)
            data.update(
                profile=selectors.profile_of(area),
                totals=totals,
                # Order 165 art. 10: the sub-ledgers add up to the area's fund account.
                balanced=totals.sub_ledgers_fen == totals.area_fund_fen,
                bank_statement=_bank_statement(area),
                units=len(demands),
                unpaid=sum(1 for d in demands if not d.paid_in_full),
                top_up=sum(1 for d in demands if d.top_up),
            )
        return Response(AreaFundSerializer(data).data)


@extend_schema(
    summary="区域各房屋的首期交存、已交存、分户账余额（可筛选未交足、应续交）",
    tags=TAGS,
    parameters=[AREA_CODE, AreaUnitQuerySerializer],
)
class AreaUnitsView(generics.ListAPIView):
    serializer_class = FundAreaUnitSerializer
    permission_classes = [CanViewArea]
    filter_backends: list = []

    def get_queryset(self):
        if _fake(self):
            return []
        query = AreaUnitQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        area = area_or_404(self.request.user, self.kwargs["code"])
        unpaid, top_up = query.validated_data["unpaid"], query.validated_data["top_up"]
        demands = _demand(area)
        if demands is None:
            if unpaid is not None or top_up is not None:
                field = "unpaid" if unpaid is not None else "top_up"
                raise Conflict(
                    "no_profile",
                    _("该区域尚未设置维修资金，没有首期交存要求，不能按未交足或应续交筛选。"),
                    fields={field: _("该区域尚未设置维修资金。")},
                )
            balances = selectors.unit_balances(area)
            return [
                AreaUnit(pk, code, floor_area, None, 0, None, balances.get(pk, 0), None, None)
                for pk, code, floor_area in Unit.objects.filter(area=area)
                .order_by("code")
                .values_list("pk", "code", "floor_area")
            ]
        return [
            AreaUnit.of(d)
            for d in demands
            if (unpaid is None or (not d.paid_in_full) == unpaid)
            and (top_up is None or d.top_up == top_up)
        ]
