"""Change proposals: propose a changed definition, backtest it, accept or reject it.

A service owner (for their own service's metrics) or the analyst proposes a definition
with a rationale; it is checked against the sources like any definition. Before deciding,
`backtest` evaluates the current version and the proposal side by side over the last
periods; the analyst then accepts it — a new `MetricVersion` effective from a chosen
period, computed at once — or rejects it with a comment. Every step is audited, and a
decision on a proposal that is no longer open (or whose metric got a newer version
meanwhile) is refused.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seire import periods
from seire.access.audit import record
from seire.access.roles import scope_for
from seire.metrics import engine
from seire.metrics.definitions import DefinitionError, check_definition
from seire.metrics.models import ChangeProposal, Metric, MetricValue, MetricVersion
from seire.organisation.models import OrgUnit

TEXTS = ("methodology_et", "methodology_en", "limitations_et", "limitations_en")
#: The fields of a version a proposal may change (the rest is carried over on acceptance).
FIELDS = (
    "type",
    "numerator",
    "denominator",
    "frequency",
    "breakdowns",
    "target",
    "amber",
    "min_n",
    *TEXTS,
)
CARRIED_OVER = ("data_quality_et", "data_quality_en", "reference")
BACKTEST_PERIODS = 8

Status = ChangeProposal.Status


class Refused(ValueError):
    """A workflow step that cannot be taken; `messages` say why (like DefinitionError)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


# -- who may do what ----------------------------------------------------------------------


def can_propose(user, metric: Metric) -> bool:
    """The analyst, and the owners of the metric's service."""
    scope = scope_for(user)
    if metric.service is None:
        return scope.everything
    return scope.can_edit_service(metric.service)


def can_decide(user) -> bool:
    """Only the analyst decides: an owner proposes for their service, someone else judges."""
    return scope_for(user).everything


# -- definitions as plain dicts -----------------------------------------------------------


def _side(spec: dict | None) -> dict | None:
    """A side with every key spelled out, so equal definitions compare equal."""
    if not spec:
        return None
    if spec.get("source") == "population":
        return {"source": "population"}
    return {
        "source": spec.get("source"),
        "measure": spec.get("measure") or "count",
        "field": spec.get("field") or None,
        "date": spec.get("date"),
        "filter": [_condition(c) for c in spec.get("filter") or []],
    }


def _condition(condition):
    """A condition with field, op ("eq" when missing) and value (None when missing) spelled
    out; anything else is left as it is for the definition check to name."""
    if not isinstance(condition, dict) or set(condition) - {"field", "op", "value"}:
        return condition
    return {
        "field": condition.get("field"),
        "op": condition.get("op", "eq"),
        "value": condition.get("value"),
    }


def _decimal_text(value) -> str | None:
    if value in (None, ""):
        return None
    return format(Decimal(str(value)).normalize(), "f")


def normalised(definition: dict) -> dict:
    """`definition` with every field of FIELDS present, sides spelled out, numbers as text."""
    return {
        "type": definition.get("type"),
        "numerator": _side(definition.get("numerator")),
        "denominator": _side(definition.get("denominator")),
        "frequency": definition.get("frequency") or MetricVersion.Frequency.QUARTERLY,
        "breakdowns": list(definition.get("breakdowns") or []),
        "target": _decimal_text(definition.get("target")),
        "amber": _decimal_text(definition.get("amber")),
        "min_n": int(definition.get("min_n") if definition.get("min_n") is not None else 10),
        **{name: definition.get(name) or "" for name in TEXTS},
    }


def definition_of(version: MetricVersion | None) -> dict:
    """The proposable fields of `version` as a normalised definition ({} for None)."""
    if version is None:
        return {}
    return normalised({name: getattr(version, name) for name in FIELDS})


def version_from(metric: Metric, definition: dict, **fields) -> MetricVersion:
    """An unsaved MetricVersion of `metric` with `definition` (and any extra `fields`)."""
    values = normalised(definition)
    for name in ("target", "amber"):
        values[name] = Decimal(values[name]) if values[name] is not None else None
    return MetricVersion(metric=metric, **values, **fields)


def _check(definition: dict) -> None:
    """Raise DefinitionError with every problem of a normalised definition."""
    problems = []
    if definition["type"] not in MetricVersion.Type.values:
        problems.append(f"type: unknown type “{definition['type']}”")
    if definition["frequency"] not in MetricVersion.Frequency.values:
        problems.append(f"frequency: unknown frequency “{definition['frequency']}”")
    if definition["min_n"] < 0:
        problems.append("smallest n: must be 0 or more")
    if problems:
        raise DefinitionError(problems)
    if not definition["numerator"]:
        raise DefinitionError(["numerator: choose a source"])
    check_definition(
        definition["type"],
        definition["numerator"],
        definition["denominator"],
        definition["breakdowns"],
    )


# -- the workflow -------------------------------------------------------------------------


