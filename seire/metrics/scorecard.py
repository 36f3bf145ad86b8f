"""Scorecards: each metric's value for a period and unit, against its target.

The queries are set-based and their number does not depend on how many metrics or
periods are shown: one for the metrics, one for their versions, one for the values of
every shown metric × every period at the chosen unit (`load_points`). Status, year-on-year
change and the sparkline's last eight periods are worked out in Python from those rows
(tests/metrics/test_scorecard.py counts the queries).

Who sees what: a metric is readable by the staff who may see its owner service (or, for a
metric without one, by every staff member), as for change proposals. Units: the analyst
and managers choose among the country, regions and counties (managers within their
overview); a service owner among the areas where an owned service is delivered; a
provider only among their own units — a provider never sees a total that includes other
providers' clients.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seire import periods
from seire.access.roles import Scope, scope_for
from seire.metrics.charts import as_float, sparkline_svg
from seire.metrics.models import Metric, MetricValue, MetricVersion
from seire.organisation.models import OrgUnit, Service

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
SPARK_PERIODS = 8
PER_YEAR = {"M": 12, "Q": 4, "Y": 1}
AREA_KINDS = (OrgUnit.Kind.COUNTRY, OrgUnit.Kind.REGION, OrgUnit.Kind.COUNTY)
DECIMALS = {"percent": 1, "count": 0, "sum": 0, "mean": 1, "median": 1, "ratio": 2,
            "rate_per_100k": 1}  # fmt: skip

STATUS_LABELS = {
    GREEN: _("on target"),
    AMBER: _("near target"),
    RED: _("off target"),
    "no_target": _("no target"),
    "no_value": _("no value"),
    "small_n": _("n too small"),
}


def rag(value: Decimal | float | None, target, amber, direction: str) -> str:
    """The RAG colour of `value`: GREEN when it meets `target` in the metric's better
    direction, AMBER when it falls short but not beyond the `amber` threshold (both ends
    inclusive), RED beyond it. GREY when there is no value, no target, or no better
    direction. An amber threshold missing or on the wrong side of the target leaves no
    amber band: short of the target is red.

    >>> rag(92, 90, 80, "higher"), rag(85, 90, 80, "higher"), rag(79, 90, 80, "higher")
    ('green', 'amber', 'red')
    >>> rag(1, 1, 2, "lower"), rag(2, 1, 2, "lower"), rag(3, 1, 2, "lower")
    ('green', 'amber', 'red')
    """
    if value is None or target is None or direction not in ("higher", "lower"):
        return GREY
    sign = 1 if direction == "higher" else -1
    value, target = Decimal(str(value)), Decimal(str(target))
    if sign * (value - target) >= 0:
        return GREEN
    if amber is not None:
        amber = Decimal(str(amber))
        if sign * (target - amber) > 0 and sign * (value - amber) >= 0:
            return AMBER
    return RED


# -- numbers in words ---------------------------------------------------------------------
def format_number(value: Decimal | float | None, kind: str) -> str:
    """`value` with the decimals its metric type calls for, in the active language's
    number format ("83,4" in Estonian); "" for None."""
    if value is None:
        return ""
    places = DECIMALS.get(kind, 1)
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    return number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_value(value, kind: str) -> str:
    text = format_number(value, kind)
    return f"{text}\u00a0%" if text and kind == "percent" else text


def format_change(change: Decimal | None, kind: str) -> str:
    """ "+3,2 pp" for a percent (percentage points), "−12" for a count; "" for None."""
    if change is None:
        return ""
    text = format_number(abs(change), kind)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if kind != "percent":
        return f"{sign}{text}"
    # Translators: short for "percentage points", after a change of a percent: "+3,2 pp".
    points = _("pp")
    return f"{sign}{text}\u00a0{points}"


def interval_text(point: "Point | None", kind: str) -> str:
    """ "84,1–88,5 %"; "" without an interval or when n is too small."""
    if point is None or point.small_n or point.low is None or point.high is None:
        return ""
    return f"{format_number(point.low, kind)}–{format_value(point.high, kind)}"


# -- what a user may see ------------------------------------------------------------------
def visible_metrics(user) -> QuerySet[Metric]:
    """The metrics `user` may read: those of a service they may see, and those without an
    owner service (every staff member reads them)."""
    scope = scope_for(user)
    qs = Metric.objects.select_related("service")
    if not scope.is_staff_member:
        return qs.none()
    if scope.everything or scope.overview_paths:
        return qs
    return qs.filter(Q(service__in=scope.visible_services()) | Q(service__isnull=True))


def is_provider_only(scope: Scope) -> bool:
    """A provider with no wider role: sees values of their own units only."""
    return not (scope.everything or scope.overview_paths or scope.owned_services)


def area_units(user) -> list[OrgUnit]:
    """The units whose values `user` may choose to see, in tree order: areas (country,
    regions, counties) for the analyst, managers (under their overview) and service
    owners (around the units delivering an owned service); a provider's own units."""
    scope = scope_for(user)
    if not scope.is_staff_member:
        return []
    if is_provider_only(scope):
        return list(scope.entry_units().filter(active=True).order_by("path"))
    areas = OrgUnit.objects.filter(kind__in=AREA_KINDS, active=True).order_by("path")
    if scope.everything or "" in scope.overview_paths:
        return list(areas)
    owned: list[str] = []
    if scope.owned_services:
        owned = list(
            OrgUnit.objects.filter(provisions__service__in=scope.owned_services)
            .values_list("path", flat=True)
            .distinct()
        )
    entry = [path for path, _service in scope.entry_paths]
    return [
        u
        for u in areas
        if any(u.path.startswith(p) for p in scope.overview_paths)
        or any(u.path.startswith(p) or p.startswith(u.path) for p in owned)
        or any(u.path.startswith(p) for p in entry)
    ]


