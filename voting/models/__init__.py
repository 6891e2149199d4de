"""Owners' assemblies, their motions, the frozen roll and the ballots (RULES.md §1–3).

Every write goes through ``voting.services``; this module holds the data, the
transition table and the legal texts each motion shows. What is final stays
final in the database as well as in the services: a cast ballot and a roll
snapshot refuse ``save`` on an existing row and ``delete``, and their
querysets refuse bulk ``update``/``delete``.

Ballot secrecy (RULES.md §3): a ballot row carries its voting right (the
bureau traces disputes through it, ``ballot.trace``) but nothing of it that is
published says who cast it: the public board shows seq, tracker, weight,
channel and choices only (``voting.board_store``).

Split by what the rows are (one app, so no table moves): ``law`` (the art. 278
texts), ``final`` (insert-only rows), ``assembly`` (assembly, motions,
objections, sent-markers), ``roll`` (the frozen roll), ``ballot``, ``sends``
(the queue of text messages).
"""

from .assembly import (
    GENESIS,
    Assembly,
    AssemblyAttachment,
    Candidate,
    Motion,
    NotificationSent,
    Objection,
    attachment_path,
)
from .ballot import (
    Ballot,
    authorisation_path,
    scan_path,
)
from .final import (
    FinalError,
    FinalModel,
    FinalQuerySet,
)
from .law import (
    CHOICE_LABELS,
    CIVIL_CODE_ITEMS,
    ELECTION_ITEMS,
    ELECTION_TEXT,
    ORDINARY_TEXT,
    OUTCOME_LABELS,
    QUORUM_TEXT,
    SPECIAL_ITEMS,
    SPECIAL_TEXT,
    item_name,
    kind_for_item,
    legal_basis,
    threshold_text,
)
from .reminder import TurnoutReminder
from .roll import (
    RollSnapshot,
    VotingRight,
    VotingRightHolder,
)
from .sends import TextSend

__all__ = [
    "Assembly",
    "AssemblyAttachment",
    "Ballot",
    "CHOICE_LABELS",
    "CIVIL_CODE_ITEMS",
    "Candidate",
    "ELECTION_ITEMS",
    "ELECTION_TEXT",
    "FinalError",
    "FinalModel",
    "FinalQuerySet",
    "GENESIS",
    "Motion",
    "NotificationSent",
    "ORDINARY_TEXT",
    "OUTCOME_LABELS",
    "Objection",
    "QUORUM_TEXT",
    "RollSnapshot",
    "SPECIAL_ITEMS",
    "TextSend",
    "SPECIAL_TEXT",
    "TurnoutReminder",
    "VotingRight",
    "VotingRightHolder",
    "attachment_path",
    "authorisation_path",
    "item_name",
    "kind_for_item",
    "legal_basis",
    "scan_path",
    "threshold_text",
]
