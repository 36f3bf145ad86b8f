"""Releases and their tables are defined here (the analyst's admin); versions and cells
are made only by preparing and publishing (the publishing pages and `seire publish`)."""

from django.contrib import admin

from seire.access.admin_site import AnalystAdmin, AnalystPermissions
from seire.publishing.models import Release, ReleaseTable


class ReleaseTableInline(AnalystPermissions, admin.StackedInline):
    model = ReleaseTable
    extra = 0
    filter_horizontal = ("metrics",)

    def has_add_permission(self, request, obj=None) -> bool:  # inlines also get `obj`
        return super().has_add_permission(request)


@admin.register(Release)
class ReleaseAdmin(AnalystAdmin):
    list_display = ("code", "title_et", "planned_at", "status")
    list_filter = ("status",)
    search_fields = ("code", "title_et", "title_en")
    filter_horizontal = ("distribution",)
    inlines = [ReleaseTableInline]
    readonly_fields = ("status",)
