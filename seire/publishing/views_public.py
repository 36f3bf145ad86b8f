"""The public statistics pages (no sign-in): the home with the release calendar, a release,
its methodology, each table as a page and as files.

Every view finds its release through `get_public_release`, which answers 404 under embargo:
before the planned time, or before a version is published, nothing of a release exists
for the public — not its page, its tables, its files nor its methodology.
"""

from __future__ import annotations

import altair as alt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from seire import disclosure
from seire.metrics import charts
from seire.publishing.cubes import DIMENSIONS, CubeError
from seire.publishing.models import Release, ReleaseTable, ReleaseVersion
from seire.publishing.outputs import FORMATS, LEGEND, TableData, grid, method_text, table_data


def _lang() -> str:
    return "et" if (get_language() or "et").startswith("et") else "en"


def get_public_release(code: str, number: int | None = None) -> tuple[Release, ReleaseVersion]:
    """The release `code` and its version `number` (default: the newest) as the public may
    see them now; 404 under embargo, for an unknown code or for an unpublished version."""
    release = get_object_or_404(Release, code=code)
    now = timezone.now()
    current = release.public_version(now)
    if current is None:
        raise Http404("no such release")
    if number is None or number == current.number:
        return release, current
    version = release.public_versions(now).filter(number=number).first()
    if version is None:
        raise Http404("no such version")
    return release, version


def get_public_table(code: str, table: str, number: int | None = None):
    release, version = get_public_release(code, number)
    found = get_object_or_404(ReleaseTable, release=release, code=table)
    if not version.cells.filter(table=found).exists():
        raise Http404("the table is not in this version")
    return release, version, found


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    published = list(Release.objects.public(now).order_by("-planned_at"))
    upcoming = list(Release.objects.upcoming(now).order_by("planned_at")[:24])
    return render(
        request,
        "publishing/public/home.html",
        {"published": published, "upcoming": upcoming, "now": now},
    )


@require_GET
def release(request: HttpRequest, code: str, number: int | None = None) -> HttpResponse:
    rel, version = get_public_release(code, number)
    now = timezone.now()
    tables = [
        t for t in rel.tables.order_by("sort", "code") if version.cells.filter(table=t).exists()
    ]
    return render(
        request,
        "publishing/public/release.html",
        {
            "release": rel,
            "version": version,
            "current": rel.public_version(now),
            "versions": list(rel.public_versions(now)),
            "tables": tables,
            "superseded": version.is_superseded(now),
        },
    )


@require_GET
def methodology(request: HttpRequest, code: str) -> HttpResponse:
    rel, version = get_public_release(code)
    lang = _lang()
    rows = []
    for table in rel.tables.order_by("sort", "code").prefetch_related("metrics"):
        try:
            spec = table.spec()
            data_measure = spec.check()
        except CubeError:  # changed after publication: the stored cells are still shown
            continue
        rows.append(
            {
                "table": table,
                "measure": data_measure.label(lang),
                "definition": data_measure.description(lang),
                "dims": [
                    (
                        DIMENSIONS[d].label(lang),
                        DIMENSIONS[d].derivation_et
                        if lang == "et"
                        else DIMENSIONS[d].derivation_en,
                    )  # fmt: skip
                    for d in spec.dims
                ],
                "method": method_text(table, lang),
                "metrics": list(table.metrics.all()),
            }
        )
    return render(
        request,
        "publishing/public/methodology.html",
        {"release": rel, "version": version, "rows": rows, "legend": LEGEND[lang]},
    )


def chart_for(data: TableData, lang: str) -> dict | None:
    """A chart where it helps: the totals over the periods as a line, else the totals of
    the first dimension as bars. Withheld values are left out (a gap, no bar)."""
    lookup = data.lookup()
    dims = data.dims
    axis = "period" if "period" in dims else dims[0]
    categories = [c for c in data.axes[axis] if c != disclosure.TOTAL]
    if len(categories) < 2:
        return None
    points = []
    for code in categories:
        key = tuple(code if d == axis else disclosure.TOTAL for d in dims)
        value, _ = lookup.get(key, (None, "missing"))
        points.append((data.label(axis, code, lang), value))
    if sum(v is not None for _, v in points) < 2:
        return None
    title = data.measure.label(lang)
    if axis == "period":
        spec = charts.time_series(
            [
                charts.ChartPoint(label, value, shown="" if value is None else str(value))
                for label, value in points
            ],  # fmt: skip
            description=f"{data.title(lang)}: {title}",
            axis_title=title,
        )
        for layer in spec.get("layer", []):  # counts: the axis starts at zero
            scale = layer.get("encoding", {}).get("y", {}).get("scale")
            if scale is not None:
                scale["zero"] = True
        return spec
    rows = [{"label": label, "value": value} for label, value in points if value is not None]
    order = [label for label, value in points if value is not None]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=charts.BRAND)
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            x=alt.X("value:Q", title=title),
            tooltip=[alt.Tooltip("label:N"), alt.Tooltip("value:Q")],
        )
        .properties(
            width="container",
            height=max(120, 22 * len(rows)),
            description=f"{data.title(lang)}: {title}",
        )  # fmt: skip
    )
    spec = chart.to_dict()
    spec["config"] = {**spec.get("config", {}), **charts.CONFIG}
    return spec


@require_GET
def table(request: HttpRequest, code: str, table: str, number: int | None = None) -> HttpResponse:
    rel, version, found = get_public_table(code, table, number)
    lang = _lang()
    data = table_data(found, version)
    spec = chart_for(data, lang) if found.chart else None
    statuses = {status for _, _, status in data.cells}
    return render(
        request,
        "publishing/public/table.html",
        {
            "release": rel,
            "version": version,
            "table": found,
            "data": data,
            "measure_label": data.measure.label(lang),
            "grid": grid(data, lang),
            "legend": LEGEND[lang],
            "has_suppressed": bool(statuses & {"primary", "secondary"}),
            "rounded": "rounded" in statuses,
            "perturbed": "perturbed" in statuses,
            "method": method_text(found, lang),
            "superseded": version.is_superseded(),
            "chart": {"spec": spec, "formatLocale": charts.format_locale(lang)} if spec else None,
            "formats": list(FORMATS),
        },
    )


@require_GET
def table_file(
    request: HttpRequest, code: str, table: str, fmt: str, number: int | None = None
) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("no such format")
    rel, version, found = get_public_table(code, table, number)
    content_type, extension, writer = FORMATS[fmt]
    body = writer(table_data(found, version))
    response = HttpResponse(body, content_type=content_type)
    name = f"{rel.code}-v{version.number}-{found.code}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
