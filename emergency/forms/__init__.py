"""Forms of the emergency pages. They parse input only (yuan → fen, lists, files); the
rules live in ``emergency.services``, whose ``DomainError`` the views show as form errors."""

from __future__ import annotations

from .applications import (
    AcceptForm,
    ApplicationForm,
    ChecklistForm,
    CommissionForm,
    EvidenceForm,
    MomentForm,
    NoteForm,
    ReasonForm,
    RecoveryClaimForm,
    RecoveryMoveForm,
)
from .inputs import (
    ACCEPT,
    DATE_INPUT,
    DATETIME_INPUT,
    NOT_LISTED,
    SPLIT_RE,
    MultipleFileField,
    MultipleFileInput,
    evidence_field_name,
    split_list,
)
from .oversight import (
    PlanForm,
    ProblemFilterForm,
    ProblemForm,
    RemoveItemForm,
    WhitelistItemForm,
)
from .payments import (
    ConfirmPaymentForm,
    ExcessApproveForm,
    PaymentForm,
    SettleForm,
)

__all__ = [
    "ACCEPT",
    "AcceptForm",
    "ApplicationForm",
    "ChecklistForm",
    "CommissionForm",
    "ConfirmPaymentForm",
    "DATETIME_INPUT",
    "DATE_INPUT",
    "EvidenceForm",
    "ExcessApproveForm",
    "MomentForm",
    "MultipleFileField",
    "MultipleFileInput",
    "NOT_LISTED",
    "NoteForm",
    "PaymentForm",
    "PlanForm",
    "ProblemFilterForm",
    "ProblemForm",
    "ReasonForm",
    "RecoveryClaimForm",
    "RecoveryMoveForm",
    "RemoveItemForm",
    "SPLIT_RE",
    "SettleForm",
    "WhitelistItemForm",
    "evidence_field_name",
    "split_list",
]
