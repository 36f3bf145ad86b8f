"""Metrics API: the metrics the caller may see and their computed values.

`GET /api/metrics` lists the metrics (current definition); `GET /api/metrics/{code}/values`
returns values by period, unit and breakdown (`seire.metrics.exports.value_rows`: 403
outside the caller's metrics or units, 404 for an unknown metric, 422 with a message for a
malformed query). Small-n values come with null numbers except for the analyst.
"""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from seire.access.roles import scope_for
from seire.metrics import exports
from seire.metrics.models import Metric

router = Router(tags=["metrics"])


class MetricOut(Schema):
    code: str
    name_et: str
    name_en: str
    service: str | None
    direction: str
    unit_et: str
    unit_en: str
    version: int | None
    type: str | None
    frequency: str | None
    breakdowns: list[str]
    min_n: int | None


class ValueOut(Schema):
    period: str
    unit: str
    unit_name: str
    breakdown: str  # "" for the total, "gender=female" for a breakdown's row
    numerator: float | None
    denominator: float | None
    value: float | None
    low: float | None  # 95 % interval (Wilson for percents)
    high: float | None
    n: int | None
    small_n: bool  # n below the metric's smallest n: numbers null except for the analyst
    version: int


class ValuesQuery(Schema):
    period: Annotated[
        str | None,
        Field(description="A period (2025Q1) or a range (2025M01..2025M12); empty: all."),
    ] = None
    unit: Annotated[str | None, Field(description="A unit code; empty: the country.")] = None
    by: Annotated[
        str | None,
        Field(description="A breakdown of the metric (gender), or region/county/unit."),
    ] = None


@router.get("", response=list[MetricOut])
def list_metrics(request: HttpRequest):
    """Every metric the caller may see, with its current definition's essentials."""
    scope = scope_for(request.user)
    metrics = list(Metric.objects.select_related("service").prefetch_related("versions"))
    services = {m.service for m in metrics if m.service is not None}
    readable = {s.pk for s in services if scope.everything or scope.can_view_service(s)}
    out = []
    for metric in metrics:
        if metric.service_id is not None and metric.service_id not in readable:
            continue
        current = max(metric.versions.all(), key=lambda v: v.version, default=None)
        out.append(
            MetricOut(
                code=metric.code,
                name_et=metric.name_et,
                name_en=metric.name_en,
                service=metric.service.code if metric.service else None,
                direction=metric.direction,
                unit_et=metric.unit_et,
                unit_en=metric.unit_en,
                version=current.version if current else None,
                type=current.type if current else None,
                frequency=current.frequency if current else None,
                breakdowns=list(current.breakdowns) if current else [],
                min_n=current.min_n if current else None,
            )
        )
    return out


@router.get("/{code}/values", response=list[ValueOut])
def metric_values(request: HttpRequest, code: str, query: Query[ValuesQuery]):
    """Values of one metric: `period` a code or `first..last`, `unit` a unit code (default
    the country), `by` a breakdown or region/county/unit (the units of that level below)."""
    try:
        result = exports.value_rows(request.user, code, query.period, query.unit, query.by)
    except exports.BadQuery as error:
        raise HttpError(422, str(error)) from None
    return [
        ValueOut(
            **{
                name: float(value) if name in _NUMBERS and value is not None else value
                for name, value in vars(row).items()
            }
        )
        for row in result.rows
    ]


_NUMBERS = {"numerator", "denominator", "value", "low", "high"}
