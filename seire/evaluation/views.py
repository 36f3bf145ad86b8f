"""Evaluation pages: the analysis plans, the impact report of a locked plan and the
user-experience report of a service; each report also as a PDF (`?format=pdf`).

Reports are for the analyst, managers and the owners of the service (owners see their own
services only); providers and people without a role get 403. Every view of a report is
audited. Plans are written and locked by the analyst.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seire import periods
from seire.access.audit import record
from seire.access.roles import Role, Scope, scope_for
from seire.evaluation import reports
from seire.evaluation.forms import PlanForm
from seire.evaluation.models import AnalysisPlan
from seire.organisation.models import OrgUnit, Service


def can_read(scope: Scope, service: Service | None) -> bool:
    """Whether a report of `service` (None: all services) is this user's to read."""
    if scope.everything or Role.MANAGER in scope.roles:
        return True
    return service is not None and service.pk in scope.owned_services


def _reader(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not (scope.everything or Role.MANAGER in scope.roles or scope.owned_services):
        raise PermissionDenied
    return scope


def get_plan_for_user(user, pk: int) -> AnalysisPlan:
    """The plan `pk` if `user` may read its report; 404/403 otherwise."""
    plan = get_object_or_404(AnalysisPlan.objects.select_related("service", "instrument"), pk=pk)
    if not can_read(scope_for(user), plan.service):
        raise PermissionDenied
    return plan


def get_report_service_for_user(user, code: str) -> Service:
    scope = scope_for(user)
    if not (scope.everything or Role.MANAGER in scope.roles or scope.owned_services):
        raise PermissionDenied
    service = get_object_or_404(Service, code=code)
    if not can_read(scope, service):
        raise PermissionDenied
    return service


def _lang() -> str:
    return reports.language(get_language())


def _respond(request, template: str, context: dict, filename: str) -> HttpResponse:
    if request.GET.get("format") == "pdf":
        from seire.pdf import render_pdf  # WeasyPrint loads Pango: only PDFs need it

        response = HttpResponse(
            render_pdf(template, context, request), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        return response
    return render(request, template, context)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = _reader(request)
    if request.GET.get("service"):
        # The user-experience form: go to the chosen service's report (works without JS).
        query = {k: request.GET[k] for k in ("period", "unit") if request.GET.get(k)}
        try:
            url = reverse("evaluation:ux", args=[request.GET["service"]])
        except NoReverseMatch:
            raise Http404 from None
        return redirect(f"{url}?{urlencode(query)}" if query else url)
    plans = AnalysisPlan.objects.select_related("service", "instrument")
    if not (scope.everything or Role.MANAGER in scope.roles):
        plans = plans.filter(service__in=scope.owned_services)
    services = Service.objects.order_by("code")
    if not (scope.everything or Role.MANAGER in scope.roles):
        services = services.filter(pk__in=scope.owned_services)
    return render(
        request,
        "evaluation/index.html",
        {"plans": plans, "services": services, "can_plan": scope.everything},
    )


@require_http_methods(["GET", "POST"])
@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).everything:
        raise PermissionDenied
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.created_by = request.user
        plan.instrument_version = plan.instrument.version
        plan.save()
        record(request.user, "create", plan)
        messages.success(request, _("The plan was saved. Lock it before running its report."))
        return redirect("evaluation:impact", pk=plan.pk)
    return render(request, "evaluation/plan_form.html", {"form": form})


@require_POST
@login_required
def plan_lock(request: HttpRequest, pk: int) -> HttpResponse:
    if not scope_for(request.user).everything:
        raise PermissionDenied
    plan = get_object_or_404(AnalysisPlan, pk=pk)
    if not plan.locked:
        plan.lock(request.user)
        record(
            request.user,
            "update",
            plan,
            summary=f"locked: {plan.title}"[:300],
            changes={"locked_at": [None, plan.locked_at.isoformat()]},
        )
        messages.success(request, _("The plan is locked; its report can be run."))
    return redirect("evaluation:impact", pk=plan.pk)


@require_GET
@login_required
def impact_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A locked plan's impact report (an unlocked plan shows the plan only)."""
    plan = get_plan_for_user(request.user, pk)
    if not plan.locked:
        return render(
            request,
            "evaluation/plan.html",
            {"plan": plan, "can_lock": scope_for(request.user).everything},
        )
    context = reports.impact_context(plan, _lang())
    record(request.user, _action(request), plan, summary=f"impact report: {plan.title}"[:300])
    return _respond(request, "evaluation/impact.html", context, f"impact-{plan.pk}")


@require_GET
@login_required
def ux_report(request: HttpRequest, service: str) -> HttpResponse:
    """The user-experience report of `service` for ?period= (default: the last full
    quarter) and optionally ?unit= (a unit code)."""
    service_obj = get_report_service_for_user(request.user, service)
    unit = None
    if request.GET.get("unit"):
        unit = OrgUnit.objects.filter(code=request.GET["unit"]).first()
        if unit is None:
            raise Http404
        if not scope_for(request.user).can_view_unit(unit, service_obj):
            raise PermissionDenied
    code = request.GET.get("period") or _last_quarter()
    try:
        period = str(periods.parse(code))
    except periods.PeriodError:
        raise Http404 from None
    context = reports.ux_context(service_obj, unit, period, _lang())
    context["period_code"] = period
    record(
        request.user,
        _action(request),
        service_obj,
        summary=f"user-experience report {service} {period} {unit.code if unit else ''}".strip(),
    )
    filename = f"ux-{service}-{period}" + (f"-{unit.code}" if unit else "")
    return _respond(request, "evaluation/ux.html", context, filename)


def _action(request) -> str:
    return "export" if request.GET.get("format") == "pdf" else "view"


def _last_quarter() -> str:
    from django.utils import timezone

    return str(periods.period_of(timezone.localdate(), "Q").previous())
