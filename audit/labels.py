"""Human labels for the audit pages: what each event kind and summary field means.

The chain stores codes (``ballot.online``, ``fund.deposit``) so that the record
never changes when wording does; the bureau reads Chinese (English in the
English interface). A code not listed here is shown as recorded. The object
type is a model label (``voting.ballot``): its name comes from the model's own
``verbose_name`` through the app registry, so audit imports no app above it.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, str] = {
    "area.create": _("新建物业管理区域"),
    "area.update": _("修改物业管理区域"),
    "assembly.attachment_add": _("会议添加附件"),
    "assembly.cancel": _("取消业主大会会议"),
    "assembly.close": _("表决截止"),
    "assembly.create": _("新建业主大会会议"),
    "assembly.finalise": _("表决结果确定"),
    "assembly.notice": _("发布会议公告"),
    "assembly.open": _("开始表决"),
    "assembly.turnout_export": _("导出未投票名单"),
    "assembly.turnout_reminder": _("发送催投提醒"),
    "assembly.result_preliminary": _("公告表决结果（异议期）"),
    "assembly.update": _("修改业主大会会议"),
    "ballot.trace": _("查看选票对应的房屋"),
    "ballot.online": _("网上投票"),
    "ballot.paper": _("录入纸质表决票"),
    "ballot.proxy": _("录入委托投票"),
    "calendar.correct": _("录入或更正节假日安排"),
    "committee.create": _("登记业委会/物管会"),
    "committee.update": _("修改业委会/物管会"),
    "committee_member.add": _("增加委员"),
    "committee_member.remove": _("委员离任"),
    "committee_member.update": _("修改委员信息"),
    "company.create": _("登记物业服务企业"),
    "company.update": _("修改物业服务企业"),
    "emergency.accept": _("紧急维修验收"),
    "emergency.approve": _("批准紧急维修"),
    "emergency.checklist": _("紧急维修审核清单"),
    "emergency.commission": _("住建局代修"),
    "emergency.deemed_approve": _("逾期视为同意"),
    "emergency.evidence_add": _("上传紧急维修材料"),
    "emergency.file": _("提出紧急维修申请"),
    "emergency.plan_save": _("保存应急预案"),
    "emergency.prepaid": _("紧急维修预拨"),
    "emergency.problem_create": _("登记整治问题"),
    "emergency.problem_update": _("更新整治问题"),
    "emergency.publish": _("公示紧急维修"),
    "emergency.recovery_open": _("开始追偿"),
    "emergency.recovery_claimed": _("已主张追偿"),
    "emergency.recovery_recovered": _("已追回"),
    "emergency.recovery_abandoned": _("放弃追偿"),
    "emergency.refuse": _("不予批准紧急维修"),
    "emergency.review_start": _("受理紧急维修申请"),
    "emergency.settle": _("紧急维修结算分摊"),
    "emergency.works_done": _("紧急维修完工"),
    "emergency.works_start": _("紧急维修开工"),
    "fund.accounts_open": _("开立分户账"),
    "fund.advance_account_name": _("指定垫付账户"),
    "fund.bank_statement_import": _("导入银行对账单"),
    "fund.custody_transfer": _("维修资金移交"),
    "fund.first_deposit_correct": _("更正首期交存额"),
    "fund.first_deposits_demand": _("核定首期交存额"),
    "fund.profile_set": _("设置维修资金（比例、造价、专户）"),
    "fund.statement_publish": _("公示年度报告"),
    "fund.deposit": _("交存维修资金"),
    "fund.interest": _("分配利息"),
    "fund.payment": _("划付维修款"),
    "fund.settlement": _("结算分摊"),
    "fund.reversal": _("冲正"),
    "fund.refund": _("退还"),
    "fund.adjustment": _("调整"),
    "fund.income": _("登记其他收益"),
    "fund.custody": _("账户移交记账"),
    "fund_application.accept": _("维修验收"),
    "fund_application.approval": _("审批意见"),
    "fund_application.approve": _("批准维修资金使用"),
    "fund_application.attach": _("上传申请材料"),
    "fund_application.create": _("新建维修资金使用申请"),
    "fund_application.paid": _("划款到账"),
    "fund_application.publish": _("公示维修资金使用"),
    "fund_application.refuse": _("退回维修资金申请"),
    "fund_application.resubmit": _("重新提交申请"),
    "fund_application.settle": _("维修资金结算"),
    "fund_application.submit": _("提交维修资金申请"),
    "fund_application.update": _("修改维修资金申请"),
    "fund_application.vote_cancelled": _("业主表决取消"),
    "fund_application.vote_create": _("提交业主表决"),
    "fund_application.vote_failed": _("业主表决未通过"),
    "fund_application.withdraw": _("撤回维修资金申请"),
    "fund_application.works_done": _("维修完工"),
    "fund_use.audit_report": _("登记审计报告"),
    "fund_use.basis_freeze": _("锁定分摊依据"),
    "fund_use.countersign": _("会签"),
    "fund_use.excess_approve": _("批准超支"),
    "fund_use.file": _("报送备案"),
    "fund_use.filing_correction": _("责令改正"),
    "fund_use.filing_receive": _("接收备案"),
    "fund_use.filing_reply": _("备案答复"),
    "fund_use.open": _("开始维修资金使用"),
    "fund_use.publish": _("公示维修资金使用"),
    "fund_use.refund": _("退还多收款项"),
    "fund_use.retention_release": _("退还质保金"),
    "fund_use.settle": _("维修资金使用结算"),
    "fund_use.shortfall_advance": _("垫付分摊差额"),
    "fund_use.shortfall_collect": _("收取分摊差额"),
    "fund_use.shortfall_demand": _("通知补缴分摊差额"),
    "fund_use.shortfall_paid": _("分摊差额已补缴"),
    "fund_use.shortfall_report": _("报告分摊差额"),
    "fund_use.shortfall_settle": _("结清分摊差额"),
    "fund_use.supplementary_vote": _("补充表决"),
    "motion.add": _("增加表决事项"),
    "motion.remove": _("删除表决事项"),
    "objection.answer": _("答复异议"),
    "objection.file": _("提出异议"),
    "owner.bind": _("业主绑定账户"),
    "payment.cancel": _("撤销划款指令"),
    "payment.confirm": _("登记银行划款确认"),
    "payment.export": _("导出划款指令"),
    "payment.instruct": _("下达划款指令"),
    "publication.issue": _("签发公示"),
    "publication.supersede": _("更正公示"),
    "register.import": _("导入房屋台账"),
    "register.import_job_create": _("新建台账导入任务"),
    "register.import_job_taken_over": _("接管台账导入任务"),
    "register.import_job_running": _("台账导入进行中"),
    "register.import_job_done": _("台账导入完成"),
    "register.import_job_failed": _("台账导入失败"),
    "register.sale": _("房屋产权变更"),
    "revenue.allocation_record": _("登记公共收益分配"),
    "revenue.entry_record": _("登记公共收益收支"),
    "revenue.entry_reverse": _("冲销公共收益记录"),
    "revenue.quarter_publish": _("公示季度公共收益"),
    "role.grant": _("授予角色"),
    "role.revoke": _("撤销角色"),
    "user.activate": _("启用账户"),
    "user.create_owner": _("新建业主账户"),
    "user.create_staff": _("新建工作人员账户"),
    "user.password_set": _("设置密码"),
    "user.rename": _("修改姓名"),
    "user.totp_enrolled": _("绑定动态口令"),
    "user.totp_reset": _("重置动态口令"),
    "whitelist.publish": _("发布紧急维修事项清单"),
    "whitelist.translate": _("编辑紧急维修事项的英文译文"),
}

FIELDS: dict[str, str] = {
    "amount_fen": _("金额（分）"),
    "application": _("申请"),
    "area": _("区域"),
    "assembly": _("会议"),
    "budget_fen": _("预算（分）"),
    "channel": _("方式"),
    "code": _("编码"),
    "community": _("社区"),
    "cost_fen": _("费用（分）"),
    "cost_per_m2_fen": _("每平方米造价（分）"),
    "debits_fen": _("借方合计（分）"),
    "display_name": _("姓名"),
    "file_sha256": _("文件 SHA-256"),
    "filename": _("文件名"),
    "from": _("原状态"),
    "fund_use": _("维修资金使用"),
    "kind": _("类型"),
    "lines": _("分录数"),
    "memo": _("摘要"),
    "motion": _("表决事项"),
    "name": _("名称"),
    "not_in_file": _("文件中没有的房屋"),
    "note": _("备注"),
    "password_set": _("已设密码"),
    "persons_created": _("新增业主"),
    "persons_updated": _("更新业主"),
    "rate": _("比例"),
    "reason": _("理由"),
    "role": _("角色"),
    "rows": _("行数"),
    "sales": _("产权变更"),
    "scope": _("范围"),
    "serial": _("公示编号"),
    "sha256": _("SHA-256"),
    "title": _("标题"),
    "to": _("新状态"),
    "unit": _("房屋"),
    "units": _("房屋数"),
    "units_created": _("新增房屋"),
    "units_unchanged": _("未变房屋"),
    "units_updated": _("更新房屋"),
    "user": _("用户"),
    "username": _("用户名"),
    "value_date": _("记账日期"),
    "version": _("版本"),
}

SUMMARY_FIELDS_SHOWN = 4  # the list shows the first few; the event page and the toggle, all
VALUE_PREVIEW = 60


def action_label(code: str) -> str:
    """The event kind in words, or the code itself when it is not (yet) listed."""
    return str(ACTIONS.get(code, code))


def object_label(object_type: str) -> str:
    """``voting.ballot`` → the model's name ("选票"); an unknown type as recorded."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return text if len(text) <= VALUE_PREVIEW else text[:VALUE_PREVIEW] + "…"


def summary_items(summary: dict | None, limit: int | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's summary, labelled fields first, in a fixed order."""
    if not isinstance(summary, dict):
        return []
    keys = sorted(summary, key=lambda key: (key not in FIELDS, key))
    items = [(str(FIELDS.get(key, key)), value_text(summary[key])) for key in keys]
    return items if limit is None else items[:limit]
