from django.urls import path

from .views import manage, owner, progress, turnout

app_name = "voting"

urlpatterns = [
    path("mine/", owner.mine, name="mine"),
    path("<int:pk>/ballot/", owner.ballot, name="ballot"),
    path("<int:pk>/receipt/", owner.receipt, name="receipt"),
    path("<int:pk>/board.json", owner.board, name="board"),
    path("<int:pk>/tracker/", owner.tracker, name="tracker"),
    *manage.routes,
    *progress.routes,
    *turnout.routes,
]
