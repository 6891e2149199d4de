"""Paper and proxy ballots entered by the committee, and the bureau's trace (RULES.md §3).

Entry runs in three steps: find the voting right by a unit code on the sheet
(``selectors.right_by_unit``, on the frozen roll); enter the sheet as it is
marked; review it, attach the scan (and, for a proxy, the written
authorisation) and confirm. Only the confirmation calls the service
(``ballot_enter_paper`` / ``ballot_enter_proxy``), which decides everything:
voting open, the right not voted yet (online or otherwise), the files. The
files are attached on the review step so that nothing uploaded has to be kept
between requests; the review carries an idempotency key, so a double tap on
"确认录入" stores one ballot.

Secrecy (RULES.md §3): these pages tell the committee whether a right has
voted, never when or how — cast times in seq order would map units to the
public board's ballots. The unit↔ballot mapping is the bureau's alone
(``ballot.trace``), and every look behind a tracker is audited by the service.
"""

from __future__ import annotations

import mimetypes
import secrets

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.guards import action_required
from core.text import join_list
from core.upload_drafts import UploadDraft
from voting import selectors, services
from voting.forms_manage import (
    ANSWER_TEXT,
    PaperFilesForm,
    ProxyFilesForm,
    SheetForm,
    TraceForm,
    UnitSearchForm,
)
from voting.models import Assembly, Ballot, VotingRight
from voting.services.common import not_open_error

from .manage_common import ENTER, TRACE, assembly_for, form_error, refusal

PAPER, PROXY = Ballot.Channel.PAPER, Ballot.Channel.PROXY
# Refusals that no correction of the sheet can cure: the page says so instead of the form.
FINAL_REFUSALS = {"closed", "cancelled", "not_open", "not_noticed"}


def _voted(assembly: Assembly, right: VotingRight) -> bool:
    return not selectors.unvoted_rights(assembly).filter(pk=right.pk).exists()


def _already_voted() -> str:
    # Neither when nor how: the module docstring's secrecy rule. (The services' own
    # message gives the moment of the online ballot, written for its owner.)
    return _("该表决权已经投票，投票后不能更改，不能再录入纸质表决票或委托投票。")


def _not_open(assembly: Assembly) -> str:
    status = assembly.current_status()
    if status != Assembly.Status.OPEN:
        return not_open_error(assembly, status).message
    if assembly.status == Assembly.Status.NOTICED:
        # Open by the clock, roll not frozen yet: the rights to look up do not exist.
        return _("表决时间已到，但表决名册尚未冻结：请先在会议页面“开启表决”。")
    return ""


@action_required(ENTER)
def ballot_find(request, pk: int):
    """Step 1: the voting right of the unit on the sheet, and whether it has voted."""
    assembly = assembly_for(request.user, pk, ENTER)
    context = {"assembly": assembly, "refusal": _not_open(assembly)}
    form = UnitSearchForm(request.GET or None)
    context["form"] = form
    if not context["refusal"] and form.is_valid():
        right = selectors.right_by_unit(assembly, form.cleaned_data["unit"])
        if right is None:
            form.add_error(
                "unit",
                _("表决名册中没有房屋“%(unit)s”。请核对表决票上的房屋编码。")
                % {"unit": form.cleaned_data["unit"]},
            )
        else:
            context.update(right=right, voted=_voted(assembly, right))
    return render(request, "voting/manage/ballots.html", context)


def _right_for(assembly: Assembly, right_pk: int) -> VotingRight:
    right = VotingRight.objects.filter(assembly=assembly, pk=right_pk).first()
    if right is None:
        raise Http404
    return right


def _entry(request, pk: int, right_pk: int, channel: str):
    """Steps 2 and 3 of a paper (``channel`` paper) or proxy ballot; see the module docstring."""
    assembly = assembly_for(request.user, pk, ENTER)
    right = _right_for(assembly, right_pk)
    proxy = channel == PROXY
    motions = list(assembly.motions.all())
    step = request.POST.get("step", "") if request.method == "POST" else ""
    sheet = SheetForm(request.POST if step else None, motions=motions, proxy=proxy)
    files_class = ProxyFilesForm if proxy else PaperFilesForm
    # The scan and the authorisation survive a page shown again (core.upload_drafts).
    uploads = UploadDraft(
        request,
        form=f"voting.{channel}:{assembly.pk}:{right.pk}",
        fields=list(files_class.base_fields),
    )
    files = files_class(request.POST, uploads.files()) if step == "confirm" else files_class()
    context = {
        "uploads": uploads,
        "assembly": assembly,
        "right": right,
        "channel": channel,
        "channel_label": Ballot.Channel(channel).label,
        "sheet": sheet,
        "files": files,
    }

    def page(template: str, status: int):
        return render(request, f"voting/manage/{template}.html", context, status=status)

    if step != "confirm":
        # Before anything is typed in, a right that cannot take a ballot says so. The
        # confirmation always goes to the service, which decides (and may refuse) itself.
        why = _not_open(assembly) or (_already_voted() if _voted(assembly, right) else "")
        if why:
            context["refusal"] = why
            return page("entry", 409 if step else 200)
    if not step:
        return page("entry", 200)
    if not sheet.is_valid():
        return page("entry", 400)
    if step == "edit":
        # Back from the review: the sheet again, as entered.
        return page("entry", 200)
    try:
        # The review shows the sheet as the service will store it, or the service's objection.
        cleaned = services.choices_clean(motions, sheet.choices(), channel=channel)
    except DomainError as error:
        return page("entry", form_error(error, sheet))
    context.update(review=_review(motions, sheet), key=request.POST.get("key") or "")
    if step != "confirm" or not files.is_valid():
        context["key"] = context["key"] or secrets.token_hex(16)
        return page("entry_review", 200 if step != "confirm" else 400)
    entered = {
        "assembly": assembly,
        "right": right,
        "choices": cleaned,
        "actor": request.user,
        "idempotency_key": context["key"][:64],
        "scan": files.cleaned_data["scan"],
    }
    try:
        if proxy:
            services.ballot_enter_proxy(
                authorisation=files.cleaned_data["authorisation"],
                proxy_name=sheet.cleaned_data["proxy_name"],
                **entered,
            )
        else:
            services.ballot_enter_paper(**entered)
    except DomainError as error:
        if error.code == "already_voted":
            # The service's message names the moment the right voted; see _already_voted.
            context["refusal"] = _already_voted()
            return page("entry", error.status)
        if error.code in FINAL_REFUSALS:
            context["refusal"] = refusal(error)
            return page("entry", error.status)
        if any(name in sheet.fields for name in error.fields):
            return page("entry", form_error(error, sheet))
        return page("entry_review", form_error(error, files))
    uploads.attached()
    messages.success(
        request,
        _("已录入%(units)s的%(channel)s。业主登录后可在“我的表决”查看投票凭证号。")
        % {"units": right.label, "channel": context["channel_label"]},
    )
    return redirect("voting:manage_ballots", pk=assembly.pk)


