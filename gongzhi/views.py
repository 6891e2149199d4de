"""Project-level views: the home page and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from accounts.home import home_actions


def home(request):
    return render(request, "home.html", {"actions": home_actions(request.user)})


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
