"""The voting API under /api/v1/ (voting/api.py, voting/api_ballots.py)."""

from django.urls import path

from . import api, api_ballots

urlpatterns = [
    path("assemblies/", api.AssemblyListView.as_view(), name="api-assemblies"),
    path("assemblies/<int:pk>/", api.AssemblyDetailView.as_view(), name="api-assembly"),
    path(
        "assemblies/<int:pk>/motions/", api.MotionCreateView.as_view(), name="api-assembly-motions"
    ),
    path(
        "assemblies/<int:pk>/notice/", api.AssemblyNoticeView.as_view(), name="api-assembly-notice"
    ),
    path(
        "assemblies/<int:pk>/progress/",
        api_ballots.AssemblyProgressView.as_view(),
        name="api-assembly-progress",
    ),
    path(
        "assemblies/<int:pk>/cast/",
        api_ballots.AssemblyCastView.as_view(),
        name="api-assembly-cast",
    ),
    path(
        "assemblies/<int:pk>/board/",
        api_ballots.AssemblyBoardView.as_view(),
        name="api-assembly-board",
    ),
    path(
        "assemblies/<int:pk>/result/",
        api_ballots.AssemblyResultView.as_view(),
        name="api-assembly-result",
    ),
    path("ballots/mine/", api_ballots.MyBallotsView.as_view(), name="api-my-ballots"),
]
