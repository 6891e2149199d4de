from django.urls import path

from . import views

app_name = "voting"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/ballot/", views.ballot, name="ballot"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/board.json", views.board, name="board"),
    path("<int:pk>/tracker/", views.tracker, name="tracker"),
]
