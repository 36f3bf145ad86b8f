"""Metrics and stored values for the scorecard tests (views, query counts, browser).

Values are written as `MetricValue` rows directly, as the engine would store them: the
scorecard only reads them, so each test knows exactly which numbers the page must show.
"""

from decimal import Decimal

from django.utils import timezone

from seire import periods
from seire.metrics.models import Metric, MetricValue, MetricVersion

COUNT = {"source": "episodes", "measure": "count", "date": "opened"}


def metric(
    cast,
    code,
    *,
    service=None,
    type="percent",
    frequency="Q",
    direction="higher",
    target=None,
    amber=None,
    breakdowns=(),
    name_en=None,
) -> MetricVersion:
    """A metric with one version; returns the version."""
    m = Metric.objects.create(
        code=code,
        name_et=f"{code} (et)",
        name_en=name_en or f"{code} (en)",
        service=service if service is not None else cast.vs,
        direction=direction,
        unit_et="%" if type == "percent" else "klienti",
        unit_en="%" if type == "percent" else "clients",
    )
    return MetricVersion.objects.create(
        metric=m,
        type=type,
        numerator=COUNT,
        denominator=COUNT if type == "percent" else None,
        frequency=frequency,
        target=target,
        amber=amber,
        breakdowns=list(breakdowns),
        min_n=5,
    )


def put(
    version, period, unit, value, *, n=50, low=None, high=None, breakdown="", small_n=False
) -> MetricValue:
    return MetricValue.objects.create(
        version=version,
        period=period,
        unit=unit,
        breakdown=breakdown,
        value=None if value is None else Decimal(str(value)),
        low=None if low is None else Decimal(str(low)),
        high=None if high is None else Decimal(str(high)),
        n=n,
        small_n=small_n,
        computed_at=timezone.now(),
    )


def series(version, unit, last: str, values) -> list[str]:
    """Store `values` for the periods ending with `last` (of `last`'s kind); returns them."""
    first = periods.parse(last)
    for _step in range(len(values) - 1):
        first = first.previous()
    codes = [str(p) for p in periods.period_range(first, last)]
    for code, value in zip(codes, values, strict=True):
        put(version, code, unit, value)
    return codes


def many(cast, metrics: int, periods_each: int, unit=None, last="2026Q1") -> list[MetricVersion]:
    """`metrics` quarterly VS metrics, each with `periods_each` periods at `unit` (default:
    the country)."""
    versions = []
    for i in range(metrics):
        version = metric(cast, f"M{i:02d}", target=80, amber=70)
        series(
            version, unit or cast.estonia, last, [60 + (i + k) % 30 for k in range(periods_each)]
        )
        versions.append(version)
    return versions


def showcase(cast) -> dict[str, MetricVersion]:
    """A few metrics that look like the catalogue's, with two years of values at every
    level, breakdowns by region, county and gender, and a value with too small an n: the
    data of the browser test and of its screenshots."""
    specs = [
        ("VS_CONTACT_2WD", "Kontakt kahe tööpäeva jooksul", "Contact within two working days",
         cast.vs, "percent", "Q", "higher", 90, 80, [78, 80, 83, 84, 85, 87, 86, 88, 89]),
        ("VS_WAIT_MEDIAN", "Ooteaja mediaan", "Median waiting time", cast.vs, "median", "Q",
         "lower", 1, 2, [3, 3, 2.5, 2, 2, 2, 1.5, 1, 1]),
        ("VS_CLIENTS", "Ohvriabiteenuse kliendid", "Clients of general victim support", cast.vs,
         "count", "Q", "neutral", None, None, [2410, 2388, 2502, 2610, 2575, 2690, 2733, 2801,
                                               2764]),
        ("WSC_SAFETY_PLAN", "Turvaplaaniga kliendid", "Clients with a safety plan", cast.wsc,
         "percent", "Q", "higher", 80, 60, [55, 58, 61, 60, 64, 66, 63, 67, 58]),
    ]  # fmt: skip
    versions = {}
    for code, name_et, name_en, service, kind, freq, direction, target, amber, values in specs:
        m = Metric.objects.create(
            code=code,
            name_et=name_et,
            name_en=name_en,
            service=service,
            direction=direction,
            unit_et={"percent": "%", "median": "päeva", "count": "klienti"}[kind],
            unit_en={"percent": "%", "median": "days", "count": "clients"}[kind],
            purpose_en=f"{name_en}: how the service is doing.",
            purpose_et=f"{name_et}: kuidas teenusel läheb.",
        )
        version = MetricVersion.objects.create(
            metric=m,
            type=kind,
            numerator=COUNT,
            denominator=COUNT if kind == "percent" else None,
            frequency=freq,
            target=target,
            amber=amber,
            min_n=10,
            breakdowns=["region", "county", "gender"],
        )
        versions[code] = version
        last = "2026Q1"
        first = periods.parse(last)
        for _step in range(len(values) - 1):
            first = first.previous()
        codes = [str(p) for p in periods.period_range(first, last)]
        levels = [(cast.estonia, 0, 1.0), (cast.pohja, 2, 0.6), (cast.louna, -3, 0.4),
                  (cast.harju, 3, 0.55), (cast.tartu, -4, 0.35), (cast.harju_vs, 1, 0.5),
                  (cast.tartu_vs, -5, 0.3)]  # fmt: skip
        for unit, shift, share in levels:
            for code, value in zip(codes, values, strict=True):
                if kind == "count":
                    local = round(value * share)
                elif kind == "median":
                    local = max(0.5, value + (0.5 if shift < 0 else 0))
                else:
                    local = min(99.0, value + shift)
                _with_interval(version, code, unit, local, kind, n=int(400 * share))
        if kind != "median":
            for gender, share in [("female", 0.8), ("male", 0.18)]:
                value = (
                    values[-1] * share
                    if kind == "count"
                    else values[-1] + (2 if share > 0.5 else -9)
                )
                _with_interval(
                    version,
                    last,
                    cast.estonia,
                    value,
                    kind,
                    n=int(400 * share),
                    breakdown=f"gender={gender}",
                )
            put(
                version, last, cast.estonia, 50, n=6, small_n=True, breakdown="gender=other_unknown"
            )
    # Tartu's women's centre had too few clients this quarter for a reliable share.
    MetricValue.objects.filter(
        version=versions["WSC_SAFETY_PLAN"], period="2026Q1", unit=cast.tartu_vs, breakdown=""
    ).update(n=7, small_n=True, low=None, high=None)
    return versions


def _with_interval(version, period, unit, value, kind, n, breakdown=""):
    if kind != "percent":
        return put(version, period, unit, value, n=n, breakdown=breakdown)
    import math

    p = value / 100
    half = 196 * math.sqrt(p * (1 - p) / max(n, 1))
    return put(
        version,
        period,
        unit,
        round(value, 4),
        n=n,
        breakdown=breakdown,
        low=round(max(0.0, value - half), 4),
        high=round(min(100.0, value + half), 4),
    )
