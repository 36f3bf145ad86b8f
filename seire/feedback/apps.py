from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "seire.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        # The `surveys` catalogue section (loaded after organisation, whose services it
        # names) and the metrics engine's feedback sources (answers, invitations, items).
        from seire.feedback import api, catalogue, loop, sources  # noqa: F401
        from seire.feedback.models import Question, RoutingRule, Survey, SurveyVersion
        from seire.organisation.models import Responsibility

        # The write path reuses routing rules, owners and survey questions for a few
        # seconds; a change saved in this process drops them at once.
        for model in (RoutingRule, Responsibility):
            post_save.connect(loop.forget_routing, sender=model)
            post_delete.connect(loop.forget_routing, sender=model)
        for model in (Survey, SurveyVersion, Question):
            post_save.connect(api.forget_surveys, sender=model)
            post_delete.connect(api.forget_surveys, sender=model)
