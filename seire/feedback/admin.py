"""The analyst's admin for routing rules (the rest of feedback has its own pages)."""

from django.contrib import admin

from seire.access.admin_site import AnalystAdmin
from seire.feedback.items import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(AnalystAdmin):
    list_display = ("__str__", "service", "unit", "theme", "min_severity", "owner", "priority",
                    "active")  # fmt: skip
    list_filter = ("active", "service", "min_severity")
    autocomplete_fields = ("unit",)
    raw_id_fields = ("owner",)
