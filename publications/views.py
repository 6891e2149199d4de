"""Public pages (no login): the register, one notice, verification, the log, the CA.

Only issuing from the web needs a login (``publication.issue``, with TOTP).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions

from . import selectors, services, signing
from .models import Kind, Publication

MAX_UPLOAD = 30 * 1024 * 1024
PAGE_SIZE = 30


class FilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    area = forms.ChoiceField(label=gettext_lazy("物业管理区域"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("类别"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = (
            Publication.objects.filter(area__isnull=False)
            .order_by("area__code")
            .values_list("area__code", "area__name")
            .distinct()
        )
        self.fields["area"].choices = [("", _("全部区域"))] + [
            (code, f"{name}（{code}）") for code, name in areas
        ]
        self.fields["kind"].choices = [("", _("全部类别")), *Kind.choices]


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("选择要核验的 PDF 文件"),
        help_text=gettext_lazy("文件只用于本次核验，不会被保存。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件太大（超过 30 MB），不可能是本平台发布的公示。"))
        return upload


@require_GET
def publication_list(request):
    form = FilterForm(request.GET or None)
    filters = {"area_code": "", "kind": "", "query": ""}
    if form.is_valid():
        filters = {
            "area_code": form.cleaned_data["area"],
            "kind": form.cleaned_data["kind"],
            "query": form.cleaned_data["q"],
        }
    page = Paginator(selectors.publication_list(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publications/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_issue": permissions.can(request.user, "publication.issue"),
        },
    )


def _get_or_404(serial: str):
    publication = selectors.publication_get(serial)
    if publication is None:
        raise Http404(_("没有编号为 %(serial)s 的公示。") % {"serial": serial})
    return publication


@require_GET
def publication_detail(request, serial: str):
    publication = _get_or_404(serial)
    return render(
        request,
        "publications/detail.html",
        {
            "publication": publication,
            "chain": selectors.supersession_chain(publication),
            "verify_url": services.verify_url(publication.serial),
        },
    )


@require_GET
def publication_download(request, serial: str):
    publication = _get_or_404(serial)
    return FileResponse(
        publication.file.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=f"{publication.serial}.pdf",
    )


@require_http_methods(["GET", "POST"])
def verify(request, serial: str = ""):
    publication = None
    if serial:
        publication = selectors.publication_get(serial)
        if publication is None:
            return render(
                request,
                "publications/verify.html",
                {"serial": serial, "form": VerifyForm(), "not_found": True},
                status=404,
            )
    result = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            result = selectors.publication_verify_file(data=data, serial=serial)
            form = VerifyForm()
    else:
        form = VerifyForm()
    return render(
        request,
        "publications/verify.html",
        {
            "serial": serial,
            "publication": publication,
            "chain": selectors.supersession_chain(publication) if publication else [],
            "form": form,
            "result": result,
        },
    )


@require_GET
def log_json(request):
    return JsonResponse(selectors.log_document(), json_dumps_params={"ensure_ascii": False})


@require_GET
def ca_certificate(request):
    pem = signing.ca_pem()
    if not pem:
        raise Http404(_("本平台尚未生成签章根证书。"))
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="gongzhi-ca.pem"'
    return response
