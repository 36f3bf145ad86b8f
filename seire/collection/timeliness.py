"""Completeness and timeliness, from the submission records and the deadline rule alone.

A report is *expected* from a unit for a period when the unit provided the dataset's
service on some day of that period (`Provider.start`/`end`), so a closed provider stops
being expected and a reporting rate cannot exceed 100 %. Nobody presses "complete".
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seire import periods
from seire.collection.models import Dataset, Submission
from seire.organisation.models import OrgUnit, Provider


class State:
    ON_TIME = "on_time"
    LATE = "late"
    DUE = "due"  # not submitted, deadline not passed
    OVERDUE = "overdue"  # not submitted, deadline passed
    NOT_EXPECTED = "not_expected"

    LABELS = {
        ON_TIME: _("submitted on time"),
        LATE: _("submitted late"),
        DUE: _("not yet due"),
        OVERDUE: _("missing, overdue"),
        NOT_EXPECTED: _("not expected"),
    }


@dataclass(frozen=True)
class ReportState:
    unit: OrgUnit
    period: str
    state: str
    submission: Submission | None
    deadline: date

    @property
    def label(self) -> str:
        return str(State.LABELS[self.state])


def expected_units(dataset: Dataset, period: str, units=None) -> list[OrgUnit]:
    """The units from which `dataset` is expected for `period`, in tree order."""
    p = periods.parse(period)
    providers = Provider.objects.filter(service=dataset.service, start__lte=p.end).exclude(
        end__lt=p.start
    )
    if units is not None:
        providers = providers.filter(unit__in=units)
    return sorted({pr.unit for pr in providers.select_related("unit")}, key=lambda u: u.path)


def board(
    dataset: Dataset, period_codes: list[str], units=None, today: date | None = None
) -> list[list[ReportState]]:
    """Rows of units × the given periods: each report's state (NOT_EXPECTED where none)."""
    today = today or timezone.localdate()
    all_units: dict[int, OrgUnit] = {}
    expected: set[tuple[int, str]] = set()
    for period in period_codes:
        for unit in expected_units(dataset, period, units):
            all_units[unit.pk] = unit
            expected.add((unit.pk, period))
    submissions = {
        (s.unit_id, s.period): s
        for s in Submission.objects.filter(
            dataset=dataset, period__in=period_codes, unit__in=all_units.values()
        ).select_related("dataset")
    }
    rows = []
    for unit in sorted(all_units.values(), key=lambda u: u.path):
        row = []
        for period in period_codes:
            submission = submissions.get((unit.pk, period))
            deadline = dataset.deadline(period)
            row.append(
                ReportState(
                    unit,
                    period,
                    _state((unit.pk, period) in expected, submission, deadline, today),
                    submission,
                    deadline,
                )
            )
        rows.append(row)
    return rows


def _state(expected: bool, submission: Submission | None, deadline: date, today: date) -> str:
    if not expected:
        return State.NOT_EXPECTED
    if submission is not None and submission.first_submitted_at is not None:
        return State.ON_TIME if submission.on_time else State.LATE
    return State.OVERDUE if today > deadline else State.DUE


def summary(rows: list[list[ReportState]]) -> dict[str, int]:
    """Counts per state plus `expected`, and the on-time and reporting rates in percent
    over the reports already due (never above 100)."""
    counts = Counter(cell.state for row in rows for cell in row)
    due = counts[State.ON_TIME] + counts[State.LATE] + counts[State.OVERDUE]
    submitted = counts[State.ON_TIME] + counts[State.LATE]
    return {
        **{state: counts[state] for state in State.LABELS},
        "expected": due + counts[State.DUE],
        "reporting_rate": round(100 * submitted / due, 1) if due else None,
        "on_time_rate": round(100 * counts[State.ON_TIME] / due, 1) if due else None,
    }
