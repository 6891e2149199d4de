"""Register upload pages; included from estates/urls.py under "import/" (namespace "estates")."""

from django.urls import path

from .views.importing import ImportJobView, RegisterImportView

urlpatterns = [
    path("", RegisterImportView.as_view(), name="import"),
    path("jobs/<int:pk>/", ImportJobView.as_view(), name="import_job"),
]
