from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "seire.access"
    label = "access"
    verbose_name = _("Access and audit")
    default = True

    def ready(self) -> None:
        from seire.access import signals  # noqa: F401  (connects the audit receivers)


class SeireAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "seire.access.admin_site.SeireAdminSite"
