from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "seire.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        # The organisation section registers itself the way later apps' sections do.
        from seire.catalogue import organisation  # noqa: F401
