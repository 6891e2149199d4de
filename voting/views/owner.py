"""Owner pages of the vote and the public board (RULES.md §2–3, DESIGN.md "Public board").

The pages decide nothing: who may cast which right, whether voting is open
and what a ballot may answer are the services' decisions
(``voting.services.ballot_cast``, ``choices_clean``); the pages show their
messages. The confirmation step re-validates with the same service before
anything is stored, so a ballot is written exactly once, on "确认提交".
"""

from __future__ import annotations

import secrets

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.errors import DomainError
from core.forms import place_error
from core.guards import action_required
from core.text import join_list
from voting import ballot_panels, selectors, services
from voting.board_store import BoardMismatch, BoardNotReady, board_bytes, board_verified
from voting.forms import BallotForm
from voting.integrity import board_mismatch_error, board_mismatch_message
from voting.models import Assembly, Ballot
from voting.services.ballots import already_voted_error
from voting.services.common import not_open_error

ACTION = "ballot.cast"
VISIBLE = (
    Assembly.Status.NOTICED,
    Assembly.Status.OPEN,
    Assembly.Status.CLOSED,
    Assembly.Status.PRELIMINARY,
    Assembly.Status.FINAL,
)


def _assembly_for_owner(request, pk: int) -> Assembly:
    try:
        assembly = selectors.assembly_detail(pk)
    except Assembly.DoesNotExist:
        raise Http404 from None
    # The owner's role in the assembly's area (accounts.permissions); the frozen roll
    # then decides which rights they cast (voting.services.ballot_cast). Another area's
    # assembly, or a draft (the convener's working copy), is "not found" (STYLE.md §3).
    if (
        not permissions.can(request.user, ACTION, assembly)
        or assembly.status == Assembly.Status.DRAFT
    ):
        raise Http404
    return assembly


@action_required(ACTION)
def mine(request):
    """我的表决: assemblies of the owner's areas, with whether each of their rights voted."""
    now = timezone.now()
    rows = []
    for assembly in selectors.assemblies_for(request.user, ACTION):
        status = assembly.current_status(now)
        if status not in VISIBLE:
            continue
        rights = selectors.rights_for(request.user, assembly)
        rows.append(
            {
                "assembly": assembly,
                "status": status,
                "status_label": assembly.current_status_label(now),
                "open": status == Assembly.Status.OPEN,
                "voted": bool(rights) and all(r.ballot for r in rights),
                "any_voted": any(r.ballot for r in rights),
            }
        )
    return render(request, "voting/mine.html", {"rows": rows})


@action_required(ACTION)
@require_http_methods(["GET", "POST"])
def ballot(request, pk: int):
    """The ballot: every motion answered → review page → 确认提交 → receipt.

    Before voting opens (the notice period) the same page is for reading: every
    motion with its legal basis and threshold, the materials, the signed notice
    and the owner's share of a fund use — no answers to give yet (issue #16).
    """
    assembly = _assembly_for_owner(request, pk)
    status = assembly.current_status()
    rights = selectors.rights_for(request.user, assembly)
    open_rights = [r for r in rights if r.ballot is None]
    context = {
        "assembly": assembly,
        "rights": rights,
        # RULES.md §4: what other apps show with their motions (a fund-use motion: its
        # budget, 列支范围 and the owner's share), registered in voting.ballot_panels.
        "panels": ballot_panels.panels_for(assembly=assembly, rights=rights, user=request.user),
    }
    if status != Assembly.Status.OPEN:
        refusal = not_open_error(assembly, status)
        context["refusal"] = refusal.message
        if status == Assembly.Status.NOTICED:
            # The notice period exists so owners can read what they will decide.
            context["reading"] = list(assembly.motions.prefetch_related("candidates"))
            context["notice"] = assembly.notice_publication
        post = request.method == "POST"
        return render(
            request, "voting/ballot.html", context, status=refusal.status if post else 200
        )
    if request.method == "POST":
        voted = _voted_right(request.POST, rights, open_rights)
        if voted is not None:
            return _already_voted(request, context, voted)
    elif rights and not open_rights:
        return redirect("voting:receipt", pk=assembly.pk)
    motions = list(assembly.motions.all())
    form = BallotForm(request.POST or None, motions=motions, rights=open_rights)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        return _submitted(request, context, form, motions, open_rights)
    return render(
        request, "voting/ballot.html", context, status=400 if request.method == "POST" else 200
    )


def _submitted(request, context: dict, form: BallotForm, motions, open_rights):
    """A complete ballot: back to edit, on to the review page, or cast on 确认提交."""
    assembly = context["assembly"]
    step = request.POST.get("step", "review")
    if step == "edit":
        # Back from the review page: the ballot again, with the answers given.
        return render(request, "voting/ballot.html", context)
    choices = form.choices()
    try:
        cleaned = services.choices_clean(motions, choices, channel=Ballot.Channel.ONLINE)
        if step == "confirm":
            right = None
            if "right" in form.cleaned_data:
                right = next(r for r in open_rights if r.pk == form.cleaned_data["right"])
            services.ballot_cast(
                assembly=assembly,
                choices=cleaned,
                actor=request.user,
                right=right,
                idempotency_key=request.POST.get("key", "")[:64],
            )
            return redirect("voting:receipt", pk=assembly.pk)
    except DomainError as error:
        if error.code in {"closed", "cancelled", "not_open", "not_noticed", "already_voted"}:
            # Voting is not open (any more), or another tab voted first: no form to
            # correct, only the reason.
            context["already_voted" if error.code == "already_voted" else "refusal"] = error.message
            context.pop("form")
            return render(request, "voting/ballot.html", context, status=error.status)
        status = place_error(form, error)
        return render(request, "voting/ballot.html", context, status=status)
    context.update(
        review=_review_rows(motions, cleaned),
        key=request.POST.get("key") or secrets.token_hex(16),
        right_label=_right_label(open_rights, form.cleaned_data.get("right")),
    )
    return render(request, "voting/confirm.html", context)


