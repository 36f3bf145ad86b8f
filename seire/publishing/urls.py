"""The analyst's publishing pages, under /publishing/."""

from django.urls import path

from seire.publishing import views

app_name = "publishing"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.detail, name="detail"),
    path("<slug:code>/prepare/", views.prepare, name="prepare"),
    path("<slug:code>/publish/", views.publish, name="publish"),
    path("<slug:code>/correct/", views.correct, name="correct"),
]