def with_current_versions(metrics: QuerySet[Metric]) -> list[Metric]:
    """The metrics that have a version, each with `current` set to its newest (two queries
    however many metrics)."""
    newest_first = MetricVersion.objects.order_by("-version")
    rows = metrics.prefetch_related(Prefetch("versions", queryset=newest_first, to_attr="_vs"))
    result = []
    for metric in rows:
        if metric._vs:
            metric.current = metric._vs[0]
            result.append(metric)
    return result


# -- values -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """A stored value of the total (no breakdown) at one unit and period."""

    period: str
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    n: int
    small_n: bool

    @property
    def shown(self) -> Decimal | None:
        """The value a screen may show: None when n is too small."""
        return None if self.small_n else self.value


def load_points(versions: Iterable[MetricVersion], unit: OrgUnit) -> dict[int, dict[str, Point]]:
    """{version id: {period: Point}} of the total at `unit`, every period, in ONE query."""
    by_version: dict[int, dict[str, Point]] = defaultdict(dict)
    rows = MetricValue.objects.filter(
        version__in=[v.pk for v in versions], unit=unit, breakdown=""
    ).values_list("version_id", "period", "value", "low", "high", "n", "small_n")
    for version_id, period, *rest in rows:
        by_version[version_id][period] = Point(period, *rest)
    return by_version


def shift(period: str, steps: int) -> str:
    """The period `steps` periods of its own kind before `period` (after, when negative)."""
    p = periods.parse(period)
    for _step in range(abs(steps)):
        p = p.previous() if steps > 0 else p.next()
    return str(p)


def period_as_of(frequency: str, quarter: str) -> str:
    """The period of `frequency` a scorecard "as of" `quarter` shows: the quarter's last
    month, the quarter itself, or the last whole year ended by the quarter's end."""
    q = periods.parse(quarter)
    if frequency == "M":
        return str(q.months()[-1])
    if frequency == "Q":
        return str(q)
    return str(q.year if q.number == 4 else q.year - 1)


def latest_period(points: dict[str, Point]) -> str | None:
    """The latest period with a value (small n or not), or None."""
    known = [periods.parse(p) for p, point in points.items() if point.value is not None]
    return str(max(known)) if known else None


def quarter_of(period: str) -> str:
    """The quarter a period ends in (a year ends in its fourth quarter)."""
    p = periods.parse(period)
    return str(periods.period_of(p.end, "Q"))


