"""Live progress and results of a vote, for the owners and the staff of its area (issue #6 items 5, 7).

Who: ``assembly.view_progress`` in the assembly's area (owners of the area,
committee, property staff, street/community officers, the bureau); any
other area's assembly is a 404. Drafts only for the convener (``_scope``).

What, per motion (RULES.md §2), by heads and by area: participation against
the 2/3 quorum line of the frozen roll, and approval against the threshold
— more than half of those taking part (ordinary), three quarters or more
(special), more than half per candidate (election). The figures come from
``voting.selectors`` (the same ``voting.counting`` that decides the result):
heads as integers, areas as hundredths of m² shown with two decimals,
percentages in basis points, rounded down so a share short of a line never
looks reached. Each figure has an SVG bar drawn to the exact fraction
(``voting.svgbars``).

While voting is open everyone in scope sees participation live; approval
and the provisional outcome appear for everyone at the close, unless
``GONGZHI_LIVE_APPROVAL`` is on (``_scope.live_approval`` says why). The
progress page is fresh on every load (a 刷新 link; no auto-refresh, so a
screen reader is never interrupted). After the count the results page shows
the stored result, the signed notices, the board and the objections.

Counting, publishing and finalising are the periodic job's
(``voting.services.assemblies_tick``, every 5 minutes): the pages only show
how far it has got, and offer no button for it.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core.guards import action_required
from core.text import datetime_text
from voting import counting, selectors, selectors_turnout, shares, svgbars
from voting.board_store import BoardMismatch, board_verified
from voting.integrity import board_mismatch_message
from voting.models import CHOICE_LABELS, OUTCOME_LABELS, Assembly, Motion

from . import objections
from .manage_common import attachment_response
from .scope import CALL, VIEW, assembly_in_scope, live_approval, may_call
from .turnout import group_rows, projection_context

PAGE_SIZE = 20
AFTER_CLOSE = (Assembly.Status.CLOSED, Assembly.Status.PRELIMINARY, Assembly.Status.FINAL)


# --------------------------------------------------------------------------- figures


def _heads(n: int) -> str:
    return _("%(n)d 人") % {"n": n}


def _area(cents: int) -> str:
    return _("%(area)s m²") % {"area": counting.cents_to_area(cents)}


def _measure(value: int, total: int, line: int) -> dict:
    """The shape of ``selectors._line`` for figures the selector does not draw (candidates)."""
    return {
        "value": value,
        "total": total,
        "line": line,
        "met": value >= line if total else False,
        "value_bps": value * 10000 // total if total else 0,
        "line_bps": line * 10000 // total if total else 0,
    }


def figure(
    key: str,
    caption: str,
    data: dict,
    *,
    unit: str,
    line_caption: str = "",
    fraction: shares.Line | None = None,
) -> dict:
    """One bar with its exact figures; ``data`` as ``selectors.motion_progress`` gives it.

    ``line_caption`` empty: a plain share, no line to reach. ``fraction`` is the
    line as a fraction of the whole (⅔, ½, ¾): shown as such, and a share that
    reaches it (``data["met"]``, the exact test) never shows below it
    (``voting.shares``).
    """
    show = _heads if unit == "heads" else _area
    value, total, line = data["value"], data["total"], data["line"]
    empty = total == 0
    reached = None if not line_caption or empty else bool(data["met"])
    percent = shares.share_text(value, total, line=fraction, met=bool(reached))
    label = _("%(caption)s：%(value)s，共 %(total)s（%(percent)s）") % {
        "caption": caption,
        "value": show(value),
        "total": show(total),
        "percent": percent,
    }
    if reached is not None:
        label += _("；%(line_caption)s %(line)s，%(state)s") % {
            "line_caption": line_caption,
            "line": show(line),
            "state": _("已达到") if reached else _("未达到"),
        }
    return {
        "key": key,
        "caption": caption,
        "empty": empty,
        "value": show(value),
        "total": show(total),
        "percent": percent,
        "line_caption": line_caption,
        "line": show(line) if reached is not None else "",
        "line_percent": fraction.symbol if reached is not None and fraction else "",
        "reached": reached,
        "short": show(line - value) if reached is False else "",
        "svg": svgbars.bar(
            value=value,
            total=total,
            line=line if reached is not None else None,
            reached=reached,
            label=label,
        ),
    }


def _pair(
    prefix: str, what: str, lines: dict, line_caption: str, fraction: shares.Line | None = None
) -> list[dict]:
    return [
        figure(
            f"{prefix}-heads",
            _("%(what)s人数") % {"what": what},
            lines["heads"],
            unit="heads",
            line_caption=line_caption,
            fraction=fraction,
        ),
        figure(
            f"{prefix}-area",
            _("%(what)s面积") % {"what": what},
            lines["area"],
            unit="area",
            line_caption=line_caption,
            fraction=fraction,
        ),
    ]


def _approval_line(motion: Motion) -> shares.Line:
    return shares.THREE_QUARTERS if motion.kind == counting.SPECIAL else shares.MORE_THAN_HALF


def _approval_caption(motion: Motion) -> str:
    if motion.kind == counting.SPECIAL:
        return _("四分之三线")
    return _("过半数线")


def _candidates(motion: Motion, count: dict) -> list[dict]:
    """Per candidate: approving heads and area against more than half of those taking part."""
    cents = counting.area_to_cents
    names = {c.code: c.name for c in motion.candidates.all()}
    participating = count["participating"]
    line = count["thresholds"]["approval"]
    rows = []
    # In the motion's order: a stored result's keys come back from PostgreSQL's jsonb re-sorted.
    for code in (c.code for c in motion.candidates.all()):
        entry = count["candidates"][code]
        lines = {
            "heads": _measure(entry["heads"], participating["heads"], line["heads"]),
            "area": _measure(
                cents(entry["area"]), cents(participating["area"]), cents(line["area"])
            ),
        }
        rows.append(
            {
                "name": names.get(code, code),
                "passes": entry["passes"],
                "elected": code in count["elected"],
                "tied": code in count["tied"],
                "figures": _pair(
                    f"{motion.code}-{code}",
                    _("同意“%(name)s”") % {"name": names.get(code, code)},
                    lines,
                    _("过半数线"),
                    shares.MORE_THAN_HALF,
                ),
            }
        )
    return rows


def motion_rows(progress_rows: list[dict], *, approval: bool) -> list[dict]:
    """What the template draws per motion, from ``selectors.motion_progress`` rows."""
    rows = []
    for row in progress_rows:
        motion, count = row["motion"], row["count"]
        item = {
            "motion": motion,
            "quorum_met": row["participation"]["met"],
            "participation": _pair(
                f"{motion.code}-participation",
                _("参与表决"),
                row["participation"],
                _("三分之二线"),
                shares.TWO_THIRDS,
            ),
            "approval_shown": approval,
        }
        if approval:
            item["outcome"] = row["outcome"]
            item["outcome_label"] = str(OUTCOME_LABELS[row["outcome"]])
            if motion.is_election:
                names = {c.code: c.name for c in motion.candidates.all()}
                item["candidates"] = _candidates(motion, count)
                item["elected"] = [names.get(c, c) for c in count["elected"]]
                item["tie"] = count["tie"]
                item["tied"] = [names.get(c, c) for c in count["tied"]]
                item["tied_seats"] = count["tied_seats"]
            else:
                item["approval"] = _pair(
                    f"{motion.code}-approval",
                    _("同意"),
                    row["approval"],
                    _approval_caption(motion),
                    _approval_line(motion),
                )
                item["choices"] = _choice_rows(count)
        rows.append(item)
    return rows


def _choice_rows(count: dict) -> list[dict]:
    return [
        {
            "choice": choice,
            "label": str(CHOICE_LABELS[choice]),
            "heads": count[choice]["heads"],
            "area": count[choice]["area"],
        }
        for choice in counting.CHOICES
    ]


# --------------------------------------------------------------------------- pages


@action_required(VIEW)
def progress_list(request):
    """表决进度与结果: the assemblies of the areas the user may follow, newest first."""
    now = timezone.now()
    # Drafts only where the user is the convener (``_scope.assembly_in_scope``).
    assemblies = selectors.assemblies_for(request.user, VIEW).filter(
        ~Q(status=Assembly.Status.DRAFT) | Q(area__in=permissions.areas_for(request.user, CALL))
    )
    page = Paginator(assemblies, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for assembly in page:
        status = assembly.current_status(now)
        rows.append(
            {
                "assembly": assembly,
                "status": status,
                "status_label": assembly.current_status_label(now),
                "after_close": status in AFTER_CLOSE,
            }
        )
    return render(request, "voting/progress/list.html", {"page_obj": page, "rows": rows})


@action_required(VIEW)
def progress(request, pk: int):
    """The live count: overall turnout, and per motion the bars of the module docstring."""
    assembly = assembly_in_scope(request, pk)
    now = timezone.now()
    status = assembly.current_status(now)
    data = selectors.assembly_progress(assembly, now=now)
    approval = status in AFTER_CLOSE or live_approval()
    context = {
        "assembly": assembly,
        "status": status,
        "status_label": assembly.current_status_label(now),
        "open": status == Assembly.Status.OPEN,
        "after_close": status in AFTER_CLOSE,
        "approval": approval,
        "as_of": datetime_text(now),
        "data": data,
    }
    if data is not None:
        total = data["total"]
        cents = counting.area_to_cents
        context["turnout"] = _pair(
            "cast",
            _("已投票"),
            {
                "heads": _measure(data["cast"]["heads"], total["heads"], 0),
                "area": _measure(cents(data["cast"]["area"]), cents(total["area"]), 0),
            },
            "",
        )
        context["motions"] = motion_rows(data["motions"], approval=approval)
        if status == Assembly.Status.OPEN and may_call(request.user, assembly):
            # The convener's help only (issue #16): a projection moves with every ballot and
            # per-building figures narrow who voted, so nobody else sees them (RULES.md §3).
            help_data = selectors_turnout.turnout_help(assembly, now=now)
            context["convener"] = {
                "projection": projection_context(help_data),
                "buildings": group_rows(help_data["buildings"]),
            }
    return render(request, "voting/progress/progress.html", context)


@action_required(VIEW)
def results(request, pk: int):
    """The counted result (stored at the close), its signed notices, board, objections."""
    assembly = assembly_in_scope(request, pk)
    now = timezone.now()
    status = assembly.current_status(now)
    counted = assembly.result is not None
    context = {
        "assembly": assembly,
        "status": status,
        "status_label": assembly.current_status_label(now),
        "counted": counted,
        "after_close": status in AFTER_CLOSE,
        "objection_window": objections.window_open(assembly, now),
        "objection_deadline": (
            datetime_text(assembly.objection_deadline) if assembly.objection_deadline else ""
        ),
        "closed_at": datetime_text(assembly.closed_at) if assembly.closed_at else "",
    }
    if counted:
        try:
            board_verified(assembly, now=now)
        except BoardMismatch:
            # Never the stored figures of a board that fails its checks (DESIGN.md
            # "Trust anchors"): the page says so instead.
            context["failed"] = board_mismatch_message()
            return render(request, "voting/progress/results.html", context, status=409)
        stored = assembly.result
        rows = [
            selectors.motion_progress(motion, stored[motion.code])
            for motion in assembly.motions.all()
        ]
        context["motions"] = motion_rows(rows, approval=True)
        context["snapshot"] = assembly.snapshot
        listed = list(assembly.objections.all())
        context["objection_count"] = len(listed)
        context["unanswered"] = sum(1 for o in listed if not o.answered)
        context["publications"] = [
            (label, publication)
            for label, publication in (
                (_("初步结果公告"), assembly.preliminary_publication),
                (_("最终结果公告"), assembly.final_publication),
            )
            if publication is not None
        ]
    return render(request, "voting/progress/results.html", context)


@action_required(VIEW)
def attachment(request, pk: int, attachment: int):
    """An attachment of the notice, for everyone who follows the assembly (owners read the
    materials before they vote); a draft's stay with the convener (``assembly_in_scope``)."""
    return attachment_response(assembly_in_scope(request, pk), attachment)


routes = [
    path("progress/", progress_list, name="progress_list"),
    path("<int:pk>/progress/", progress, name="progress"),
    path("<int:pk>/results/", results, name="results"),
    path("<int:pk>/attachments/<int:attachment>/", attachment, name="attachment"),
    *objections.routes,
]
