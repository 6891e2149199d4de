"""The convener's turnout help (issue #16): where the ⅔ lines stand, who has not voted yet.

Who: the convener only — ``assembly.call`` in the assembly's area (the
committee; the street/community officer or the bureau where the area has
none). Property-company staff, owners and everyone else get 403 (they hold
no ``assembly.call``); another area's assembly is 404. RULES.md §3: the
convener may know whether a right voted, never how — nothing here shows a
choice. Owners' names are masked (张*), phones never shown.

Pages: turnout by building and 单元 against each one's ⅔ lines with what is
still missing, the projection of the whole scope's lines at the current
pace, the list of rights not yet voted (exported as CSV for door-to-door
paper collection, each export audited), and the reminder text (confirmation
page with the text and the count; refused past the limits with 409).
"""

from __future__ import annotations

import csv
import io
import uuid

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.guards import action_required
from voting import counting, selectors_turnout, turnout
from voting.models import Assembly, TextSend, TurnoutReminder
from voting.services import turnout as reminders
from voting.services.common import local_date
from voting.services.text_sends import text_sends_progress

from .manage_common import assembly_for, form_error

CALL = "assembly.call"
PAGE_SIZE = 50


def _area(cents: int) -> str:
    return counting.cents_to_area(cents)


def group_rows(groups: list[turnout.Group]) -> list[dict]:
    return [
        {
            "name": " ".join(part for part in group.key if part) or _("（未登记楼栋）"),
            "heads": group.heads,
            "voted_heads": group.voted_heads,
            "line_heads": group.line_heads,
            "need_heads": group.need_heads,
            "area": _area(group.area),
            "voted_area": _area(group.voted_area),
            "line_area": _area(group.line_area),
            "need_area": _area(group.need_area),
            "met": group.met,
        }
        for group in groups
    ]


def _projection_text(projection: turnout.Projection) -> str:
    if projection.state == turnout.REACHED:
        return _("已达到")
    if projection.state == turnout.ON_PACE:
        return ""  # the template writes the date in the page's language
    return _("按当前速度无法在截止前达到")


def projection_context(data: dict) -> dict:
    """The whole scope's two lines at the current pace (also drawn on the progress page)."""
    heads, area = data["projection"]["heads"], data["projection"]["area"]
    whole, hundredths = data["pace"]
    return {
        "pace": f"{whole}.{hundredths:02d}",
        "heads": {
            "state": heads.state,
            "at": heads.at,
            "text": _projection_text(heads),
            "line": heads.line,
            "missing": heads.missing,
        },
        "area": {
            "state": area.state,
            "at": area.at,
            "text": _projection_text(area),
            "line": _area(area.line),
            "missing": _area(area.missing),
        },
    }


def _unvoted_sorted(rows: list[dict]) -> list[dict]:
    def key(row):
        building, stair, _cents = row["units"][0] if row["units"] else ("", "", 0)
        codes = row["unit_codes"][0] if row["unit_codes"] else ""
        return (
            turnout.natural_key(building),
            turnout.natural_key(stair),
            turnout.natural_key(codes),
        )

    for row in rows:
        row["place"] = "、".join(
            dict.fromkeys(" ".join(p for p in (b, s) if p) for b, s, _c in row["units"])
        )
        row["owner_text"] = "、".join(row["owners"]) if row["owners"] else _("开发建设单位")
        row["area_text"] = _area(row["area"])
        row["units_text"] = "、".join(row["unit_codes"])
    return sorted(rows, key=key)


class ReminderForm(forms.Form):
    key = forms.CharField(
        max_length=64, error_messages={"required": gettext_lazy("请从确认页面发送。")}
    )


def _reminders(assembly: Assembly) -> list[dict]:
    """Each reminder sent, with its round's progress from the text queue (sent/total/failed)."""
    return [
        {
            "reminder": reminder,
            "progress": text_sends_progress(
                assembly, kind=TextSend.Kind.REMINDER, round=reminder.round
            ),
        }
        for reminder in TurnoutReminder.objects.filter(assembly=assembly)
    ]


