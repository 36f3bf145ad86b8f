"""The status board: who has submitted which statistics table, on time or late."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from seire import periods
from seire.access.roles import scope_for
from seire.collection.forms import BoardForm
from seire.collection.models import Dataset
from seire.collection.timeliness import board, summary
from seire.organisation.models import OrgUnit


@require_GET
@login_required
def status_board(request: HttpRequest) -> HttpResponse:
    """Units × periods of one statistics table: on time, late, overdue, due, not expected."""
    scope = scope_for(request.user)
    if not scope.is_staff_member:
        raise PermissionDenied
    services = scope.visible_services().order_by("code")
    datasets = (
        Dataset.objects.filter(service__in=services)
        .select_related("service")
        .order_by("service__code", "code")
    )
    visible = scope.visible_units()
    regions = visible.filter(kind__in=[OrgUnit.Kind.REGION, OrgUnit.Kind.COUNTY])
    form = BoardForm(request.GET or None, datasets=datasets, services=services, regions=regions)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    service = data.get("service")
    candidates = datasets.filter(service=service) if service else datasets
    dataset = data.get("dataset")
    if dataset is None or not candidates.filter(pk=dataset.pk).exists():
        dataset = candidates.first()
    context = {"form": form, "dataset": dataset, "rows": [], "stats": None}
    if dataset is not None:
        today = timezone.localdate()
        codes = form.chosen_periods(dataset, today)
        whole_service = scope.everything or "" in scope.overview_paths
        units = None if whole_service or dataset.service_id in scope.owned_services else visible
        region = data.get("region")
        if region is not None:
            units = (units if units is not None else OrgUnit.objects).filter(
                path__startswith=region.path
            )
        rows = board(dataset, codes, units=units, today=today)
        language = get_language() or "et"
        context.update(
            periods=[(code, periods.parse(code).label(language)) for code in codes],
            started={c for c in codes if periods.parse(c).start <= today},
            rows=rows,
            stats=summary(rows),
        )
    return render(request, "collection/status_board.html", context)
