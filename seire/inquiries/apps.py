from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "seire.inquiries"
    label = "inquiries"
    verbose_name = _("Inquiries")

    def ready(self):
        # The `inquiries` metrics source (INQ_ON_TIME counts from it).
        from seire.inquiries import sources  # noqa: F401