@action_required(CALL)
def turnout_page(request, pk: int):
    assembly = assembly_for(request.user, pk, CALL)
    now = timezone.now()
    data = selectors_turnout.turnout_help(assembly, now=now)
    context = {
        "assembly": assembly,
        "status": assembly.current_status(now),
        "status_label": assembly.current_status_label(now),
        "as_of": now,
        "data": data,
        "reminders": _reminders(assembly),
    }
    if data is not None:
        total = data["total"]
        unvoted = _unvoted_sorted(data["unvoted"])
        context.update(
            {
                "total_heads": total.heads,
                "total_area": _area(total.area_cents),
                "cast": {**data["cast"], "area_text": _area(data["cast"]["area"])},
                "projection": projection_context(data),
                "buildings": group_rows(data["buildings"]),
                "stairs": group_rows(data["stairs"]),
                "unvoted_count": len(unvoted),
                "page_obj": Paginator(unvoted, PAGE_SIZE).get_page(request.GET.get("page")),
                "small_scope": data["snapshot"].rights < 30,
            }
        )
    return render(request, "voting/turnout/turnout.html", context)


def _cell(value) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: keep it text.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_POST
@action_required(CALL)
def turnout_export(request, pk: int):
    """The rights not yet voted as CSV (UTF-8 with BOM, for Excel); every export audited."""
    assembly = assembly_for(request.user, pk, CALL)
    data = selectors_turnout.turnout_help(assembly)
    rows = _unvoted_sorted(data["unvoted"]) if data else []
    reminders.turnout_export_record(assembly=assembly, actor=request.user, rows=len(rows))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("序号"),
            _("房屋"),
            _("楼栋单元"),
            _("业主"),
            _("人数"),
            _("面积（m²）"),
            _("纸质表决票已收回（签收人）"),
        ]
    )
    for number, row in enumerate(rows, start=1):
        writer.writerow(
            [
                number,
                _cell(row["units_text"]),
                _cell(row["place"]),
                _cell(row["owner_text"]),
                row["heads"],
                row["area_text"],
                "",
            ]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="unvoted-{assembly.pk}-{local_date(timezone.now()):%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


@action_required(CALL)
def turnout_remind(request, pk: int):
    """GET: the text and the count, to confirm. POST: send (409 past the limits)."""
    assembly = assembly_for(request.user, pk, CALL)
    now = timezone.now()
    form = ReminderForm(request.POST or None, initial={"key": uuid.uuid4().hex})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reminders.turnout_reminder_send(
                    assembly=assembly, actor=request.user, key=form.cleaned_data["key"]
                )
            except DomainError as error:
                status = form_error(error, form)
            else:
                return redirect("voting:turnout", pk=assembly.pk)
        else:
            status = 400
    refusal = reminders.reminder_refusal(assembly, now=now)
    rights, people = (0, [])
    if refusal is None:
        rights, people = selectors_turnout.reminder_recipients(assembly)
    per_day, per_assembly = reminders.reminder_limits()
    context = {
        "assembly": assembly,
        "form": form,
        "refusal": refusal.message if refusal else "",
        "text": reminders.reminder_text(assembly),
        "rights": rights,
        "recipients": len(people),
        "per_day": per_day,
        "per_assembly": per_assembly,
        "sent_count": TurnoutReminder.objects.filter(assembly=assembly).count(),
        "open": assembly.current_status(now) == Assembly.Status.OPEN,
    }
    return render(request, "voting/turnout/remind.html", context, status=status)


routes = [
    path("<int:pk>/turnout/", turnout_page, name="turnout"),
    path("<int:pk>/turnout/export.csv", turnout_export, name="turnout_export"),
    path("<int:pk>/turnout/remind/", turnout_remind, name="turnout_remind"),
]
