"""The register's pages (RULES.md §1, §8). The import pages live in ``estates.urls_import``."""

from django.urls import include, path

from .views import annex, area_register, browse, calendar, records

app_name = "estates"
urlpatterns = [
    # Browsing (register.view), owners' own units (register.own_units).
    path("", browse.IndexView.as_view(), name="index"),
    path("search/", browse.SearchView.as_view(), name="search"),
    path("streets/<str:code>/", browse.StreetView.as_view(), name="street"),
    path("communities/<str:code>/", browse.CommunityView.as_view(), name="community"),
    path("areas/<str:code>/", browse.AreaView.as_view(), name="area"),
    path("buildings/<int:pk>/", browse.BuildingView.as_view(), name="building"),
    path("units/<int:pk>/", browse.UnitView.as_view(), name="unit"),
    path("my-units/", browse.MyUnitsView.as_view(), name="my_units"),
    # Records kept by the bureau (register.edit).
    path("areas/<str:code>/edit/", records.AreaEditView.as_view(), name="area_edit"),
    path(
        "areas/<str:code>/committees/new/",
        records.CommitteeCreateView.as_view(),
        name="committee_create",
    ),
    path("committees/<int:pk>/", records.CommitteeView.as_view(), name="committee"),
    path("committees/<int:pk>/edit/", records.CommitteeEditView.as_view(), name="committee_edit"),
    path("committees/<int:pk>/members/new/", records.MemberAddView.as_view(), name="member_add"),
    path("members/<int:pk>/edit/", records.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/remove/", records.MemberRemoveView.as_view(), name="member_remove"),
    path("companies/", records.CompanyListView.as_view(), name="companies"),
    path("companies/new/", records.CompanyCreateView.as_view(), name="company_create"),
    path("companies/<int:pk>/edit/", records.CompanyEditView.as_view(), name="company_edit"),
    # Annex 1 and the dashboard (oversee).
    path("annex1/", annex.Annex1View.as_view(), name="annex1"),
    path("annex1/download/", annex.Annex1DownloadView.as_view(), name="annex1_download"),
    path("dashboard/", annex.DashboardView.as_view(), name="dashboard"),
    # The annex-1 entry of one area as a signed notice (publication.issue).
    path(
        "area-register/issue/",
        area_register.issue_area_register,
        name="issue_area_register",
    ),
    # The holiday calendar the bureau keeps (calendar.manage).
    path("calendar/", calendar.CalendarListView.as_view(), name="calendar"),
    path("calendar/new/", calendar.CalendarEnterView.as_view(), name="calendar_enter"),
    path("calendar/<int:year>/", calendar.CalendarYearView.as_view(), name="calendar_year"),
    # Register import by upload (bureau).
    path("import/", include("estates.urls_import")),
]
