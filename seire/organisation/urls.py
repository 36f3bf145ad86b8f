from django.urls import path

from seire.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:code>/", views.service_detail, name="service_detail"),
]
