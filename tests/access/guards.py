"""The vocabulary of tests/access/table.py: what a route's guard is made of.

- ``gate``: ``PUBLIC`` (anyone), ``LOGIN`` (any logged-in user), ``OTP_USERS``
  (approvers and admins, who use TOTP), or the actions of which the user must
  hold one *somewhere* — else 403 (anonymous: the login page).
- ``checks``: then, on the object the URL names, the actions of which one must
  cover the object's place (the view asks ``accounts.permissions.can``) — else the status
  given (404 "not found" on pages, so another area's object is not confirmed to
  exist; a few views answer 403, which their row says).
"""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC = "public"
LOGIN = "login"
OTP_USERS = "otp_users"


@dataclass(frozen=True)
class Check:
    actions: tuple[str, ...]
    fails: str = "404"


@dataclass(frozen=True)
class Target:
    """The kind of object a route's URL names, as the world builds it."""

    kind: str  # "area" (anything inside an area), "street", "community", or "district"
    description: str

    @property
    def scoped(self) -> bool:
        return self.kind != "district"


# The objects a route's URL can name, as world.py builds them in each place.
TARGETS: dict[str, Target] = {
    "street": Target(
        "street", "街道（编码）：a1/a2 为甲街道，b1 为乙街道；范围内指动作覆盖该街道或其中任一区域"
    ),
    "community": Target("community", "社区（编码）：a1/a2 为甲一社区，b1 为乙一社区；范围同上"),
    "area": Target("area", "物业管理区域（编码）"),
    "building": Target("area", "区域内的楼栋"),
    "unit": Target("area", "区域内的房屋"),
    "owner_unit": Target("area", "房屋：a1 为业主本人的房屋，b1 为乙街道另一业主的房屋"),
    "owner_unit_id": Target(
        "area", "房屋（地址参数 unit_id）：a1 为业主本人的房屋，b1 为另一业主的房屋"
    ),
    "committee": Target("area", "区域的业委会/物管会记录"),
    "member": Target("area", "业委会/物管会的一名委员"),
    "import_job": Target("area", "区域的台账导入任务"),
    "assembly": Target("area", "区域正在表决的业主大会会议（名册已冻结，业主已网上投票）"),
    "assembly_motion": Target("area", "会议的一个议题"),
    "assembly_attachment": Target("area", "会议的一个附件"),
    "assembly_right": Target("area", "会议名册中尚未投票的一户表决权"),
    "counted_assembly": Target("area", "区域已计票、处于异议期的会议"),
    "objection": Target("area", "异议期会议中业主提出的一条异议"),
    "revenue_entry": Target("area", "区域的一笔公共收益收入（有凭证）"),
    "allocation": Target("area", "区域一个季度净收益的分配决定"),
    "statement": Target("area", "区域维修资金专户的一份已导入银行对账单"),
    "annual": Target("area", "区域 2025 年度维修资金账目"),
    "fund_app": Target(
        "area",
        "区域的维修资金使用申请（已结算；列支范围含该区域业主甲的房屋，业主因此可见）",
    ),
    "fund_app_attachment": Target("area", "使用申请的一个附件（报价单）"),
    "fund_share": Target("area", "使用申请结算后的一户分摊"),
    "fund_instruction": Target("area", "使用申请的一笔划款指令"),
    "fund_demand": Target("area", "使用申请的一笔分摊补缴（待补缴）"),
    "emergency_app": Target("area", "区域的紧急维修申请（已批准、已预拨）"),
    "emergency_evidence": Target("area", "紧急维修申请的一份材料"),
    "emergency_instruction": Target("area", "紧急维修申请的一笔预拨划款指令"),
    "emergency_demand": Target("area", "紧急维修申请的一笔分摊补缴（待补缴）"),
    "emergency_claim": Target("area", "紧急维修申请的一笔追偿（待追偿；页面：登记主张）"),
    "problem": Target("community", "社区的一条问题整治台账记录（附件 2）"),
    # District-wide or public: one object, no own/other place.
    "company": Target("district", "一家物业服务企业"),
    "audit_event": Target("district", "一条审计事件"),
    "whitelist_version": Target("district", "紧急维修事项清单的一版"),
    "whitelist_item": Target("district", "现行清单中的一项"),
    "calendar_year": Target("district", "已录入的一个年度的节假日安排"),
    "publication": Target("district", "一份已签章的公示"),
    "public_assembly": Target("district", "一次已截止并计票的会议（公示板公开）"),
    "traced_ballot": Target("district", "一张有扫描件的纸质票（提交其会议、凭证号和 file=scan）"),
}


@dataclass(frozen=True)
class Route:
    name: str  # the URL name, with its namespace
    gate: str | tuple[str, ...]
    target: str | None = None
    checks: tuple[Check, ...] = ()
    method: str = "GET"
    anonymous: str | None = None  # the anonymous outcome when not the login page
    otp_exempt: bool = False  # open to an approver or admin before TOTP
    login_is_flow: bool = False  # its normal answer may be the login page (not a refusal)
    note: str = ""

    def actions(self) -> tuple[str, ...]:
        gate = self.gate if isinstance(self.gate, tuple) else ()
        return tuple(dict.fromkeys([*gate, *(a for c in self.checks for a in c.actions)]))

    @property
    def scoped(self) -> bool:
        return self.target is not None and TARGETS[self.target].scoped

    @property
    def target_kind(self) -> str:
        return TARGETS[self.target].kind if self.target else "district"

    @property
    def key(self) -> str:
        return self.name if self.method == "GET" else f"{self.name} {self.method}"


def r(name, gate, target=None, *checks, **kwargs) -> Route:
    if isinstance(gate, str) and gate not in (PUBLIC, LOGIN, OTP_USERS):
        gate = (gate,)
    return Route(name, gate, target, tuple(checks), **kwargs)


def on(*actions: str, fails: str = "404") -> Check:
    return Check(tuple(actions), fails)
