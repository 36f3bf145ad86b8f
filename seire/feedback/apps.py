from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "seire.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        # The `surveys` catalogue section (loaded after organisation, whose services it names).
        from seire.feedback import catalogue  # noqa: F401