def _review(motions, sheet: SheetForm) -> list[dict]:
    """Each motion as entered: the words shown, and the raw values carried to the confirmation."""
    rows = []
    for motion in motions:
        value = sheet.cleaned_data.get(motion.code)
        if motion.is_election:
            candidates = {c.code: c.name for c in motion.candidates.all()}
            words = {**candidates, **ANSWER_TEXT}
            text = join_list(str(words[v]) for v in value) if value else str(ANSWER_TEXT[""])
            if sum(1 for v in value if v in candidates) > motion.seats:
                # Kept as marked (voting.services.choices_clean); voting.counting spoils it.
                text += _("（超过应选名额，计为无效票）")
            hidden = list(value)
        else:
            text, hidden = str(ANSWER_TEXT.get(value or "", value)), [value or ""]
        rows.append({"motion": motion, "text": text, "hidden": hidden})
    return rows


@action_required(ENTER)
@require_http_methods(["GET", "POST"])
def paper_entry(request, pk: int, right: int):
    return _entry(request, pk, right, PAPER)


@action_required(ENTER)
@require_http_methods(["GET", "POST"])
def proxy_entry(request, pk: int, right: int):
    return _entry(request, pk, right, PROXY)


# --------------------------------------------------------------------------- trace


def _trace_form(request, data=None) -> TraceForm:
    assemblies = selectors.assemblies_for(request.user, TRACE).filter(ballots_cast__gt=0)
    initial = {"assembly": request.GET.get("assembly")} if request.GET.get("assembly") else None
    return TraceForm(data, assemblies=assemblies, initial=initial)


@action_required(TRACE)
@require_http_methods(["GET", "POST"])
def ballot_trace(request):
    """Bureau only, for disputes: which right cast the ballot with this tracker (audited)."""
    form = _trace_form(request, request.POST or None)
    traced, status = None, 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST":
        try:
            traced = services.ballot_trace(
                actor=request.user,
                assembly=form.cleaned_data["assembly"],
                tracker=form.cleaned_data["tracker"],
            )
        except DomainError as error:
            if error.code == "not_found":
                # The service names no field; the tracker typed is what was not found.
                form.add_error("tracker", error.message)
                status = error.status
            else:
                status = form_error(error, form)
    return render(
        request,
        "voting/manage/trace.html",
        {
            "form": form,
            "traced": traced,
            "channel_label": Ballot.Channel(traced["channel"]).label if traced else "",
        },
        status=status,
    )


@action_required(TRACE)
@require_POST
def trace_file(request):
    """The scan or the authorisation behind a traced ballot; traced (and audited) again."""
    form = _trace_form(request, request.POST)
    which = request.POST.get("file")
    if which not in ("scan", "authorisation") or not form.is_valid():
        raise Http404
    try:
        traced = services.ballot_trace(
            actor=request.user,
            assembly=form.cleaned_data["assembly"],
            tracker=form.cleaned_data["tracker"],
        )
    except DomainError as error:
        refusal(error)
        raise Http404 from None
    name = traced[which]
    if not name:
        raise Http404
    storage = Ballot._meta.get_field(which).storage
    extension = name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        storage.open(name, "rb"),
        content_type=mimetypes.types_map.get(f".{extension}", "application/octet-stream"),
        as_attachment=True,
        filename=f"{traced['tracker']}-{which}.{extension}",
    )


routes = [
    path("manage/<int:pk>/ballots/", ballot_find, name="manage_ballots"),
    path("manage/<int:pk>/ballots/<int:right>/paper/", paper_entry, name="manage_paper"),
    path("manage/<int:pk>/ballots/<int:right>/proxy/", proxy_entry, name="manage_proxy"),
    path("manage/trace/", ballot_trace, name="manage_trace"),
    path("manage/trace/file/", trace_file, name="manage_trace_file"),
]
