"""An app only so that Django finds the `seire disclosure` command; the library is pure."""

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "seire.disclosure"
    label = "disclosure"
    verbose_name = "Disclosure control"
