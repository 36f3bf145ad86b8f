from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from seire import views
from seire.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("access/", include("seire.access.urls")),
    path("organisation/", include("seire.organisation.urls")),
    path("collection/", include("seire.collection.urls")),
    path("metrics/", include("seire.metrics.urls")),
    path("feedback/", include("seire.feedback.urls")),
    path("evaluation/", include("seire.evaluation.urls")),
    path("inquiries/", include("seire.inquiries.urls")),
    path("publishing/", include("seire.publishing.urls")),
    path("statistics/", include("seire.publishing.public_urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
