from django.contrib import admin

from seire.access.admin_site import AnalystAdmin
from seire.organisation.models import (
    Agreement,
    Contact,
    OrgUnit,
    Partner,
    Provider,
    Responsibility,
    Service,
)


class ProviderInline(admin.TabularInline):
    model = Provider
    extra = 0
    autocomplete_fields = ["unit", "service"]


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["person", "service", "unit"]


@admin.register(OrgUnit)
class OrgUnitAdmin(AnalystAdmin):
    list_display = ["code", "name_et", "name_en", "kind", "parent", "population", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name_et", "name_en"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]
    inlines = [ProviderInline, ResponsibilityInline]


@admin.register(Service)
class ServiceAdmin(AnalystAdmin):
    list_display = ["code", "name_et", "name_en", "active"]
    search_fields = ["code", "name_et", "name_en"]
    inlines = [ProviderInline, ResponsibilityInline]


@admin.register(Provider)
class ProviderAdmin(AnalystAdmin):
    list_display = ["service", "unit", "start", "end"]
    list_filter = ["service"]
    search_fields = ["unit__name_et", "unit__code", "service__code"]
    autocomplete_fields = ["unit", "service"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AgreementInline(admin.StackedInline):
    model = Agreement
    extra = 0
    filter_horizontal = ["services"]


@admin.register(Partner)
class PartnerAdmin(AnalystAdmin):
    list_display = ["name", "kind", "registry_code", "unit"]
    list_filter = ["kind"]
    search_fields = ["name", "registry_code"]
    autocomplete_fields = ["unit"]
    inlines = [ContactInline, AgreementInline]


@admin.register(Agreement)
class AgreementAdmin(AnalystAdmin):
    list_display = ["partner", "title", "start", "end"]
    search_fields = ["partner__name", "title", "scope"]
    filter_horizontal = ["services"]


@admin.register(Contact)
class ContactAdmin(AnalystAdmin):
    list_display = ["name", "partner", "position", "email", "phone"]
    search_fields = ["name", "partner__name", "email"]


@admin.register(Responsibility)
class ResponsibilityAdmin(AnalystAdmin):
    list_display = ["person", "role", "service", "unit", "start", "end"]
    list_filter = ["role", "service"]
    search_fields = ["person__username", "person__first_name", "person__last_name"]
    autocomplete_fields = ["person", "service", "unit"]
