from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from seire.access.admin_site import AnalystAdmin, AnalystPermissions
from seire.access.models import AuditEvent
from seire.organisation.models import Responsibility


@admin.register(AuditEvent)
class AuditEventAdmin(AnalystAdmin):
    """Read-only: the trail can be searched, never edited or deleted."""

    list_display = ["at", "actor_name", "action", "object_type", "object_id", "summary", "channel"]
    list_filter = ["action", "channel", "object_type"]
    search_fields = ["actor_name", "object_type", "object_id", "summary"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["service", "unit"]


# Accounts and the lockout records are managed by analysts, like everything else.
User = get_user_model()
for model in (User, Group, AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class UserAdmin(AnalystPermissions, auth_admin.UserAdmin):
    inlines = [ResponsibilityInline]


@admin.register(Group)
class GroupAdmin(AnalystPermissions, auth_admin.GroupAdmin):
    pass


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AnalystPermissions, axes_admin.AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class AccessLogAdmin(AnalystPermissions, axes_admin.AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(AnalystPermissions, axes_admin.AccessFailureLogAdmin):
    pass


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(AnalystAdmin):
    """Who has set up an authenticator app. The analyst removes the device of a lost phone
    (the person then sets up a new one); the secret key and its QR code are never shown."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # a device is enrolled by its owner, on the two-step sign-in page

    def has_change_permission(self, request, obj=None) -> bool:
        return False
