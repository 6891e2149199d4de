"""Public publication pages, included at the site root (gongzhi/urls.py)."""

from django.urls import path, re_path

from . import views

app_name = "publications"

# A serial looks like YQ-2026-000123 (prefix from GONGZHI_SERIAL_PREFIX).
SERIAL = r"(?P<serial>[A-Z]{1,8}-\d{4}-\d{6})"

urlpatterns = [
    path("publications/", views.publication_list, name="list"),
    path("publications/log.json", views.log_json, name="log"),
    path("publications/ca.pem", views.ca_certificate, name="ca"),
    re_path(rf"^publications/{SERIAL}/$", views.publication_detail, name="detail"),
    re_path(rf"^publications/{SERIAL}/pdf$", views.publication_download, name="download"),
    path("verify/", views.verify, name="verify_upload"),
    re_path(rf"^verify/{SERIAL}/$", views.verify, name="verify"),
]
