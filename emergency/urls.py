"""Emergency repairs (RULES.md §5, §8). Mounted by gongzhi/urls.py at ``emergency/``."""

from django.urls import path

from .views import (
    applications,
    bureau,
    oversight,
    plans,
    recovery,
    shortfalls,
    whitelist,
    whitelist_translation,
)

app_name = "emergency"
urlpatterns = [
    path("", applications.index, name="index"),
    path("apply/", applications.choose_area, name="choose_area"),
    path("areas/<str:code>/apply/", applications.apply, name="apply"),
    path("areas/<str:code>/plan/", plans.plan, name="plan"),
    path("areas/<str:code>/plan/edit/", plans.plan_edit, name="plan_edit"),
    path("<int:pk>/", applications.detail, name="detail"),
    path("<int:pk>/evidence/<int:evidence_pk>/", applications.evidence_file, name="evidence"),
    path("<int:pk>/evidence/add/", applications.evidence_add, name="evidence_add"),
    path("<int:pk>/works-start/", applications.works_start, name="works_start"),
    path("<int:pk>/works-done/", applications.works_done, name="works_done"),
    path("<int:pk>/accept/", applications.accept, name="accept"),
    path("<int:pk>/review/", bureau.review_start, name="review_start"),
    path("<int:pk>/checklist/", bureau.checklist, name="checklist"),
    path("<int:pk>/approve/", bureau.approve, name="approve"),
    path("<int:pk>/refuse/", bureau.refuse, name="refuse"),
    path("<int:pk>/commission/", bureau.commission, name="commission"),
    path("<int:pk>/payments/new/", bureau.payment_instruct, name="payment_instruct"),
    path(
        "<int:pk>/payments/<int:instruction_pk>/confirm/",
        bureau.payment_confirm,
        name="payment_confirm",
    ),
    path("<int:pk>/settle/", bureau.settle, name="settle"),
    path("<int:pk>/demands/<int:demand>/pay/", shortfalls.demand_pay, name="demand_pay"),
    path(
        "<int:pk>/demands/<int:demand>/advance/", shortfalls.demand_advance, name="demand_advance"
    ),
    path("<int:pk>/advance-account/", shortfalls.advance_account, name="advance_account"),
    path("<int:pk>/excess/", bureau.excess_approve, name="excess_approve"),
    path("<int:pk>/supplementary/", bureau.supplementary, name="supplementary"),
    path("<int:pk>/publish/", bureau.publish, name="publish"),
    path("<int:pk>/recovery/new/", recovery.claim_new, name="recovery_new"),
    path("recovery/", recovery.claims, name="recovery_claims"),
    path("recovery/<int:claim_pk>/<str:to>/", recovery.claim_move, name="recovery_move"),
    path("whitelist/", whitelist.whitelist, name="whitelist"),
    path("whitelist/v/<int:number>/", whitelist.whitelist, name="whitelist_version"),
    path("whitelist/items/new/", whitelist.item_edit, name="whitelist_item_new"),
    path("whitelist/items/<str:code>/edit/", whitelist.item_edit, name="whitelist_item_edit"),
    path("whitelist/items/<str:code>/remove/", whitelist.item_remove, name="whitelist_item_remove"),
    path(
        "whitelist/items/<str:code>/english/",
        whitelist_translation.item_english,
        name="whitelist_item_english",
    ),
    path("dashboard/", oversight.dashboard, name="dashboard"),
    path("problems/", oversight.problems, name="problems"),
    path("problems/new/", oversight.problem_create, name="problem_create"),
    path("problems/<int:pk>/edit/", oversight.problem_edit, name="problem_edit"),
    path("problems/export/", oversight.problems_export, name="problems_export"),
]
