"""Bank reconciliation and annual statement pages (RULES.md §4 "Publication").

Mounted by gongzhi/urls.py at ``funds/reconciliation/`` (namespace ``funds_reconciliation``).
"""

from django.urls import path

from . import views

app_name = "funds_reconciliation"
urlpatterns = [
    # fund.view_area (committee, officers, bureau) within their scope.
    path("", views.index, name="index"),
    path("<str:code>/", views.area_page, name="area"),
    path("<str:code>/statements/<int:pk>/", views.detail, name="detail"),
    # payment.confirm (bureau reviewer): check the file, then confirm the import.
    path("<str:code>/upload/", views.upload, name="upload"),
    path("<str:code>/confirm/", views.confirm, name="confirm"),
    # The annual statement; POST publishes it (publication.issue, after TOTP).
    path("<str:code>/annual/<int:year>/", views.annual, name="annual"),
]
