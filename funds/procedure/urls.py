"""Routes of the fund-use procedure (RULES.md §4).

Included by the lead inside ``funds/urls.py`` (namespace ``funds``), so that
every name is ``funds:<name>`` (the emergency app links to
``funds:application_create``)::

    path("applications/", include("funds.procedure.urls")),

No ``app_name`` here on purpose: the patterns join the ``funds`` namespace.
"""

from django.urls import path

from funds.procedure.views import (
    authority,
    bureau,
    closing,
    owner,
    proposal,
    settlement_limits,
    shortfalls,
)

urlpatterns = [
    # Applicant, committee, and everyone who may see an application.
    path("", proposal.application_list, name="application_list"),
    path("new/", proposal.application_create, name="application_create"),
    path("mine/", owner.my_shares, name="application_mine"),
    path("<int:pk>/", proposal.application_detail, name="application_detail"),
    path("<int:pk>/edit/", proposal.application_edit, name="application_edit"),
    path("<int:pk>/attach/", proposal.application_attach, name="application_attach"),
    path("<int:pk>/files/<int:attachment>/", proposal.application_file, name="application_file"),
    path("<int:pk>/vote/", proposal.application_vote, name="application_vote"),
    path("<int:pk>/conclude/", proposal.application_conclude, name="application_conclude"),
    path("<int:pk>/withdraw/", proposal.application_withdraw, name="application_withdraw"),
    path("<int:pk>/resubmit/", proposal.application_resubmit, name="application_resubmit"),
    path("<int:pk>/works-done/", proposal.application_works_done, name="application_works_done"),
    path("<int:pk>/accept/", proposal.application_accept, name="application_accept"),
    # The bureau.
    path("review/", bureau.review_queue, name="review_queue"),
    path("approve/", bureau.approval_queue, name="approval_queue"),
    path("payments/", bureau.payment_queue, name="payment_queue"),
    path("payments/export/", bureau.payment_export, name="payment_export"),
    path("payments/<int:pk>/confirm/", bureau.payment_confirm, name="payment_confirm"),
    path("<int:pk>/review/", bureau.application_review, name="application_review"),
    path("<int:pk>/approve/", bureau.application_approve, name="application_approve"),
    path("<int:pk>/pay/", bureau.application_pay, name="application_pay"),
    path(
        "<int:pk>/countersign/", authority.application_countersign, name="application_countersign"
    ),
    path("<int:pk>/filing/", authority.application_filing, name="application_filing"),
    path("filings/", authority.filing_queue, name="filing_queue"),
    path("<int:pk>/settle/", closing.application_settle, name="application_settle"),
    path("<int:pk>/publish/", closing.application_publish, name="application_publish"),
    path(
        "<int:pk>/supplementary/",
        settlement_limits.application_supplementary,
        name="application_supplementary",
    ),
    path(
        "<int:pk>/audit-report/",
        settlement_limits.application_audit_report,
        name="application_audit_report",
    ),
    path(
        "<int:pk>/retention/",
        settlement_limits.application_retention_release,
        name="application_retention",
    ),
    path(
        "<int:pk>/shares/<int:share>/collect/",
        closing.shortfall_collect,
        name="application_collect",
    ),
    path(
        "<int:pk>/demands/<int:demand>/pay/",
        shortfalls.application_demand_pay,
        name="application_demand_pay",
    ),
]
