from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("areas", api.ManagementAreaViewSet, basename="area")
router.register("streets", api.StreetViewSet, basename="street")

urlpatterns = [
    *router.urls,
    # Buildings, units and "my units" (estates/api_register.py).
    path("register/", include("estates.api_register")),
]
