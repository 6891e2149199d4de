"""The bureau's register upload page: check (预检) or import a file, see the row report.

Thin (STYLE.md §3): the form checks the upload itself (type, size); the
service ``register_import`` checks every row and writes all or nothing. The
import runs in the request: 20,000 rows take a few seconds (bench/import_bench.py).
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from accounts.mixins import ActionRequiredMixin
from accounts.permissions import areas_for
from estates.models import ManagementArea
from estates.services.importing import register_import
from gongzhi.errors import DomainError

ACTION = "register.edit"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")
# Errors shown on the page; a file with more is almost always the wrong file.
MAX_ERRORS_SHOWN = 1000


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class RegisterUploadForm(forms.Form):
    area = AreaChoiceField(
        label=_("物业管理区域"),
        queryset=ManagementArea.objects.none(),
        empty_label=_("请选择"),
    )
    file = forms.FileField(
        label=_("台账文件"),
        help_text=_("CSV（UTF-8 或 GB18030 编码）或 XLSX，不超过 20 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_for(user, ACTION).order_by("code")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in EXTENSIONS:
            raise forms.ValidationError(
                _("只接受 .csv 或 .xlsx 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。")
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件过大（%(size).1f MB），不能超过 20 MB。")
                % {"size": upload.size / 1024 / 1024}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的。"))
        return upload


class RegisterImportView(ActionRequiredMixin, FormView):
    action = ACTION
    template_name = "estates/import.html"
    form_class = RegisterUploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        dry_run = self.request.POST.get("mode") != "import"
        try:
            report = register_import(
                area=form.cleaned_data["area"],
                data=upload.read(),
                filename=PurePath(upload.name).name,
                actor=self.request.user,
                dry_run=dry_run,
            )
        except DomainError as exc:
            # Nothing was written (the service is one transaction); say why.
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                report=report,
                area=form.cleaned_data["area"],
                errors_shown=report.errors[:MAX_ERRORS_SHOWN],
                errors_hidden=max(0, len(report.errors) - MAX_ERRORS_SHOWN),
            )
        )
