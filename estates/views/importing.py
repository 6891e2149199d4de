"""The bureau's register upload page and import job pages.

Thin (STYLE.md §3): the form checks the upload itself (type, size); the
service ``import_job_create`` stores the file and queues the Celery task,
which checks every row and writes all or nothing (``estates.jobs``). A
20,000-row file takes ~25 s (bench/import_bench.py), too long for a request:
the upload page answers at once with the job's page, which refreshes itself
until the job is done and then shows the row report.
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView

from accounts.permissions import areas_for
from core.errors import DomainError
from core.forms import place_error
from core.guards import ActionRequiredMixin
from estates.jobs import (
    MAX_ERRORS_KEPT,
    import_job_create,
    import_job_progress,
    import_jobs_visible,
)
from estates.models import ImportJob, ManagementArea

ACTION = "register.edit"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")
RECENT_JOBS = 20
# Seconds between two reloads of a queued or running job's page.
REFRESH_SECONDS = 2


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

    def get_context_data(self, **kwargs):
        # The report column can be large; the list needs only whether the file was good.
        jobs = (
            import_jobs_visible(self.request.user)
            .defer("report")
            .annotate(report_ok=F("report__ok"))[:RECENT_JOBS]
        )
        return super().get_context_data(jobs=jobs, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                area=form.cleaned_data["area"],
                data=upload.read(),
                filename=PurePath(upload.name).name,
                dry_run=self.request.POST.get("mode") != "import",
                actor=self.request.user,
            )
        except DomainError as exc:
            status = place_error(form, exc)
            response = self.form_invalid(form)
            response.status_code = status
            return response
        return redirect("estates:import_job", pk=job.pk)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class ImportJobView(ActionRequiredMixin, DetailView):
    """One job: status, progress, and when done the row report.

    A job of an area outside the user's ``register.edit`` scope is "not
    found", like the browse pages; a user without the action at all gets 403.
    """

    action = ACTION
    template_name = "estates/import_job.html"
    context_object_name = "job"

    def get_object(self, queryset=None):
        return get_object_or_404(import_jobs_visible(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        job: ImportJob = self.object
        context = super().get_context_data(**kwargs)
        report = job.report if job.status == ImportJob.Status.DONE else None
        context.update(
            progress=import_job_progress(job),
            refresh_seconds=REFRESH_SECONDS if job.active else None,
            report=report,
            area=job.area,
        )
        if report is not None:
            shown = report["errors"][:MAX_ERRORS_KEPT]
            context.update(
                errors_shown=shown,
                errors_total=report["errors_total"],
                errors_hidden=report["errors_total"] - len(shown),
            )
        return context
