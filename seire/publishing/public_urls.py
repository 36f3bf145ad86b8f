"""The public statistics pages, under /statistics/ (no sign-in; embargo answers 404)."""

from django.urls import path

from seire.publishing import views_public as views

app_name = "statistics"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:code>/", views.release, name="release"),
    path("<slug:code>/v<int:number>/", views.release, name="release_version"),
    path("<slug:code>/methodology/", views.methodology, name="methodology"),
    path("<slug:code>/tables/<slug:table>/", views.table, name="table"),
    path("<slug:code>/v<int:number>/tables/<slug:table>/", views.table, name="table_version"),
    path("<slug:code>/tables/<slug:table>.<slug:fmt>", views.table_file, name="table_file"),
    path(
        "<slug:code>/v<int:number>/tables/<slug:table>.<slug:fmt>",
        views.table_file,
        name="table_version_file",
    ),
]
