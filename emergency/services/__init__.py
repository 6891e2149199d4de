"""Writes of the emergency app (STYLE.md §2): one function per use case, each transactional.

- ``whitelist``: publishing versions of the bureau's list;
- ``plans``: an area's response plan;
- ``applications``: filing (with ``evidence``: checking and storing files);
- ``decisions``: the bureau's review (with its checklist), approval or refusal, deemed approval;
- ``recovery``: recovery claims (追偿) of repairs paid inside warranty;
- ``works``: works start, completion, acceptance, later evidence;
- ``money``: the money side through the funds app's FundUse (payment gate,
  prepayment, settlement with apportionment, the signed notice);
- ``commission``: 代修 by the bureau (Order 165 art. 24);
- ``problems``: the annex-2 problem ledger;
- ``reminders``: reminders and escalation of response times (the Celery task's body).
"""

from ._common import normal_procedure_url
from .applications import application_file
from .commission import commission_create
from .decisions import (
    application_approve,
    application_checklist_record,
    application_refuse,
    application_review_start,
    materialise_deemed,
)
from .money import (
    application_excess_approve,
    application_payment_confirm,
    application_payment_instruct,
    application_settle,
    application_supplementary_vote_create,
    apportionment_preview,
)
from .plans import plan_save
from .problems import problem_create, problem_update
from .publication import application_publish
from .recovery import (
    ClaimInput,
    recovery_claim_abandon,
    recovery_claim_claim,
    recovery_claim_open,
    recovery_claim_recover,
)
from .reminders import reminders_send
from .whitelist import (
    current_version,
    whitelist_item_remove,
    whitelist_item_save,
    whitelist_publish,
)
from .works import (
    application_accept,
    application_works_done,
    application_works_start,
    evidence_add,
)

__all__ = [
    "ClaimInput",
    "application_accept",
    "application_excess_approve",
    "application_supplementary_vote_create",
    "application_approve",
    "application_checklist_record",
    "application_file",
    "application_payment_confirm",
    "application_payment_instruct",
    "application_publish",
    "application_settle",
    "apportionment_preview",
    "application_refuse",
    "application_review_start",
    "application_works_done",
    "application_works_start",
    "commission_create",
    "current_version",
    "evidence_add",
    "materialise_deemed",
    "normal_procedure_url",
    "plan_save",
    "problem_create",
    "problem_update",
    "recovery_claim_abandon",
    "recovery_claim_claim",
    "recovery_claim_open",
    "recovery_claim_recover",
    "reminders_send",
    "whitelist_item_remove",
    "whitelist_item_save",
    "whitelist_publish",
]
