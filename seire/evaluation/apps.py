from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "seire.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        # The `instruments` catalogue section (loaded after categories, whose scales it checks).
        from seire.evaluation import catalogue  # noqa: F401
