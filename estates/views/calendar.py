"""The bureau's holiday calendar pages (RULES.md §2 "Periods"; ``calendar.manage``).

List of the years entered, one year's days and versions, and the entry form:
the form shows what was read from the typed notice and asks for a
confirmation before anything is stored (an entry is kept for good).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from core import calendar
from core.guards import ActionRequiredMixin
from core.holiday_text import NoticeTextError, as_text, parse
from core.models import HolidayNotice
from core.views import DomainErrorMixin

from ..selectors import calendar_warning_context
from ..services.calendar import MANAGE, holiday_notice_enter


class CalendarListView(ActionRequiredMixin, TemplateView):
    action = MANAGE
    template_name = "estates/calendar_list.html"

    def get_context_data(self, **kwargs):
        notices = HolidayNotice.objects.select_related("entered_by")
        years: dict[int, list[HolidayNotice]] = {}
        for notice in notices:
            years.setdefault(notice.year, []).append(notice)
        return super().get_context_data(
            years=sorted(years.items(), reverse=True),
            **calendar_warning_context(self.request.user),
            **kwargs,
        )


class CalendarYearView(ActionRequiredMixin, TemplateView):
    action = MANAGE
    template_name = "estates/calendar_year.html"

    def get_context_data(self, **kwargs):
        versions = list(
            HolidayNotice.objects.filter(year=kwargs["year"]).select_related("entered_by")
        )
        if not versions:
            raise Http404
        current = versions[0]
        return super().get_context_data(
            current=current,
            days=current.days.all(),
            versions=versions,
            **kwargs,
        )


class NoticeForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    notice_ref = forms.CharField(
        label=gettext_lazy("通知文号"),
        max_length=100,
        help_text=gettext_lazy("例如：国办发明电〔2026〕7号"),
    )
    published_on = forms.DateField(
        label=gettext_lazy("通知发布日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    days = forms.CharField(
        label=gettext_lazy("放假与调休日期"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "每行一段：“2027-02-05 至 2027-02-13 放假 春节”或“2027-02-14 上班 春节”。"
            "放假段包括其中的周六、周日；调休上班只能是周六或周日。"
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("更正原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("更正已录入的年度时必填。"),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if "year" in data and "days" in data:
            try:
                data["parsed"] = parse(data["days"], data["year"])
            except NoticeTextError as exc:
                for error in exc.errors:
                    self.add_error("days", error)
        return data


class CalendarEnterView(ActionRequiredMixin, DomainErrorMixin, FormView):
    """GET the form; POST once to see what was read; POST with ``confirm`` to store it."""

    action = MANAGE
    form_class = NoticeForm
    template_name = "estates/calendar_enter.html"

    def get_initial(self):
        initial = {}
        year = self.request.GET.get("year", "")
        if year.isdigit():
            initial["year"] = int(year)
            current = calendar.newest_notice(int(year))
            if current is not None:
                initial["days"] = as_text(list(current.days.all()))
                initial["notice_ref"] = current.notice_ref
                initial["published_on"] = current.published_on
        return initial

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        data = form.cleaned_data
        if not data["confirm"]:
            fields = {k: v for k, v in data.items() if k != "parsed"}
            confirm = NoticeForm(initial={**fields, "confirm": True})
            return self.render_to_response(
                self.get_context_data(form=form, preview=data["parsed"], confirm_form=confirm)
            )
        notice = holiday_notice_enter(
            actor=self.request.user,
            year=data["year"],
            notice_ref=data["notice_ref"],
            published_on=data["published_on"],
            days_text=data["days"],
            reason=data["reason"],
        )
        messages.success(
            self.request,
            _("%(year)d年节假日安排（第%(version)d版）已录入，之后计算的工作日期限按此执行。")
            % {"year": notice.year, "version": notice.version},
        )
        return redirect("estates:calendar_year", year=notice.year)

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        year = form.data.get("year") if form is not None and form.is_bound else None
        year = year or self.get_initial().get("year")
        existing = calendar.newest_notice(int(year)) if str(year or "").isdigit() else None
        return super().get_context_data(existing=existing, **kwargs)
