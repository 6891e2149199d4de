"""Public-revenue API routes; the project includes them under ``/api/v1/``."""

from django.urls import path

from . import api

urlpatterns = [
    path("revenue/areas/<str:code>/entries/", api.AreaEntryList.as_view(), name="revenue-entries"),
]
