"""The shell's own pages: the home page per role and a health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from seire.access.roles import Role, scope_for
from seire.organisation.models import Responsibility

HOME_TEMPLATES = {
    Role.ANALYST: "home/analyst.html",
    Role.SERVICE_OWNER: "home/service_owner.html",
    Role.MANAGER: "home/manager.html",
    Role.PROVIDER: "home/provider.html",
}


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page of the signed-in user's widest role; staff without a role see why."""
    scope = scope_for(request.user)
    template = HOME_TEMPLATES.get(scope.primary_role, "home/no_role.html")
    responsibilities = (
        Responsibility.objects.current()
        .filter(person=request.user)
        .select_related("service", "unit")
    )
    context = {
        "responsibilities": responsibilities,
        "units": scope.entry_units().filter(provisions__isnull=False).distinct()[:50],
        "services": scope.visible_services(),
    }
    if scope.primary_role == Role.ANALYST:
        from seire.inquiries.timeliness import panel_context

        context.update(panel_context(timezone.localdate()))
    return render(request, template, context)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 with {"database": "ok"} when the database answers (for load balancers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})