def propose(user, metric: Metric, definition: dict, rationale: str) -> ChangeProposal:
    """Store a proposal; DefinitionError (every problem, each naming its place) when the
    definition does not fit the sources or changes nothing, Refused without a rationale."""
    if not can_propose(user, metric):
        raise PermissionDenied
    if not (rationale or "").strip():
        raise Refused([_("rationale: say why the definition should change")])
    try:
        definition = normalised(definition)
    except (TypeError, ValueError, InvalidOperation):
        raise DefinitionError(["target, amber and smallest n must be numbers"]) from None
    _check(definition)
    current = metric.current_version()
    if definition == definition_of(current):
        raise DefinitionError([_("the proposal is the current definition: change something")])
    proposal = ChangeProposal.objects.create(
        metric=metric,
        base_version=current,
        definition=definition,
        rationale=rationale.strip(),
        proposed_by=user,
    )
    record(
        user,
        "create",
        proposal,
        summary=f"{metric.code}: change proposed",
        changes={"definition": [None, definition]},
        reason=proposal.rationale,
    )
    return proposal


def _open_for_decision(user, proposal: ChangeProposal) -> ChangeProposal:
    """The proposal locked for update; refused unless it is still open."""
    if not can_decide(user):
        raise PermissionDenied
    current = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if not current.is_open:
        raise Refused(
            [
                _("this proposal was already %(status)s: reload the page")
                % {"status": current.get_status_display()}
            ]
        )
    return current


def effective_choices(proposal: ChangeProposal, today: date | None = None) -> list[str]:
    """Periods a proposal may take effect from: of its frequency, after the current version's
    start, from the first backtest period up to a year after the current period."""
    frequency = proposal.definition["frequency"]
    now = periods.period_of(today or timezone.localdate(), frequency)
    first, last = now, now
    for _step in range(BACKTEST_PERIODS):
        first = first.previous()
    for _step in range({"M": 12, "Q": 4, "Y": 1}[frequency]):
        last = last.next()
    base = proposal.metric.current_version()
    after = periods.parse(base.effective_from) if base and base.effective_from else None
    return [
        str(p) for p in periods.period_range(first, last) if after is None or p.start > after.end
    ]


def accept(user, proposal: ChangeProposal, effective_from: str) -> MetricVersion:
    """Create and compute the next version from the proposal, effective from the period
    `effective_from` (of the proposed frequency, after the current version's start).
    Refused when the proposal is decided already or a newer version came meanwhile."""
    with transaction.atomic():
        proposal = _open_for_decision(user, proposal)
        metric = proposal.metric
        current = metric.current_version()
        if current != proposal.base_version:
            raise Refused(
                [
                    _(
                        "the metric got version %(v)d after this proposal was made: "
                        "reject it and propose again"
                    )
                    % {"v": current.version}
                ]
            )
        period = _effective_period(proposal, current, effective_from)
        definition = normalised(proposal.definition)
        _check(definition)  # the sources may have changed since it was proposed
        carried = {name: getattr(current, name) for name in CARRIED_OVER} if current else {}
        version = version_from(
            metric,
            definition,
            version=(current.version + 1) if current else 1,
            effective_from=str(period),
            rationale=proposal.rationale,
            created_by=user,
            **carried,
        )
        version.save()
        proposal.status = Status.ACCEPTED
        proposal.effective_from = str(period)
        proposal.created_version = version
        proposal.decided_by, proposal.decided_at = user, timezone.now()
        proposal.save(
            update_fields=[
                "status",
                "effective_from",
                "created_version",
                "decided_by",
                "decided_at",
            ]
        )
        record(
            user,
            "update",
            proposal,
            summary=f"{metric.code}: proposal accepted as {version}",
            changes={
                "status": [Status.PROPOSED, Status.ACCEPTED],
                "effective_from": [None, str(period)],
            },
        )
        record(
            user,
            "create",
            version,
            changes={"effective_from": [None, str(period)]},
            reason=proposal.rationale,
        )
        engine.compute_version(version)
    return version


def _effective_period(
    proposal: ChangeProposal, current: MetricVersion | None, text: str
) -> periods.Period:
    try:
        period = periods.parse(text or "")
    except periods.PeriodError as error:
        raise Refused([_("effective from: %(e)s") % {"e": error}]) from None
    frequency = proposal.definition["frequency"]
    if period.kind != frequency:
        raise Refused(
            [
                _("effective from: choose a %(f)s period, like the new definition")
                % {"f": MetricVersion.Frequency(frequency).label}
            ]
        )
    if current is not None and current.effective_from:
        since = periods.parse(current.effective_from)
        if period.start <= since.end:
            raise Refused(
                [
                    _(
                        "effective from: version %(v)d is effective from %(p)s; "
                        "choose a later period"
                    )
                    % {"v": current.version, "p": current.effective_from}
                ]
            )
    return period


