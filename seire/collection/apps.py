from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "seire.collection"
    label = "collection"
    verbose_name = _("Data collection")

    def ready(self):
        # The code lists of episodes are the `categories` catalogue section.
        from seire.collection import (
            catalogue,  # noqa: F401  (the `datasets` section)
            vocabulary,  # noqa: F401
        )
