from django.urls import path

from seire.access import oidc, views

app_name = "access"

urlpatterns = [
    path("audit/", views.audit_search, name="audit"),
    path("audit/export.csv", views.audit_csv, name="audit_csv"),
    path("two-factor/setup/", views.otp_setup, name="otp_setup"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
    path("sso/login/", oidc.SeireOIDCLoginView.as_view(), name="oidc_login"),
    path("sso/callback/", oidc.SeireOIDCCallbackView.as_view(), name="oidc_callback"),
]
