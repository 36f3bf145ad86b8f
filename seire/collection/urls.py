from django.urls import path

from seire.collection import views

app_name = "collection"

REPORT = "<slug:dataset>/<int:unit>/<str:period>/"

urlpatterns = [
    path("status/", views.status_board, name="status"),
    path(REPORT, views.grid, name="grid"),
    path(REPORT + "cell/", views.cell, name="cell"),
    path(REPORT + "submit/", views.submit, name="submit"),
    path(REPORT + "approve/", views.approve, name="approve"),
    path(REPORT + "return/", views.return_for_changes, name="return"),
    path(REPORT + "reopen/", views.reopen, name="reopen"),
    path(REPORT + "comment/", views.comment, name="comment"),
]
