"""What each role can do next: the home page's cards and the menu, from one list.

An entry appears when the user may take its action somewhere
(``accounts.permissions.can``). Each app's pages add their entries here as
they are built; the order is the order shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import permissions


@dataclass(frozen=True)
class Entry:
    action: str | None  # None: any logged-in user
    url_name: str
    label: str
    help: str
    staff_only: bool = False


ENTRIES: list[Entry] = [
    Entry(
        "ballot.cast",
        "voting:mine",
        _("我的表决"),
        _("参加业主大会网上表决，查看投票回执和凭证号。"),
    ),
    Entry(
        "register.own_units",
        "estates:my_units",
        _("我的房屋"),
        _("本人名下的房屋和表决时计入的专有部分面积。"),
    ),
    Entry(
        "assembly.view_progress",
        "voting:progress_list",
        _("表决进度与结果"),
        _("查看业主大会表决的参与进度、结果公告、异议和答复。"),
    ),
    Entry(
        "assembly.call",
        "voting:manage_list",
        _("业主大会"),
        _("发起业主大会会议，发布公告，录入纸质表决票和委托投票。"),
    ),
    Entry(
        "ballot.trace",
        "voting:manage_trace",
        _("选票溯源"),
        _("处理表决争议：按投票凭证号查看该票对应的房屋和录入情况（记入审计链）。"),
    ),
    Entry(
        "fund.view_own",
        "funds:mine",
        _("我的维修资金"),
        _("查看本人房屋的分户账、每一笔记账和资金变动通知，可下载明细。"),
    ),
    Entry(
        "fund.view_own",
        "funds:application_mine",
        _("我的维修分摊"),
        _("涉及本人房屋的维修项目和本户预计或实际分摊。"),
    ),
    Entry(
        "fund.apply",
        "funds:application_list",
        _("维修资金使用申请"),
        _("提出申请、提交业主表决，跟踪审核、划款、验收和结算。"),
    ),
    Entry(
        "application.review",
        "funds:review_queue",
        _("维修资金审核"),
        _("审核维修资金使用申请：材料、表决结果、不得列支事项和保修期。"),
    ),
    Entry(
        "application.approve",
        "funds:approval_queue",
        _("维修资金审批"),
        _("审批已审核的维修资金申请（审核人、申请人不得审批）。"),
    ),
    Entry(
        "payment.confirm",
        "funds:payment_queue",
        _("维修资金划款确认"),
        _("导出划款指令文件，登记专户银行的划款确认。"),
    ),
    Entry(
        "fund.view_area",
        "funds:areas",
        _("维修资金账目"),
        _("查看区域维修资金总账、分户账余额、未交足和应续交的房屋。"),
    ),
    Entry(
        "emergency.apply",
        "emergency:index",
        _("紧急维修"),
        _("清单内事项直接申请，无需业主表决；查看进度和时限。"),
    ),
    Entry(
        "application.review",
        "emergency:index",
        _("紧急维修审核"),
        _("受理紧急维修申请，登记银行划款、结算分摊。"),
    ),
    Entry(
        "application.approve",
        "emergency:index",
        _("紧急维修审批"),
        _("审批紧急维修申请，下达划款指令，代修。"),
    ),
    Entry(
        "oversee",
        "emergency:dashboard",
        _("紧急维修时限督办"),
        _("辖区内到期和逾期的紧急维修申请。"),
    ),
    Entry(
        "oversee",
        "emergency:problems",
        _("问题整治工作台账"),
        _("附件2 台账：登记、更新、导出 Excel。"),
    ),
    Entry(
        "whitelist.manage",
        "emergency:whitelist",
        _("紧急维修事项清单"),
        _("维护清单：每次修改发布新版本。"),
    ),
    Entry(
        "fund.view_area",
        "funds_reconciliation:index",
        _("银行对账与年度报告"),
        _("导入专户银行对账单，核对差异；年度报告签章公示。"),
    ),
    Entry(
        "revenue.view",
        "revenue:index",
        _("公共收益"),
        _("查看本小区停车、广告等公共收益的收支、分配和季度公示。"),
    ),
    # The register and its annex-1 export (issue 16 item 6): reachable from the
    # menu by every role that may open them (docs/permissions.md).
    Entry(
        "register.view",
        "estates:index",
        _("物业管理区域台账"),
        _("按街道、社区、物业管理区域、楼栋逐级查看房屋和业主。身份证号和手机号只显示部分数字。"),
    ),
    Entry(
        "oversee",
        "estates:annex1",
        _("导出附件1台账"),
        _("住宅物业管理区域信息台账（Excel）。"),
    ),
    Entry(
        "calendar.manage",
        "estates:calendar",
        _("节假日安排"),
        _("录入国务院办公厅每年公布的节假日安排，用于计算工作日时限。"),
    ),
    Entry(
        "register.edit",
        "estates:import",
        _("导入房屋台账"),
        _("上传 CSV/XLSX 台账，先预检，再导入。"),
    ),
    Entry(
        "audit.view",
        "audit:events",
        _("审计链"),
        _("查看所有状态变更的哈希链记录，并可按条件筛选。"),
    ),
    Entry(
        "register.view",
        "api-docs",
        _("接口文档"),
        _("平台 API 的在线文档（OpenAPI）。"),
        staff_only=True,
    ),
    Entry(
        None,
        "accounts:otp_setup",
        _("动态口令"),
        _("绑定或更换手机上的动态口令（TOTP）应用。"),
        staff_only=True,
    ),
]


def _visible(user, entry: Entry) -> bool:
    if not user.is_authenticated:
        return False
    if entry.staff_only and user.has_usable_password() is False:
        return False
    if entry.action is None:
        if entry.url_name == "accounts:otp_setup":
            return bool(permissions.roles_of(user) & {"bureau_approver", "bureau_admin"})
        return True
    return permissions.can(user, entry.action) or (
        permissions.ACTIONS[entry.action].otp
        and permissions.needs_otp(user)
        and bool(permissions.roles_of(user) & permissions.ACTIONS[entry.action].roles)
    )


def home_actions(user) -> list[dict]:
    return [
        {"url": reverse(entry.url_name), "label": entry.label, "help": entry.help}
        for entry in ENTRIES
        if _visible(user, entry)
    ]
