from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.EventListView.as_view(), name="events"),
    path("<int:seq>/", views.EventDetailView.as_view(), name="event"),
]
