"""The permission table: every route of the project, with the guard its view applies.

DESIGN.md: "every permission check is role + scope … a test matrix tries every
role against every endpoint". This module is the single source of that matrix:
``test_matrix.py`` generates one test per (route, persona, place) from it,
``test_coverage.py`` fails when a route of the URLconf has no row here, and
``docs/permissions.py`` prints it as docs/permissions.md.

A row states what the view does, in the order it does it: the gate, then the
checks on the object its URL names (``guards.py`` says what each means).

The expected outcome for each persona is derived from these rows and the
written table of docs/permissions.md (``model.expected``), never typed in, and
never from ``accounts.permissions``. What the row
cannot say — a state of the object, an owner's own unit — the world
(``world.py``) provides by building the object that way, and the document
repeats in the target's description.
"""

from __future__ import annotations

from .guards import LOGIN, OTP_USERS, PUBLIC, Route, on, r

# Action names, as docs/permissions.md (动作) and accounts.permissions.ACTIONS spell them.
REGISTER_VIEW, REGISTER_EDIT, OWN_UNITS = "register.view", "register.edit", "register.own_units"
CALL, CAST, ENTER = "assembly.call", "ballot.cast", "ballot.enter_paper"
PROGRESS, TRACE = "assembly.view_progress", "ballot.trace"
FUND_APPLY, FUND_AREA, FUND_OWN = "fund.apply", "fund.view_area", "fund.view_own"
REV_VIEW, REV_RECORD, REV_ALLOCATE = "revenue.view", "revenue.record", "revenue.allocate"
REVIEW, APPROVE, CONFIRM = "application.review", "application.approve", "payment.confirm"
# Order 165 art. 23: under the assembly's own account the committee takes these steps
# and the bureau receives the filing (funds.procedure.services.authority decides by regime).
COMMITTEE, FILING = "application.committee_approve", "fund.filing"
EM_APPLY, COMMISSION, WHITELIST = "emergency.apply", "emergency.commission", "whitelist.manage"
CALENDAR = "calendar.manage"
ISSUE, OVERSEE, AUDIT = "publication.issue", "oversee", "audit.view"

# Who sees a fund-use application (funds.procedure.selectors.applications): staff who reach its
# area, and owners of a unit in its 列支范围 from the vote on.
SEES_FUND_APP = on(REGISTER_VIEW, FUND_AREA, FUND_OWN)
# Who sees an emergency application (emergency.selectors.visible_applications): those who
# file or oversee, and the area's staff (its committee, the property company serving it).
SEES_EMERGENCY = on(EM_APPLY, OVERSEE, REGISTER_VIEW)

