"""API routes of emergency repairs (read only). The lead mounts them under ``api/v1/`` with
``path("", include("emergency.api_urls"))``; the pages' names live in the ``emergency``
namespace, these are global (``emergency-whitelist``, ``emergency-application-list`` …)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("emergency/applications", api.ApplicationViewSet, basename="emergency-application")

urlpatterns = [
    path("emergency/whitelist/", api.WhitelistView.as_view(), name="emergency-whitelist"),
    *router.urls,
]