def reject(user, proposal: ChangeProposal, comment: str) -> ChangeProposal:
    """Reject the proposal, saying why (the comment is required)."""
    if not (comment or "").strip():
        raise Refused([_("comment: say why the proposal is rejected")])
    with transaction.atomic():
        proposal = _open_for_decision(user, proposal)
        proposal.status = Status.REJECTED
        proposal.decision_comment = comment.strip()
        proposal.decided_by, proposal.decided_at = user, timezone.now()
        proposal.save(update_fields=["status", "decision_comment", "decided_by", "decided_at"])
        record(
            user,
            "update",
            proposal,
            summary=f"{proposal.metric.code}: proposal rejected",
            changes={"status": [Status.PROPOSED, Status.REJECTED]},
            reason=proposal.decision_comment,
        )
    return proposal


# -- the backtest -------------------------------------------------------------------------


@dataclass
class Figure:
    """One backtest value with its n; `small_n` when the engine would say "n too small"."""

    value: Decimal | None
    n: int = 0
    small_n: bool = False

    @classmethod
    def of(cls, row: MetricValue | None, type_: str) -> "Figure":
        """The row's figure; where no record counted, 0 for a count or sum, else no value."""
        if row is not None:
            return cls(row.value, row.n, row.small_n)
        return cls(Decimal(0) if type_ in ("count", "sum") else None)


@dataclass
class Comparison:
    """One period of one unit: the current and the proposed figure."""

    period: str
    old: Figure
    new: Figure

    @property
    def difference(self) -> Decimal | None:
        """new − old, or None when either has no value."""
        if self.old.value is None or self.new.value is None:
            return None
        return self.new.value - self.old.value


@dataclass
class UnitBacktest:
    unit: OrgUnit
    rows: list[Comparison]


@dataclass
class Backtest:
    frequency: str
    periods: list[str]  # oldest first
    total: UnitBacktest | None  # the country
    areas: list[UnitBacktest]  # regions and counties, in tree order
    frequency_changed: bool


def last_periods(frequency: str, count: int, today: date | None = None) -> list[str]:
    """The `count` complete periods of `frequency` before the one holding `today`, oldest first.

    >>> last_periods("Q", 3, date(2026, 5, 10))
    ['2025Q3', '2025Q4', '2026Q1']
    """
    last = periods.period_of(today or timezone.localdate(), frequency).previous()
    first = last
    for _step in range(count - 1):
        first = first.previous()
    return [str(p) for p in periods.period_range(first, last)]


def backtest(
    proposal: ChangeProposal,
    periods: int = BACKTEST_PERIODS,
    today: date | None = None,
    units=None,
) -> Backtest:
    """The version the proposal was made against (the current one while it is open) and the
    proposal, evaluated (not stored) over the last `periods` complete periods, for the
    country and every region and county (those in the queryset `units`, when given). When
    the proposal changes the frequency, both are evaluated at the proposed one so that the
    periods line up."""
    metric = proposal.metric
    # Breakdowns are left out: the backtest shows totals, and they would only cost time.
    proposed = version_from(metric, {**proposal.definition, "breakdowns": []}, version=0)
    current = proposal.base_version
    frequency = proposed.frequency
    codes = last_periods(frequency, periods, today)
    tree = engine.Tree()
    new = _by_key(engine.evaluate(proposed, codes[0], tree), codes)
    old: dict = {}
    old_type = current.type if current is not None else ""
    if current is not None:
        at_frequency = version_from(
            metric,
            {**definition_of(current), "frequency": frequency, "breakdowns": []},
            version=current.version,
        )
        old = _by_key(engine.evaluate(at_frequency, codes[0], tree), codes)
    kinds = [OrgUnit.Kind.COUNTRY, OrgUnit.Kind.REGION, OrgUnit.Kind.COUNTY]
    shown = (units if units is not None else OrgUnit.objects).filter(kind__in=kinds)
    tables = [
        UnitBacktest(
            unit,
            [
                Comparison(
                    p,
                    Figure.of(old.get((p, unit.pk)), old_type) if current else Figure(None),
                    Figure.of(new.get((p, unit.pk)), proposed.type),
                )
                for p in codes
            ],
        )
        for unit in shown.order_by("path")
    ]
    countries = [t for t in tables if t.unit.kind == OrgUnit.Kind.COUNTRY]
    return Backtest(
        frequency=frequency,
        periods=codes,
        total=countries[0] if countries else None,
        areas=[t for t in tables if t.unit.kind != OrgUnit.Kind.COUNTRY],
        frequency_changed=current is not None and current.frequency != frequency,
    )


def _by_key(rows: list[MetricValue], codes: list[str]) -> dict[tuple[str, int], MetricValue]:
    wanted = set(codes)
    return {
        (row.period, row.unit_id): row
        for row in rows
        if row.breakdown == engine.TOTAL and row.period in wanted
    }
