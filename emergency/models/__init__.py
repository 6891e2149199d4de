"""Models of emergency repairs (RULES.md §5, Order 165 art. 24); one module per part.

- ``whitelist``: the bureau's versioned list of emergency matters (紧急维修事项清单);
- ``plans``: each area's response plan (紧急维修预案);
- ``applications``: emergency applications, their evidence, 代修 and reminder markers;
- ``problems``: the district's problem ledger (programme annex 2, RULES.md §8);
- ``whitelist_translation``: English (or other) text of the whitelist's items;
- ``recovery``: recovery claims (追偿) of repairs paid inside warranty (RULES.md §5).
"""

from .applications import (
    Commission,
    DeadlineNotice,
    EmergencyApplication,
    Evidence,
    WarrantyStatus,
)
from .plans import ResponsePlan
from .problems import Problem
from .recovery import RecoveryClaim
from .whitelist import (
    FACILITY_REPAIR_TYPE,
    FILING_EVIDENCE,
    EvidenceKind,
    Facility,
    KeptError,
    WhitelistItem,
    WhitelistVersion,
)
from .whitelist_translation import WhitelistItemTranslation

__all__ = [
    "FACILITY_REPAIR_TYPE",
    "FILING_EVIDENCE",
    "Commission",
    "DeadlineNotice",
    "EmergencyApplication",
    "Evidence",
    "EvidenceKind",
    "Facility",
    "KeptError",
    "Problem",
    "RecoveryClaim",
    "ResponsePlan",
    "WarrantyStatus",
    "WhitelistItem",
    "WhitelistItemTranslation",
    "WhitelistVersion",
]
