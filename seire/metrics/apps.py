from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "seire.metrics"
    label = "metrics"
    verbose_name = _("Metrics")

    def ready(self):
        # The `metrics` and `population` catalogue sections (loaded after organisation,
        # categories and datasets, whose codes their definitions name).
        from seire.metrics import (
            catalogue,  # noqa: F401
            recompute,  # noqa: F401 (recomputes on `data_changed`)
        )
