"""Project-level views: home, health, error pages, and the DomainError view mixin."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from .errors import DomainError


class DomainErrorMixin:
    """For FormViews: a ``DomainError`` raised by the service in ``form_valid``
    becomes form errors (field errors where the error names fields), and the
    page is shown again with nothing changed (the service was transactional)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as exc:
            placed = False
            for field, message in exc.fields.items():
                if field in form.fields:
                    form.add_error(field, message)
                    placed = True
            if not placed:
                form.add_error(None, exc.message)
            return self.form_invalid(form)


def home(request):
    from accounts.home import home_actions

    return render(request, "home.html", {"actions": home_actions(request.user)})


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # Rendered without the request context: whatever broke (the database,
    # a context processor) must not break the error page too.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())
