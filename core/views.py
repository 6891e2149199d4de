"""The one way a refusal reaches a page (STYLE.md §15): the form mixin, and the
project's error pages (400/403/404/500) that answer /api/ calls in the API's shape."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import DomainError
from .forms import place_error


class DomainErrorMixin:
    """For FormViews: a ``DomainError`` raised by the service in ``form_valid``
    becomes form errors (``core.forms.place_error``), and the page is shown again
    with nothing changed (the service was transactional), answering the error's
    status (400 invalid input, 409 state conflict)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as exc:
            status = place_error(form, exc)
            response = self.form_invalid(form)
            response.status_code = status
            return response


def _api(request) -> bool:
    # Programs calling /api/ get the API's error shape (core.api), never an HTML page:
    # these handlers answer what DRF never sees (a URL that resolves nowhere, a request
    # Django refuses before any view, a crash).
    return request is not None and request.path_info.startswith("/api/")


def _api_error(code: str, detail, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": str(detail), "fields": {}}, status=status)


def error_400(request, exception=None):
    # E.g. a form with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (SuspiciousOperation).
    if _api(request):
        return _api_error("bad_request", _("请求无法处理，请检查提交的内容。"), 400)
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    if _api(request):
        return _api_error("forbidden", _("您没有权限执行此操作。"), 403)
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    if _api(request):
        return _api_error("not_found", _("没有这个对象，或不在您的范围内。"), 404)
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # Rendered without the request context: whatever broke (the database,
    # a context processor) must not break the error page too.
    from django.http import HttpResponseServerError
    from django.template import loader

    if _api(request):
        return _api_error("server_error", _("服务器出错，请稍后再试。"), 500)
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
