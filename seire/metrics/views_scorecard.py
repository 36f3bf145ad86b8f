"""The scorecard, the page of one metric, and the quarterly metrics overview (page and PDF).

Metrics are fetched through `get_metric_for_user` (as for proposals and history) and units
are chosen among `scorecard.area_units(user)`, so every page shows only what its reader
may see: see `seire.metrics.scorecard` for who sees what. The overview's commentary is the
analyst's to write; everyone else who may read the overview reads it.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from seire import periods
from seire.access.audit import changes_between, record
from seire.access.roles import scope_for
from seire.metrics import charts, scorecard
from seire.metrics.models import Metric, MetricValue, Overview
from seire.metrics.passport import display_value, field_label, language
from seire.metrics.views_proposals import get_metric_for_user
from seire.organisation.models import OrgUnit, Service

ALL = "ALL"


def _choice_label(unit: OrgUnit, top: int) -> str:
    depth = unit.path.count("/") - top
    return "\u2003" * max(depth, 0) + unit.name


def _unit_choices(units: list[OrgUnit]) -> list[tuple[str, str]]:
    top = min((u.path.count("/") for u in units), default=0)
    return [(u.code, _choice_label(u, top)) for u in units]


def _pick(units: list[OrgUnit], code: str | None) -> OrgUnit:
    return next((u for u in units if u.code == code), units[0])


class ScorecardForm(forms.Form):
    """The scorecard's filters (GET); the choices are what the reader may see."""

    service = forms.ChoiceField(label=gettext_lazy("Service"), required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Region or county"), required=False)
    quarter = forms.ChoiceField(label=gettext_lazy("Period"), required=False)

    def __init__(self, *args, services, units, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services"))] + [
            (s.code, s.name) for s in services
        ]
        self.fields["unit"].choices = _unit_choices(units)
        lang = language(None)
        self.fields["quarter"].choices = [("", _("Latest of each metric"))] + [
            (q, _("as of %(quarter)s") % {"quarter": periods.parse(q).label(lang)})
            for q in quarters
        ]


def _staff(request: HttpRequest):
    scope = scope_for(request.user)
    if not scope.is_staff_member:
        raise PermissionDenied
    return scope


# -- the scorecard ------------------------------------------------------------------------
@require_GET
@login_required
def scorecard_page(request: HttpRequest) -> HttpResponse:
    """Every metric the reader may see, for one unit and period, against its target."""
    scope = _staff(request)
    services = list(scope.visible_services().order_by("code"))
    units = scorecard.area_units(request.user)
    if not units:
        return render(request, "metrics/scorecard/scorecard.html", {"rows": [], "form": None})
    unit = _pick(units, request.GET.get("unit"))
    service = next((s for s in services if s.code == request.GET.get("service")), None)
    metrics = scorecard.visible_metrics(request.user).order_by("code")
    if service is not None:
        metrics = metrics.filter(service=service)
    metrics = scorecard.with_current_versions(metrics)
    points = scorecard.load_points([m.current for m in metrics], unit)
    quarters = scorecard.quarters_in(points)
    form = ScorecardForm(request.GET or None, services=services, units=units, quarters=quarters)
    quarter = request.GET.get("quarter") if request.GET.get("quarter") in quarters else None
    rows = scorecard.build_rows(metrics, points, quarter)
    context = {
        "form": form,
        "unit": unit,
        "service": service,
        "quarter": quarter,
        "quarter_label": scorecard.period_label(quarter) if quarter else "",
        "groups": scorecard.grouped(rows),
        "rows": rows,
        "overviews": _overview_links(scope, services, service, quarter or (quarters or [None])[0]),
    }
    return render(request, "metrics/scorecard/scorecard.html", context)


def _overview_links(scope, services, service, quarter) -> list[tuple[str, str]]:
    """(label, URL) of the quarterly overviews the reader may open from the scorecard."""
    if quarter is None:
        return []

    def link(label, subject):
        return (label, reverse("metrics:overview", args=[subject, quarter]))

    if service is not None:
        return [link(service.name, service.code)] if _can_read_overview(scope, service) else []
    if _can_read_overview(scope, None):
        return [link(_("Whole department"), ALL)]
    return [link(s.name, s.code) for s in services if s.pk in scope.owned_services]


# -- one metric ---------------------------------------------------------------------------
@require_GET
@login_required
def metric_page(request: HttpRequest, code: str) -> HttpResponse:
    """A metric's time series (chart and table) at one unit, and its breakdowns."""
    _staff(request)
    metric = get_metric_for_user(request.user, code)
    version = metric.current_version()
    units = scorecard.area_units(request.user)
    if version is None or not units:
        context = {"metric": metric, "version": version, "units": units, "series": []}
        return render(request, "metrics/scorecard/metric.html", context)
    unit = _pick(units, request.GET.get("unit"))
    metric.current = version
    points = scorecard.load_points([version], unit).get(version.pk, {})
    ordered = sorted(points.values(), key=lambda p: periods.parse(p.period))
    with_values = [p.period for p in reversed(ordered) if p.value is not None]
    period = request.GET.get("period")
    period = period if period in with_values else (with_values[0] if with_values else None)
    series = [_series_row(p, version, metric) for p in ordered]
    lang = language(None)
    spec = charts.time_series(
        [s["chart"] for s in series],
        description=_("%(metric)s in %(unit)s by period") % {"metric": metric.name, "unit": unit},
        axis_title=_unit_word(metric, version),
        target=charts.as_float(version.target),
        target_label=_("target %(value)s")
        % {"value": scorecard.format_value(version.target, version.type)},
    )
    context = {
        "metric": metric,
        "version": version,
        "unit": unit,
        "units": _unit_choices(units),
        "period": period,
        "period_label": scorecard.period_label(period) if period else "",
        "periods": [(p, scorecard.period_label(p)) for p in with_values],
        "series": series,
        "chart": {"spec": spec, "formatLocale": charts.format_locale(lang)},
        "areas": _by_area(version, units, period) if period else [],
        "breakdowns": _by_breakdown(version, unit, period, lang) if period else [],
        "row": _row_for(metric, version, points, period) if period else None,
    }
    return render(request, "metrics/scorecard/metric.html", context)


def _row_for(metric: Metric, version, points: dict, period: str) -> scorecard.Row:
    year_ago = scorecard.shift(period, scorecard.PER_YEAR[periods.parse(period).kind])
    return scorecard.Row(metric, version, period, points.get(period), points.get(year_ago))


def _unit_word(metric: Metric, version) -> str:
    return "%" if version.type == "percent" else getattr(metric, f"unit_{language(None)}")


def _series_row(point: scorecard.Point, version, metric: Metric) -> dict:
    row = scorecard.Row(metric, version, point.period, point, None)
    shown = row.value_text if not point.small_n else _("n too small")
    return {
        "period": point.period,
        "label": scorecard.period_label(point.period),
        "value": row.value_text,
        "interval": row.interval_text,
        "n": point.n,
        "small_n": point.small_n,
        "status": row,
        "chart": charts.ChartPoint(
            label=scorecard.period_label(point.period),
            value=charts.as_float(point.value),
            low=None if point.small_n else charts.as_float(point.low),
            high=None if point.small_n else charts.as_float(point.high),
            small_n=point.small_n,
            shown=shown if point.value is not None else "—",
        ),
    }


def _by_area(version, units: list[OrgUnit], period: str) -> list[dict]:
    """The period's total in every region and county the reader may see (one query)."""
    areas = [u for u in units if u.kind in (OrgUnit.Kind.REGION, OrgUnit.Kind.COUNTY)]
    values = {
        v.unit_id: v
        for v in MetricValue.objects.filter(
            version=version, period=period, breakdown="", unit__in=areas
        )
    }
    return [_cell(u.name, values.get(u.pk), version, indent=u.kind == "county") for u in areas]


def _by_breakdown(version, unit: OrgUnit, period: str, lang: str) -> list[dict]:
    """[{"label": "Gender", "rows": […]}] for each breakdown of the version (one query)."""
    values = MetricValue.objects.filter(version=version, period=period, unit=unit).exclude(
        breakdown=""
    )
    by_dim: dict[str, list] = {}
    for v in sorted(values, key=lambda v: v.breakdown):
        dim, _sep, code = v.breakdown.partition("=")
        by_dim.setdefault(dim, []).append((code, v))
    tables = []
    for dim in version.breakdowns:
        if dim in ("region", "county", "unit"):
            continue
        rows = [
            _cell(display_value(dim, code, lang), v, version) for code, v in by_dim.get(dim, [])
        ]
        tables.append({"dim": dim, "label": field_label(dim, lang).capitalize(), "rows": rows})
    return tables


def _cell(label: str, value: MetricValue | None, version, indent: bool = False) -> dict:
    if value is None:
        return {"label": label, "value": "", "interval": "", "n": None, "indent": indent}
    point = scorecard.Point(
        value.period, value.value, value.low, value.high, value.n, value.small_n
    )
    return {
        "label": label,
        "value": scorecard.format_value(point.shown, version.type),
        "small_n": point.small_n,
        "interval": scorecard.interval_text(point, version.type),
        "n": point.n,
        "indent": indent,
    }


# -- the quarterly overview ---------------------------------------------------------------
class CommentaryForm(forms.ModelForm):
    class Meta:
        model = Overview
        fields = ["commentary"]
        widgets = {"commentary": forms.Textarea(attrs={"rows": 10})}
        labels = {"commentary": gettext_lazy("Analyst's commentary")}


def _can_read_overview(scope, service: Service | None) -> bool:
    """The department's overview: the analyst and managers; a service's: also its owners."""
    if scope.everything or scope.overview_paths:
        return True
    return service is not None and service.pk in scope.owned_services


def get_overview_subject_for_user(user, subject: str, write: bool = False) -> Service | None:
    """The service an overview is of (None for ALL, the whole department) if `user` may
    read it, or write its commentary with `write` (the analyst only); 404/403 otherwise."""
    service = None if subject == ALL else get_object_or_404(Service, code=subject)
    scope = scope_for(user)
    allowed = scope.everything if write else _can_read_overview(scope, service)
    if not allowed:
        raise PermissionDenied
    return service


def _quarter(code: str) -> str:
    try:
        quarter = periods.parse(code)
    except periods.PeriodError:
        raise Http404 from None
    if quarter.kind != "Q" or str(quarter) != code:
        raise Http404
    return code


@require_http_methods(["GET", "POST"])
@login_required
def overview(request: HttpRequest, subject: str, quarter: str) -> HttpResponse:
    """The quarter's metrics of a service (or of all services) at the national level, with
    charts and the analyst's commentary; `?format=pdf` gives the same page as a PDF."""
    service = get_overview_subject_for_user(request.user, subject)
    quarter = _quarter(quarter)
    existing = Overview.objects.filter(service=service, quarter=quarter).first()
    can_write = scope_for(request.user).everything
    form = None
    if request.method == "POST":
        get_overview_subject_for_user(request.user, subject, write=True)
        before = {"commentary": existing.commentary} if existing else {}
        form = CommentaryForm(
            request.POST, instance=existing or Overview(service=service, quarter=quarter)
        )
        if form.is_valid():
            _save_commentary(request.user, form, before)
            messages.success(request, _("The commentary was saved."))
            return redirect("metrics:overview", subject=subject, quarter=quarter)
    elif can_write:
        form = CommentaryForm(instance=existing)
    context = _overview_context(request, service, subject, quarter, existing)
    context["form"] = form
    if request.method == "GET" and request.GET.get("format") == "pdf":
        from seire.pdf import render_pdf  # WeasyPrint loads Pango: only PDFs need it

        context["form"] = None
        pdf = render_pdf("metrics/scorecard/overview.html", context, request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="overview-{subject}-{quarter}.pdf"'
        return response
    return render(request, "metrics/scorecard/overview.html", context)


def _save_commentary(user, form: CommentaryForm, before: dict) -> Overview:
    """Save the commentary with its author, and audit it: `before` is {} for a new one."""
    overview = form.save(commit=False)
    overview.author = user
    overview.save()
    record(
        user,
        "update" if before else "create",
        overview,
        changes=changes_between(before, {"commentary": overview.commentary}),
    )
    return overview


def _overview_context(request, service, subject: str, quarter: str, existing) -> dict:
    country = OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTRY).order_by("path").first()
    metrics = scorecard.visible_metrics(request.user).order_by("code")
    if service is not None:
        metrics = metrics.filter(service=service)
    metrics = scorecard.with_current_versions(metrics)
    rows = []
    if country is not None:
        points = scorecard.load_points([m.current for m in metrics], country)
        rows = scorecard.build_rows(metrics, points, quarter)
    lang = language(None)
    pdf = request.GET.get("format") == "pdf"
    for i, row in enumerate(rows):
        spec = charts.time_series(
            [_chart_point(row, period, point) for period, point in row.history],
            description=_("%(metric)s, the last eight periods") % {"metric": row.metric.name},
            axis_title=_unit_word(row.metric, row.version),
            target=charts.as_float(row.version.target),
            target_label=_("target %(value)s") % {"value": row.target_text},
            width=640 if pdf else "container",
            height=170 if pdf else 200,
        )
        row.chart_id = f"chart-{i}"
        row.chart = {"spec": spec, "formatLocale": charts.format_locale(lang)}
        row.svg = charts.to_svg(spec, lang)
    q = periods.parse(quarter)
    return {
        "service": service,
        "subject": subject,
        "quarter": quarter,
        "quarter_label": q.label(lang),
        "previous": str(q.previous()),
        "next": str(q.next()),
        "country": country,
        "groups": scorecard.grouped(rows),
        "rows": rows,
        "overview": existing,
        "title": service.name if service else _("Whole department"),
    }


def _chart_point(row: scorecard.Row, period: str, point) -> charts.ChartPoint:
    kind = row.kind
    if point is None or point.value is None:
        shown = "—"
    else:
        shown = _("n too small") if point.small_n else scorecard.format_value(point.value, kind)
    return charts.ChartPoint(
        label=scorecard.period_label(period),
        value=charts.as_float(point.value) if point else None,
        low=charts.as_float(point.low) if point and not point.small_n else None,
        high=charts.as_float(point.high) if point and not point.small_n else None,
        small_n=bool(point and point.small_n),
        shown=shown,
    )