def _voted_right(data, rights, open_rights):
    """The owner's right this submission is for, when that right has already voted, else None.

    A page opened before the vote (a second tab, the back button) still posts: the
    right it names, or the only right when every one of them has voted."""
    by_pk = {str(r.pk): r for r in rights}
    named = by_pk.get(str(data.get("right", "")).strip())
    if named is not None and named.ballot is not None:
        return named
    if rights and not open_rights:
        return max(rights, key=lambda r: r.ballot.seq)
    return None


def _already_voted(request, context: dict, right):
    """Say that this submission did not count (409), unless it is the very one that did.

    The review page's key travels with 确认提交; the same key again is the same
    submission repeated (a double tap, a reload), which the service replays: the
    receipt, as for the first (``voting.services.ballot_cast``)."""
    key = request.POST.get("key", "")[:64]
    if request.POST.get("step") == "confirm" and key and right.ballot.idempotency_key == key:
        return redirect("voting:receipt", pk=context["assembly"].pk)
    error = already_voted_error(right.ballot)
    context["already_voted"] = error.message
    return render(request, "voting/ballot.html", context, status=error.status)


ANSWER_LABELS = {"approve": "同意", "reject": "反对", "abstain": "弃权"}


def _review_rows(motions, cleaned: dict) -> list[dict]:
    rows = []
    for motion in motions:
        value = cleaned.get(motion.code)
        if motion.is_election and isinstance(value, list):
            names = {c.code: c.name for c in motion.candidates.all()}
            text = join_list(names[c] for c in value) or _("（未选择候选人）")
            hidden = list(value)
        else:
            text = _(ANSWER_LABELS.get(value, value))
            hidden = [value]
        rows.append({"motion": motion, "text": text, "hidden": hidden})
    return rows


def _right_label(rights, pk) -> str:
    for right in rights:
        if right.pk == pk:
            return join_list(right.unit_codes)
    return ""


@action_required(ACTION)
def receipt(request, pk: int):
    """The owner's receipts in this assembly: tracker and ballot hash, to note and look up."""
    assembly = _assembly_for_owner(request, pk)
    rights = [r for r in selectors.rights_for(request.user, assembly) if r.ballot]
    if not rights:
        return redirect("voting:ballot", pk=assembly.pk)
    receipts = [{"right": r, **selectors.receipt(r.ballot)} for r in rights]
    return render(request, "voting/receipt.html", {"assembly": assembly, "receipts": receipts})


def _public_assembly(pk: int) -> Assembly:
    assembly = Assembly.objects.filter(pk=pk).select_related("area").first()
    if assembly is None:
        raise Http404
    return assembly


def board(request, pk: int):
    """The public board JSON (gongzhi-board/1), once voting has closed; 404 before."""
    assembly = _public_assembly(pk)
    try:
        built = board_verified(assembly)
    except BoardNotReady:
        raise Http404(_("表决尚未截止，公示板尚未公开。")) from None
    except BoardMismatch:
        return JsonResponse(
            board_mismatch_error(), status=409, json_dumps_params={"ensure_ascii": False}
        )
    response = HttpResponse(board_bytes(built), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="board-{assembly.pk}.json"'
    return response


def tracker(request, pk: int):
    """Whether a tracker is on the public board, with its seq and hash — never whose it is.

    After the close a receipt is checked against the board (DESIGN.md "Trust
    anchors"): the board is built and verified first, then the ballot hash the
    owner kept (``h``, which covers ``prev`` and so the whole chain before it)
    must equal the board's.
    """
    assembly = _public_assembly(pk)
    query = (request.GET.get("t") or "").strip().lower()[:64]
    kept = (request.GET.get("h") or "").strip().lower()[:64]
    public = assembly.current_status() in {
        Assembly.Status.CLOSED,
        Assembly.Status.PRELIMINARY,
        Assembly.Status.FINAL,
    }
    entry, failed, status = None, "", 200
    if query and public:
        try:
            board = board_verified(assembly)
        except BoardNotReady:
            board = None
        except BoardMismatch:
            board, failed, status = None, board_mismatch_message(), 409
        if board is not None:
            entry = next((b for b in board["ballots"] if b["tracker"] == query), None)
    return render(
        request,
        "voting/tracker.html",
        {
            "assembly": assembly,
            "query": query,
            "kept": kept,
            "entry": entry,
            "matches": entry is not None and kept == entry["hash"],
            "failed": failed,
            "public": public,
            "board_url": reverse("voting:board", kwargs={"pk": assembly.pk}),
        },
        status=status,
    )
