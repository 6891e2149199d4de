"""A ballot's choices: the motions of an assembly and what a ballot may answer to them.

Online ballots answer every motion (RULES.md §3); paper and proxy ballots
record the sheet as marked (DESIGN.md: a motion missing from a ballot means
it did not take part in it; "invalid" records a spoiled answer).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from core.errors import DomainError
from voting import counting
from voting.models import Assembly, Ballot, Motion

# Motions of noticed assemblies, keyed by (id, notice moment): they are fixed from the
# notice on (voting.services.assemblies edits drafts only), so each worker reads them once
# per assembly instead of twice per ballot. Not shared state: a second worker reads its own.
_MOTIONS: dict[tuple[int, str], list[Motion]] = {}
_MOTIONS_KEPT = 64


def motions_of(assembly: Assembly) -> list[Motion]:
    def read() -> list[Motion]:
        return list(
            Motion.objects.filter(assembly_id=assembly.pk)
            .prefetch_related("candidates")
            .order_by("position")
        )

    if assembly.notice_published_at is None:
        return read()
    key = (assembly.pk, assembly.notice_published_at.isoformat())
    motions = _MOTIONS.get(key)
    if motions is None:
        motions = read()
        if len(_MOTIONS) >= _MOTIONS_KEPT:
            _MOTIONS.clear()
        _MOTIONS[key] = motions
    return motions


def choices_clean(motions: list[Motion], raw: object, *, channel: str) -> dict:
    """The ballot's choices as the board stores them, or DomainError naming each bad motion.

    Online ballots answer every motion with approve / reject / abstain (an
    election: a list of at most ``seats`` candidate codes, or abstain);
    RULES.md §3: abstain is an explicit answer, never a default. A paper or
    proxy ballot records the sheet as it is: a motion left blank is left out
    (that ballot did not take part in it, DESIGN.md), "invalid" records a
    spoiled answer, and an election list longer than ``seats`` is kept as
    marked — ``voting.counting`` counts it as spoiled.
    """
    if not isinstance(raw, Mapping):
        raise DomainError("bad_choices", _("表决意见格式不正确。"))
    online = channel == Ballot.Channel.ONLINE
    by_code = {motion.code: motion for motion in motions}
    errors: dict[str, str] = {}
    for code in raw:
        if code not in by_code:
            errors[str(code)] = _("没有这个表决议题。")
    cleaned: dict = {}
    for motion in motions:
        if motion.code not in raw or raw[motion.code] in (None, ""):
            if online:
                errors[motion.code] = _("请对本议题作出选择（同意、反对或弃权）。")
            continue
        value = raw[motion.code]
        words = {counting.ABSTAIN} if online else {counting.ABSTAIN, counting.INVALID}
        if motion.is_election:
            if isinstance(value, str):
                if value not in words:
                    errors[motion.code] = _("请选择候选人或弃权。")
                    continue
                cleaned[motion.code] = value
                continue
            order = {c.code: c.position for c in motion.candidates.all()}
            if not isinstance(value, list | tuple) or not all(
                isinstance(c, str) and c in order for c in value
            ):
                errors[motion.code] = _("候选人不正确。")
                continue
            if len(set(value)) != len(value):
                errors[motion.code] = _("同一候选人只能选一次。")
                continue
            if online and len(value) > motion.seats:
                errors[motion.code] = _("最多可选 %(seats)d 名候选人。") % {"seats": motion.seats}
                continue
            cleaned[motion.code] = sorted(value, key=order.__getitem__)
        else:
            allowed = {counting.APPROVE, counting.REJECT, *words}
            if not isinstance(value, str) or value not in allowed:
                errors[motion.code] = _("请选择同意、反对或弃权。")
                continue
            cleaned[motion.code] = value
    if errors:
        raise DomainError("bad_choices", _("表决票填写不完整或有误，请检查。"), fields=errors)
    if not cleaned:
        raise DomainError("bad_choices", _("表决票没有任何表决意见。"))
    return cleaned
