"""Writes of the voting app (STYLE.md §2): one keyword-only function per use case.

- ``assemblies``: draft, scope, attachments;
- ``opening``: notice (signed PDF), opening (roll frozen), cancelling;
- ``choices``: the motions of an assembly and what a ballot may answer;
- ``ballots``: online, paper and proxy ballots; tracing a ballot for the bureau;
- ``motions``: the motions of a draft (kind, candidates, scope);
- ``results``: count, preliminary result, final result;
- ``objections``: objections to the preliminary result and their answers;
- ``notifications``: text messages and the periodic tick;
- ``text_sends``: the queue of texts a worker sends (a notice, a reminder), one row each;
- ``notice_preview``: the unsigned preview of a draft's notice.
"""

from .assemblies import (
    assembly_create,
    assembly_update,
    attachment_add,
    default_convener,
)
from .ballots import (
    ballot_cast,
    ballot_enter_paper,
    ballot_enter_proxy,
    ballot_trace,
    person_of,
)
from .choices import choices_clean, motions_of
from .motions import motion_add, motion_remove
from .notifications import assemblies_tick, notifications_send
from .objections import objection_answer, objection_file
from .opening import assembly_cancel, assembly_notice, assembly_open
from .results import (
    assembly_close_and_count,
    assembly_count,
    assembly_finalise,
    assembly_result_publish,
)

__all__ = [
    "assemblies_tick",
    "assembly_cancel",
    "assembly_close_and_count",
    "assembly_count",
    "assembly_create",
    "assembly_finalise",
    "assembly_notice",
    "assembly_open",
    "assembly_result_publish",
    "assembly_update",
    "attachment_add",
    "ballot_cast",
    "ballot_enter_paper",
    "ballot_enter_proxy",
    "ballot_trace",
    "choices_clean",
    "default_convener",
    "motion_add",
    "motion_remove",
    "motions_of",
    "notifications_send",
    "objection_answer",
    "objection_file",
    "person_of",
]
