from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from seire.access.roles import get_service_for_user, get_unit_for_user, scope_for
from seire.organisation.models import Provider, Responsibility


def _staff_scope(request: HttpRequest):
    scope = scope_for(request.user)
    if not scope.is_staff_member:
        raise PermissionDenied
    return scope


@require_GET
@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """The units the user may see, as an indented tree."""
    scope = _staff_scope(request)
    units = scope.visible_units().select_related("parent")
    return render(request, "organisation/unit_list.html", {"units": units})


@require_GET
@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    context = {
        "unit": unit,
        "ancestors": unit.ancestors(),
        "children": unit.children.all(),
        "provisions": unit.provisions.select_related("service"),
        "responsibilities": unit.responsibilities.current().select_related("person", "service"),
        "can_edit": scope_for(request.user).can_edit_unit(unit),
    }
    return render(request, "organisation/unit_detail.html", context)


@require_GET
@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    scope = _staff_scope(request)
    return render(request, "organisation/service_list.html", {"services": scope.visible_services()})


@require_GET
@login_required
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = get_service_for_user(request.user, code)
    scope = scope_for(request.user)
    providers = Provider.objects.filter(service=service, unit__in=scope.visible_units())
    owners = service.responsibilities.current().filter(role=Responsibility.Role.SERVICE_OWNER)
    context = {
        "service": service,
        "providers": providers.select_related("unit"),
        "owners": owners.select_related("person"),
    }
    return render(request, "organisation/service_detail.html", context)
