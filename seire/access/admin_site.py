"""The admin is the analyst's tool: only analysts (and superusers) may enter it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from seire.access.audit import changes_between, record
from seire.access.roles import scope_for


class SeireAdminSite(admin.AdminSite):
    site_header = _("Seire administration")
    site_title = _("Seire")
    index_title = _("Definitions and organisation")

    def has_permission(self, request) -> bool:
        return request.user.is_active and scope_for(request.user).everything


class AnalystPermissions:
    """Model permissions come from the role, not from Django's per-model permission rows."""

    def has_module_permission(self, request) -> bool:
        return scope_for(request.user).everything

    def has_view_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).everything

    def has_add_permission(self, request) -> bool:
        return scope_for(request.user).everything

    def has_change_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).everything

    def has_delete_permission(self, request, obj=None) -> bool:
        return scope_for(request.user).everything

    # Every write through the admin is an AuditEvent.
    def save_model(self, request, obj, form, change):
        fields = [f for f in form.changed_data if "password" not in f]  # never log secrets
        before = {f: form.initial.get(f) for f in fields} if change else {}
        super().save_model(request, obj, form, change)
        after = {f: form.cleaned_data.get(f) for f in fields}
        record(
            request.user,
            "update" if change else "create",
            obj,
            channel="admin",
            changes=changes_between(before, after),
        )

    def delete_model(self, request, obj):
        record(request.user, "delete", obj, channel="admin")
        super().delete_model(request, obj)


class AnalystAdmin(AnalystPermissions, admin.ModelAdmin):
    """An admin screen for analysts; every write is audited."""