@dataclass
class Row:
    """One metric on a scorecard: its value for `period` at the unit, and around it."""

    metric: Metric
    version: MetricVersion
    period: str | None
    point: Point | None
    year_ago: Point | None
    history: list[tuple[str, Point | None]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.version.type

    @property
    def status(self) -> str:
        """green, amber, red, or one of the grey reasons: no_target, no_value, small_n."""
        version = self.version
        if version.target is None or self.metric.direction not in ("higher", "lower"):
            return "no_target"
        if self.point is None or self.point.value is None:
            return "no_value"
        if self.point.small_n:
            return "small_n"
        return rag(self.point.value, version.target, version.amber, self.metric.direction)

    @property
    def colour(self) -> str:
        return self.status if self.status in (GREEN, AMBER, RED) else GREY

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def value_text(self) -> str:
        return format_value(self.point.shown, self.kind) if self.point else ""

    @property
    def interval_text(self) -> str:
        return interval_text(self.point, self.kind)

    @property
    def target_text(self) -> str:
        return format_value(self.version.target, self.kind)

    @property
    def change(self) -> Decimal | None:
        """The change since the same period a year earlier (None unless both are shown)."""
        now, then = self.point, self.year_ago
        if now is None or then is None or now.shown is None or then.shown is None:
            return None
        return now.shown - then.shown

    @property
    def change_text(self) -> str:
        return format_change(self.change, self.kind)

    @property
    def period_label(self) -> str:
        return period_label(self.period) if self.period else ""

    @property
    def year_ago_label(self) -> str:
        return period_label(self.year_ago.period) if self.year_ago else ""

    @property
    def sparkline(self) -> str:
        """The last eight periods as inline SVG (values with too small n are gaps)."""
        values = [as_float(p.shown) if p else None for _period, p in self.history]
        shown = [format_value(p.shown, self.kind) if p else "" for _period, p in self.history]
        words = ", ".join(
            f"{period_label(period)}: {text or '—'}"
            for (period, _p), text in zip(self.history, shown, strict=True)
        )
        return sparkline_svg(
            values,
            label=str(_("Last periods: %(values)s") % {"values": words}),
            target=as_float(self.version.target),
        )


def period_label(code: str) -> str:
    """The period in words in the active language ("2026 I kvartal", "Q1 2026")."""
    lang = (get_language() or "et")[:2]
    return periods.parse(code).label(lang if lang in periods.LANGUAGES else "en")


def build_rows(
    metrics: list[Metric], points: dict[int, dict[str, Point]], quarter: str | None = None
) -> list[Row]:
    """A row per metric (each with `current` set, see `with_current_versions`) from the
    `points` of `load_points`: the period "as of" `quarter`, or else each metric's latest
    period with a value. No queries."""
    rows = []
    for metric in metrics:
        version = metric.current
        mine = points.get(version.pk, {})
        period = period_as_of(version.frequency, quarter) if quarter else latest_period(mine)
        row = Row(metric, version, period, None, None)
        if period is not None:
            row.point = mine.get(period)
            row.year_ago = mine.get(shift(period, PER_YEAR[periods.parse(period).kind]))
            history = [shift(period, k) for k in range(SPARK_PERIODS - 1, -1, -1)]
            row.history = [(p, mine.get(p)) for p in history]
        rows.append(row)
    return rows


def quarters_in(points: dict[int, dict[str, Point]]) -> list[str]:
    """The quarters in which some period with a value ends, newest first."""
    quarters = {
        quarter_of(period)
        for by_period in points.values()
        for period, point in by_period.items()
        if point.value is not None
    }
    return sorted(quarters, key=periods.parse, reverse=True)


def grouped(rows: list[Row]) -> list[tuple[Service | None, list[Row]]]:
    """Rows grouped by owner service (service code order; metrics without one last)."""
    groups: dict[int | None, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.metric.service_id].append(row)
    keyed = sorted(
        groups.values(),
        key=lambda rs: (rs[0].metric.service is None, getattr(rs[0].metric.service, "code", "")),
    )
    return [(rs[0].metric.service, sorted(rs, key=lambda r: r.metric.code)) for rs in keyed]