ROUTES: tuple[Route, ...] = (
    # ------------------------------------------------------------------ site, accounts
    r("home", PUBLIC),
    r("health", PUBLIC, otp_exempt=True),
    r("accounts:login", PUBLIC),
    r("accounts:logout", PUBLIC, method="POST", otp_exempt=True),
    r(
        "accounts:bind",
        PUBLIC,
        login_is_flow=True,
        note="首次登录核对身份证号；本会话未先输入手机验证码时转回登录页（流程，不是拒绝）",
    ),
    r("accounts:otp_setup", OTP_USERS, otp_exempt=True),
    r("accounts:otp_verify", OTP_USERS, otp_exempt=True),
    # ------------------------------------------------------------------ the register
    r("estates:index", REGISTER_VIEW),
    r("estates:search", REGISTER_VIEW),
    r("estates:street", REGISTER_VIEW, "street", on(REGISTER_VIEW)),
    r("estates:community", REGISTER_VIEW, "community", on(REGISTER_VIEW)),
    r("estates:area", REGISTER_VIEW, "area", on(REGISTER_VIEW)),
    r("estates:building", REGISTER_VIEW, "building", on(REGISTER_VIEW)),
    r("estates:unit", REGISTER_VIEW, "unit", on(REGISTER_VIEW)),
    r("estates:my_units", OWN_UNITS),
    r("estates:area_edit", REGISTER_EDIT, "area", on(REGISTER_EDIT)),
    r("estates:committee_create", REGISTER_EDIT, "area", on(REGISTER_EDIT)),
    r("estates:committee", REGISTER_EDIT, "committee", on(REGISTER_EDIT)),
    r("estates:committee_edit", REGISTER_EDIT, "committee", on(REGISTER_EDIT)),
    r("estates:member_add", REGISTER_EDIT, "committee", on(REGISTER_EDIT)),
    r("estates:member_edit", REGISTER_EDIT, "member", on(REGISTER_EDIT)),
    r("estates:member_remove", REGISTER_EDIT, "member", on(REGISTER_EDIT)),
    r("estates:companies", REGISTER_EDIT),
    r("estates:company_create", REGISTER_EDIT),
    r("estates:company_edit", REGISTER_EDIT, "company"),
    r("estates:annex1", OVERSEE),
    r("estates:annex1_download", OVERSEE),
    r("estates:dashboard", OVERSEE),
    r("estates:calendar", CALENDAR),
    r("estates:calendar_enter", CALENDAR),
    r("estates:calendar_year", CALENDAR, "calendar_year"),
    r("estates:import", REGISTER_EDIT),
    r("estates:import_job", REGISTER_EDIT, "import_job", on(REGISTER_EDIT)),
    # ------------------------------------------------------------------ audit
    r("audit:events", AUDIT),
    r("audit:event", AUDIT, "audit_event"),
    # ------------------------------------------------------------------ voting: owners
    r("voting:mine", CAST),
    r("voting:ballot", CAST, "assembly", on(CAST)),
    r("voting:receipt", CAST, "assembly", on(CAST)),
    r("voting:board", PUBLIC, "public_assembly"),
    r("voting:tracker", PUBLIC, "public_assembly"),
    # ------------------------------------------------------------------ voting: conveners
    r("voting:manage_list", CALL),
    r("voting:manage_create", CALL),
    r("voting:manage_detail", CALL, "assembly", on(CALL)),
    r("voting:manage_edit", CALL, "assembly", on(CALL)),
    r("voting:manage_motion_add", CALL, "assembly", on(CALL)),
    r("voting:manage_motion_remove", CALL, "assembly_motion", on(CALL)),
    r("voting:manage_attachment_add", CALL, "assembly", on(CALL)),
    r("voting:manage_attachment_file", CALL, "assembly_attachment", on(CALL)),
    r("voting:manage_notice", CALL, "assembly", on(CALL)),
    r("voting:manage_notice_preview", CALL, "assembly", on(CALL)),
    r("voting:manage_open", CALL, "assembly", on(CALL)),
    r("voting:manage_cancel", CALL, "assembly", on(CALL)),
    r("voting:manage_ballots", ENTER, "assembly", on(ENTER)),
    r("voting:manage_paper", ENTER, "assembly_right", on(ENTER)),
    r("voting:manage_proxy", ENTER, "assembly_right", on(ENTER)),
    # The convener's turnout help (issue #16): never the property company (no assembly.call).
    r("voting:turnout", CALL, "assembly", on(CALL)),
    r("voting:turnout_export", CALL, "assembly", on(CALL), method="POST"),
    r("voting:turnout_remind", CALL, "assembly", on(CALL)),
    r("voting:turnout_remind", CALL, "assembly", on(CALL), method="POST"),
    r("voting:manage_trace", TRACE),
    r("voting:manage_trace_file", TRACE, "traced_ballot", method="POST"),
    # ------------------------------------------------------------------ voting: progress
    r("voting:progress_list", PROGRESS),
    r("voting:progress", PROGRESS, "assembly", on(PROGRESS)),
    r("voting:results", PROGRESS, "assembly", on(PROGRESS)),
    r("voting:attachment", PROGRESS, "assembly_attachment", on(PROGRESS)),
    r("voting:objections", PROGRESS, "counted_assembly", on(PROGRESS)),
    r(
        "voting:objection_answer",
        PROGRESS,
        "objection",
        on(PROGRESS),
        on(CALL, fails="403"),
        note="能看到会议但不是召集人：403",
    ),
    # ------------------------------------------------------------------ public revenue
    r("revenue:index", REV_VIEW),
    r("revenue:ledger", REV_VIEW, "area", on(REV_VIEW)),
    r("revenue:export_csv", REV_VIEW, "area", on(REV_VIEW)),
    r("revenue:export_xlsx", REV_VIEW, "area", on(REV_VIEW)),
    r("revenue:voucher", REV_VIEW, "revenue_entry", on(REV_VIEW)),
    r("revenue:allocation", REV_VIEW, "allocation", on(REV_VIEW)),
    r("revenue:entry_new", REV_RECORD, "area", on(REV_RECORD)),
    r("revenue:entry_reverse", REV_RECORD, "revenue_entry", on(REV_RECORD)),
    r("revenue:allocate", REV_ALLOCATE, "area", on(REV_ALLOCATE)),
    r("revenue:publish", ISSUE, "area", on(ISSUE)),
    # ------------------------------------------------------------------ fund: reconciliation
    r("funds_reconciliation:index", FUND_AREA),
    r("funds_reconciliation:area", FUND_AREA, "area", on(FUND_AREA)),
    r("funds_reconciliation:detail", FUND_AREA, "statement", on(FUND_AREA)),
    r(
        "funds_reconciliation:upload",
        CONFIRM,
        "area",
        on(CONFIRM),
        method="POST",
        note="只接受 POST（GET 对所有人 405）",
    ),
    r("funds_reconciliation:confirm", CONFIRM, "area", on(CONFIRM), method="POST", note="同上"),
    r("funds_reconciliation:annual", FUND_AREA, "annual", on(FUND_AREA)),
    # ------------------------------------------------------------------ fund: ledgers
    r("funds:mine", FUND_OWN),
    r("funds:unit_ledger", FUND_OWN, "owner_unit", on(FUND_OWN)),
    r("funds:unit_ledger_csv", FUND_OWN, "owner_unit", on(FUND_OWN)),
    r("funds:areas", FUND_AREA),
    r("funds:area_ledger", FUND_AREA, "area", on(FUND_AREA)),
    # ------------------------------------------------------------------ fund: use procedure
    r("funds:application_list", LOGIN),
    r("funds:application_create", FUND_APPLY),
    r("funds:application_mine", FUND_OWN),
    r("funds:application_detail", LOGIN, "fund_app", SEES_FUND_APP),
    r("funds:application_edit", FUND_APPLY, "fund_app", SEES_FUND_APP),
    r("funds:application_attach", FUND_APPLY, "fund_app", SEES_FUND_APP),
    r("funds:application_file", LOGIN, "fund_app_attachment", SEES_FUND_APP),
    r("funds:application_vote", CALL, "fund_app", SEES_FUND_APP, on(CALL)),
    r(
        "funds:application_conclude",
        LOGIN,
        "fund_app",
        SEES_FUND_APP,
        on(FUND_APPLY, CALL, fails="403"),
    ),
    r("funds:application_withdraw", FUND_APPLY, "fund_app", SEES_FUND_APP),
    r("funds:application_resubmit", FUND_APPLY, "fund_app", SEES_FUND_APP),
    r("funds:application_works_done", FUND_APPLY, "fund_app", SEES_FUND_APP),
    r("funds:application_accept", CALL, "fund_app", SEES_FUND_APP),
    r("funds:review_queue", (REVIEW, COMMITTEE)),
    r("funds:approval_queue", (APPROVE, COMMITTEE)),
    r(
        "funds:payment_queue",
        (APPROVE, CONFIRM, COMMITTEE),
        note="审批人导出划款文件，审核员登记到账；业主大会自管的区域由业委会办理",
    ),
    r("funds:payment_export", (APPROVE, COMMITTEE), method="POST"),
    r(
        "funds:payment_confirm",
        (CONFIRM, COMMITTEE),
        "fund_instruction",
        on(CONFIRM, COMMITTEE),
    ),
    r(
        "funds:application_review",
        (REVIEW, COMMITTEE),
        "fund_app",
        SEES_FUND_APP,
        on(REVIEW, COMMITTEE),
        note="住建部门代管时住建局审核，业主大会自管时业委会审核（由服务按资金管理方式判定）",
    ),
    r(
        "funds:application_approve",
        (APPROVE, COMMITTEE),
        "fund_app",
        SEES_FUND_APP,
        on(APPROVE, COMMITTEE),
    ),
    r(
        "funds:application_pay",
        (APPROVE, COMMITTEE),
        "fund_app",
        SEES_FUND_APP,
        on(APPROVE, COMMITTEE),
    ),
    r(
        "funds:application_countersign",
        (APPROVE, COMMITTEE),
        "fund_app",
        SEES_FUND_APP,
        on(APPROVE, COMMITTEE),
        note="同一事项累计划款超过限额时第二审批人复核",
    ),
    r(
        "funds:application_filing",
        (FILING, COMMITTEE),
        "fund_app",
        SEES_FUND_APP,
        on(FILING, COMMITTEE),
        note="业委会批准的使用报住建局备案；住建局备案或责令改正，业委会报告改正",
    ),
    r("funds:filing_queue", FILING),
    r("funds:application_settle", REVIEW, "fund_app", SEES_FUND_APP, on(REVIEW)),
    r("funds:application_publish", ISSUE, "fund_app", SEES_FUND_APP, on(ISSUE)),
    r("funds:application_supplementary", CALL, "fund_app", SEES_FUND_APP, on(CALL)),
    r("funds:application_audit_report", REVIEW, "fund_app", SEES_FUND_APP, on(REVIEW)),
    r("funds:application_retention", REVIEW, "fund_app", SEES_FUND_APP, on(REVIEW)),
    r(
        "funds:application_collect",
        REVIEW,
        "fund_share",
        SEES_FUND_APP,
        on(REVIEW),
        method="POST",
    ),
    r(
        "funds:application_demand_pay",
        CONFIRM,
        "fund_demand",
        SEES_FUND_APP,
        on(CONFIRM),
        note="审核员按银行回单登记业主分摊补缴到账（记入该户分户账并冻结）",
    ),
    # ------------------------------------------------------------------ emergency repairs
    r("emergency:index", (EM_APPLY, OVERSEE, REVIEW, APPROVE, COMMISSION)),
    r("emergency:choose_area", EM_APPLY),
    r("emergency:apply", EM_APPLY, "area", on(EM_APPLY)),
    r("emergency:plan", (EM_APPLY, OVERSEE), "area", on(EM_APPLY, OVERSEE)),
    r("emergency:plan_edit", EM_APPLY, "area", on(EM_APPLY)),
    r("emergency:detail", LOGIN, "emergency_app", SEES_EMERGENCY),
    r(
        "emergency:evidence",
        LOGIN,
        "emergency_evidence",
        SEES_EMERGENCY,
        anonymous="404",
        note="未登录也答 404：文件地址不转登录页",
    ),
    r("emergency:evidence_add", LOGIN, "emergency_app", SEES_EMERGENCY),
    r("emergency:works_start", LOGIN, "emergency_app", SEES_EMERGENCY),
    r("emergency:works_done", LOGIN, "emergency_app", SEES_EMERGENCY),
    r("emergency:accept", LOGIN, "emergency_app", SEES_EMERGENCY),
    r("emergency:review_start", REVIEW, "emergency_app", SEES_EMERGENCY),
    r("emergency:checklist", REVIEW, "emergency_app", SEES_EMERGENCY),
    r("emergency:approve", APPROVE, "emergency_app", SEES_EMERGENCY),
    r("emergency:refuse", (REVIEW, APPROVE), "emergency_app", SEES_EMERGENCY),
    r("emergency:commission", COMMISSION, "emergency_app", SEES_EMERGENCY),
    r("emergency:payment_instruct", APPROVE, "emergency_app", SEES_EMERGENCY),
    r("emergency:payment_confirm", CONFIRM, "emergency_instruction", SEES_EMERGENCY),
    r("emergency:demand_pay", CONFIRM, "emergency_demand", SEES_EMERGENCY, on(CONFIRM)),
    r(
        "emergency:demand_advance",
        APPROVE,
        "emergency_demand",
        SEES_EMERGENCY,
        on(APPROVE),
        note="只能由住建局指定的垫付账户垫付分摊差额",
    ),
    r("emergency:advance_account", APPROVE, "emergency_app", SEES_EMERGENCY, on(APPROVE)),
    r("emergency:settle", REVIEW, "emergency_app", SEES_EMERGENCY),
    r("emergency:excess_approve", APPROVE, "emergency_app", SEES_EMERGENCY),
    r("emergency:supplementary", CALL, "emergency_app", SEES_EMERGENCY),
    r("emergency:publish", ISSUE, "emergency_app", SEES_EMERGENCY),
    r("emergency:recovery_new", REVIEW, "emergency_app", SEES_EMERGENCY),
    r("emergency:recovery_claims", (OVERSEE, REVIEW, APPROVE)),
    r("emergency:recovery_move", REVIEW, "emergency_claim", SEES_EMERGENCY),
    r("emergency:whitelist", PUBLIC),
    r("emergency:whitelist_version", PUBLIC, "whitelist_version"),
    r("emergency:whitelist_item_new", WHITELIST),
    r("emergency:whitelist_item_edit", WHITELIST, "whitelist_item"),
    r("emergency:whitelist_item_remove", WHITELIST, "whitelist_item"),
    r("emergency:whitelist_item_english", WHITELIST, "whitelist_item"),
    r("emergency:dashboard", OVERSEE),
    r("emergency:problems", OVERSEE),
    r("emergency:problem_create", OVERSEE),
    r("emergency:problem_edit", OVERSEE, "problem", on(OVERSEE)),
    r("emergency:problems_export", OVERSEE),
    # ------------------------------------------------------------------ publications
    r("publications:list", PUBLIC),
    r("publications:log", PUBLIC),
    r("publications:ca", PUBLIC),
    r("estates:issue_area_register", ISSUE),
    r("publications:detail", PUBLIC, "publication"),
    r("publications:download", PUBLIC, "publication"),
    r("publications:verify_upload", PUBLIC),
    r("publications:verify", PUBLIC, "publication"),
    # ------------------------------------------------------------------ API /api/v1/
    r("api-me", LOGIN),
    r("area-list", REGISTER_VIEW),
    r("area-detail", REGISTER_VIEW, "area", on(REGISTER_VIEW)),
    r("street-list", REGISTER_VIEW),
    r("street-detail", REGISTER_VIEW, "street", on(REGISTER_VIEW)),
    r("register-area-buildings", REGISTER_VIEW, "area", on(REGISTER_VIEW)),
    r("register-area-units", REGISTER_VIEW, "area", on(REGISTER_VIEW)),
    r("register-unit", REGISTER_VIEW, "unit", on(REGISTER_VIEW)),
    r("register-my-units", OWN_UNITS),
    r("audit-event-list", AUDIT),
    r("audit-event-detail", AUDIT, "audit_event"),
    r("api-assemblies", PROGRESS),
    r(
        "api-assemblies",
        CALL,
        method="POST",
        note="空请求体：有权者得 400（字段错误）",
    ),
    r("api-assembly", PROGRESS, "assembly", on(PROGRESS)),
    r("api-assembly-motions", CALL, "assembly", on(CALL), method="POST"),
    r("api-assembly-notice", CALL, "assembly", on(CALL), method="POST"),
    r("api-assembly-progress", PROGRESS, "assembly", on(PROGRESS)),
    r("api-assembly-cast", CAST, "assembly", on(CAST), method="POST"),
    r("api-assembly-board", PUBLIC, "public_assembly"),
    r("api-assembly-result", PUBLIC, "public_assembly"),
    r("api-my-ballots", CAST),
    r("revenue-entries", REV_VIEW, "area", on(REV_VIEW)),
    r("fund-application-list", LOGIN),
    r("fund-application-detail", LOGIN, "fund_app", SEES_FUND_APP),
    r("fund-my-shares", LOGIN),
    r("fund-mine", FUND_OWN),
    r("fund-mine-entries", FUND_OWN, "owner_unit_id", on(FUND_OWN)),
    r("fund-mine-statement", FUND_OWN, "owner_unit_id", on(FUND_OWN)),
    r("fund-area", FUND_AREA, "area", on(FUND_AREA)),
    r("fund-area-units", FUND_AREA, "area", on(FUND_AREA)),
    r("emergency-whitelist", PUBLIC),
    r("emergency-application-list", (EM_APPLY, OVERSEE, REVIEW, APPROVE, COMMISSION)),
    r(
        "emergency-application-detail",
        (EM_APPLY, OVERSEE, REVIEW, APPROVE, COMMISSION),
        "emergency_app",
        SEES_EMERGENCY,
    ),
    r("api-schema", PUBLIC),
    r("api-docs", PUBLIC),
)

# Routes of the URLconf with no row, and why (``test_coverage`` accepts exactly these).
EXCLUDED_NAMESPACES = {
    # Django's admin: its own is_staff/permission system, behind TOTP (accounts.middleware).
    "admin": "Django 管理后台：使用 Django 自身的 is_staff 与模型权限，且须先通过动态口令",
}
EXCLUDED = {
    # Django's language switch (POST, no data of anyone's).
    "set_language": "切换界面语言（Django i18n，不涉及任何数据）",
}
# Unnamed patterns (the admin's catch-all, DEBUG's media serving) cannot be reversed
# and are not routes a user is sent to; test_coverage lists them by path prefix.
EXCLUDED_UNNAMED_PREFIXES = {
    "django-admin/": "Django 管理后台（同上）",
    "^media/": "仅 DEBUG 时的上传文件服务（生产环境不挂载）",
}
