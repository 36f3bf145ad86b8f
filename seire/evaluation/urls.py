from django.urls import path

from seire.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.impact_report, name="impact"),
    path("plans/<int:pk>/lock/", views.plan_lock, name="plan_lock"),
    path("ux/<slug:service>/", views.ux_report, name="ux"),
]
