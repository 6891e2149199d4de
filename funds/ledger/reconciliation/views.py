"""Bank reconciliation and annual statement pages (RULES.md §4 "Publication", Order 165 art. 30).

Thin (STYLE.md §3). Who:

- reading the reconciliation reports and the annual statement of an area:
  ``fund.view_area`` (committee, street and community officers, the bureau),
  within their scope — any other area is a 404;
- importing a bank statement: ``payment.confirm`` (the bureau's reviewer).
  The upload is checked and its difference report shown first; nothing is
  stored until the reviewer confirms. The file travels from the check to
  the confirmation inside a signed, time-limited token (zlib + base64 +
  ``django.core.signing``), so what is stored is exactly what was shown;
- publishing the annual statement: ``publication.issue`` (approver/admin, TOTP).
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import date
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from core.errors import Conflict, DomainError, PermissionDeniedError
from core.forms import place_error
from core.guards import action_required
from funds.ledger import figures as statements
from funds.ledger.services import statements as statement_services

from . import bankcsv
from . import selectors as selectors_reconciliation
from .models import BankStatement
from .services import BankFileError, bank_statement_check, bank_statement_import

VIEW = "fund.view_area"
IMPORT = "payment.confirm"
PUBLISH = "publication.issue"
PAGE_SIZE = 50
UNITS_PAGE_SIZE = 100
# A namespace for django.core.signing (not a secret: SECRET_KEY is).
UPLOAD_SALT = "funds.reconciliation.upload"
TOKEN_MAX_AGE = 60 * 60  # seconds: an hour to read the report and confirm
EXTENSIONS = (".csv", ".txt")


def _area(request, action: str, code: str):
    area = permissions.areas_for(request.user, action).filter(code=code).first()
    if area is None:
        raise Http404
    return area


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("银行对账单文件"),
        help_text=gettext_lazy(
            "CSV（UTF-8 或 GB18030 编码），不超过 5 MB；格式见《维修资金对账与年度公示》说明。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )
    period_start = forms.DateField(
        label=gettext_lazy("对账单起始日期"),
        required=False,
        help_text=gettext_lazy("可不填：默认为第一笔交易的日期。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=gettext_lazy("对账单截止日期"),
        required=False,
        help_text=gettext_lazy("可不填：默认为最后一笔交易的日期。对年末的账，请填 12 月 31 日。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(_("只接受 .csv 文件（请从网银导出为 CSV）。"))
        if upload.size > bankcsv.MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大（%(size).1f MB），不能超过 5 MB；请按月份分开导出。")
                % {"size": upload.size / 1024 / 1024}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的。"))
        return upload


def _token(area_code: str, name: str, data: bytes, start: date, end: date) -> str:
    payload = {
        "area": area_code,
        "name": name,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "data": base64.b64encode(zlib.compress(data, 9)).decode("ascii"),
    }
    return signing.TimestampSigner(salt=UPLOAD_SALT).sign(json.dumps(payload))


def _untoken(token: str, area_code: str) -> dict:
    try:
        payload = json.loads(
            signing.TimestampSigner(salt=UPLOAD_SALT).unsign(token, max_age=TOKEN_MAX_AGE)
        )
    except signing.SignatureExpired:
        raise Conflict("expired", _("确认已超时（1 小时），请重新上传对账单。")) from None
    except (signing.BadSignature, ValueError):
        raise DomainError("bad_token", _("确认信息无效，请重新上传对账单。")) from None
    if payload.get("area") != area_code:
        raise DomainError("bad_token", _("确认信息无效，请重新上传对账单。"))
    payload["data"] = zlib.decompress(base64.b64decode(payload["data"]))
    return payload


def _area_context(request, area, *, form=None, file_errors=None):
    page = Paginator(selectors_reconciliation.statements_of(area), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_import = permissions.can(request.user, IMPORT, area)
    return {
        "area": area,
        "page_obj": page,
        "form": form if form is not None else (StatementUploadForm() if can_import else None),
        "file_errors": file_errors,
        "years": statements.statement_years(area),
        "today": timezone.localdate(),
    }


@action_required(VIEW)
def index(request):
    """The areas whose fund the user oversees, with their latest bank statement."""
    found = permissions.areas_for(request.user, VIEW).order_by("code")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = {}
    for statement in BankStatement.objects.filter(area__in=list(page.object_list)).order_by(
        "area_id", "-end_date", "-pk"
    ):
        latest.setdefault(statement.area_id, statement)
    rows = [{"area": area, "latest": latest.get(area.pk)} for area in page.object_list]
    return render(request, "funds/reconciliation/index.html", {"page_obj": page, "rows": rows})


@action_required(VIEW)
def area_page(request, code: str):
    """One area: its imported statements, the upload form (bureau reviewer) and the years."""
    area = _area(request, VIEW, code)
    return render(request, "funds/reconciliation/area.html", _area_context(request, area))


@require_POST
@action_required(IMPORT)
def upload(request, code: str):
    """Check an uploaded statement and show its difference report; nothing is stored yet."""
    area = _area(request, IMPORT, code)
    form = StatementUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "funds/reconciliation/area.html", _area_context(request, area, form=form)
        )
    try:
        check = bank_statement_check(
            area=area,
            file=form.cleaned_data["file"],
            actor=request.user,
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"],
        )
    except BankFileError as exc:
        return render(
            request,
            "funds/reconciliation/area.html",
            _area_context(request, area, form=form, file_errors=exc),
            status=400,
        )
    except DomainError as exc:
        return render(
            request,
            "funds/reconciliation/area.html",
            _area_context(request, area, form=form),
            status=place_error(form, exc),
        )
    return render(
        request,
        "funds/reconciliation/confirm.html",
        {
            "area": area,
            "check": check,
            "parsed": check.parsed,
            "report": check.report,
            "token": _token(area.code, check.filename, check.data, check.start, check.end),
        },
    )


@require_POST
@action_required(IMPORT)
def confirm(request, code: str):
    """Store the statement the reviewer has just checked."""
    area = _area(request, IMPORT, code)
    try:
        payload = _untoken(request.POST.get("token", ""), area.code)
        statement = bank_statement_import(
            area=area,
            file=_NamedBytes(payload["name"], payload["data"]),
            actor=request.user,
            period_start=date.fromisoformat(payload["start"]),
            period_end=date.fromisoformat(payload["end"]),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("funds_reconciliation:area", code=area.code)
    messages.success(
        request,
        _("已导入对账单（%(start)s至%(end)s，%(n)d 笔）。")
        % {"start": statement.start_date, "end": statement.end_date, "n": statement.line_count},
    )
    return redirect("funds_reconciliation:detail", code=area.code, pk=statement.pk)


class _NamedBytes:
    """The confirmed file as the service reads an upload (name and bytes)."""

    def __init__(self, name: str, data: bytes):
        self.name = name
        self._data = data

    def read(self, size: int = -1) -> bytes:
        return self._data if size < 0 else self._data[:size]


@action_required(VIEW)
def detail(request, code: str, pk: int):
    """An imported statement's difference report, against the ledger as it is now."""
    area = _area(request, VIEW, code)
    statement = get_object_or_404(
        BankStatement.objects.select_related("imported_by"), pk=pk, area=area
    )
    return render(
        request,
        "funds/reconciliation/detail.html",
        {
            "area": area,
            "statement": statement,
            "report": selectors_reconciliation.statement_report(statement),
            "lines": statement.lines.order_by("seq"),
        },
    )


@require_http_methods(["GET", "POST"])
@action_required(VIEW)
def annual(request, code: str, year: int):
    """The annual statement of a year as the notice will show it, and (approver) publishing it."""
    area = _area(request, VIEW, code)
    if not statement_services.FIRST_YEAR <= year <= 9999:
        raise Http404
    can_publish = permissions.can(request.user, PUBLISH, area)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            statement = statement_services.statement_publish(
                area=area,
                year=year,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
        except PermissionDeniedError as exc:
            if exc.code != "otp_required":
                raise PermissionDenied from None
            error, status = exc.message, 403
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(
                request,
                _("已发布 %(serial)s。") % {"serial": statement.publication.serial},
            )
            return redirect("funds_reconciliation:annual", code=area.code, year=year)
    data = statements.area_statement(area, year)
    units = Paginator(data["units"], UNITS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/reconciliation/annual.html",
        {
            "area": area,
            "year": year,
            "data": data,
            "units_page": units,
            "page_obj": units,
            "current": statement_services.current_statement(area, year),
            "can_publish": can_publish,
            "year_over": year < timezone.localdate().year,
            "error": error,
        },
        status=status,
    )
