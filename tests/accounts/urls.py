"""The site's URLs plus one page guarded by ActionRequiredMixin (``@pytest.mark.urls``)."""

from django.http import HttpResponse
from django.urls import path
from django.views import View

from core.guards import ActionRequiredMixin
from gongzhi.urls import handler403, handler404, handler500
from gongzhi.urls import urlpatterns as site_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


class ApprovePage(ActionRequiredMixin, View):
    action = "application.approve"

    def get(self, request):
        return HttpResponse("approve page")


urlpatterns = [
    path("test/approve/", ApprovePage.as_view(), name="approve_page"),
    *site_urlpatterns,
]
