"""Recomputing what a change of data affects, and the demo seed's metrics step.

`recompute_affected(dataset=..., periods=...)` after table values of a dataset changed,
`recompute_affected(episodes=True, periods=...)` after episodes or assessments were
imported: only the metrics whose numerator or denominator reads the changed source are
recomputed, and only from the earliest affected period on. Two fields reach across
periods: a WHO-5 reliable change (`reliable`) is judged against the SD of every intake, so
a new episode can move it anywhere, and `repeat_12m` of an episode closed up to a year
before the change. Metrics reading them are recomputed from further back.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from functools import partial

from django.db import transaction
from django.dispatch import receiver
from django_tasks import task

from seire import periods as period_codes
from seire.collection.signals import data_changed
from seire.metrics.engine import compute, compute_versions
from seire.metrics.models import MetricValue, MetricVersion
from seire.metrics.outcomes import refresh_outcomes

log = logging.getLogger(__name__)

DATASET_SOURCES = ("values", "submissions")
EPISODE_SOURCES = ("episodes", "outcomes", "assessments")


def current_versions() -> list[MetricVersion]:
    """The latest version of every metric, by metric code."""
    latest: dict[int, MetricVersion] = {}
    for version in MetricVersion.objects.select_related("metric").order_by("metric", "-version"):
        latest.setdefault(version.metric_id, version)
    return sorted(latest.values(), key=lambda v: v.metric.code)


def earliest(periods: Iterable[str | date] | None) -> str | None:
    """The earliest of `periods` (period codes or dates) as a period code, or None."""
    found = None
    for item in periods or []:
        period = period_codes.period_of(item, "M") if isinstance(item, date) else item
        period = period_codes.parse(str(period))
        if found is None or period.start < found.start:
            found = period
    return str(found) if found is not None else None


def _sides(version: MetricVersion) -> list[dict]:
    return [side for side in (version.numerator, version.denominator) if side]


def _reads(side: dict, dataset: str | None, episodes: bool) -> bool:
    source = side.get("source")
    if episodes and source in EPISODE_SOURCES:
        return True
    if dataset is None or source not in DATASET_SOURCES:
        return False
    for condition in side.get("filter") or []:
        if condition.get("field") == "dataset" and condition.get("op", "eq") in ("eq", "in"):
            value = condition.get("value")
            return dataset in (value if isinstance(value, list) else [value])
    return True  # reads every dataset


def _start(version: MetricVersion, first: str | None) -> str | None:
    """The first period to recompute `version` from when data from `first` on changed."""
    fields = {c.get("field") for side in _sides(version) for c in side.get("filter") or []}
    if first is None or "reliable" in fields:
        return None
    if "repeat_12m" in fields:
        start = period_codes.parse(first).start
        return str(period_codes.period_of(start.replace(year=start.year - 1), "M"))
    return first


def recompute_affected(
    dataset: str | None = None,
    periods: Iterable[str | date] | None = None,
    episodes: bool = False,
) -> dict[str, int]:
    """Recompute the metrics that read what changed; {metric code: rows stored}.

    `dataset`: the code of a dataset whose values (or submissions) changed. `episodes`:
    episodes or assessments changed (the outcomes are refreshed first). `periods`: the
    periods (codes or dates) the changed data fall in; None recomputes every period.
    Metrics that read neither are left alone.
    """
    if episodes:
        refresh_outcomes()
    first = earliest(periods)
    by_start: dict[str | None, list[MetricVersion]] = {}
    for version in current_versions():
        if any(_reads(side, dataset, episodes) for side in _sides(version)):
            by_start.setdefault(_start(version, first), []).append(version)
    result = {}
    for start, versions in by_start.items():  # the versions of one start evaluated together
        stored = compute_versions(versions, start)
        result.update({v.metric.code: stored[v.pk] for v in versions})
    return dict(sorted(result.items()))


@task()
def recompute_task(
    dataset: str | None = None, periods: list[str] | None = None, episodes: bool = False
) -> dict[str, int]:
    """`recompute_affected` as a django-tasks task (arguments JSON: period codes)."""
    return recompute_affected(dataset=dataset, periods=periods, episodes=episodes)


@receiver(data_changed, dispatch_uid="seire.metrics.recompute")
def schedule_recompute(sender, dataset=None, periods=None, episodes=False, **kwargs) -> None:
    """Enqueue `recompute_task` for a change of collected data once its transaction commits
    (nothing when it rolls back). Only the earliest period matters to the recomputation."""
    periods = list(periods) if periods is not None else None
    first = earliest(periods) if periods else None
    arguments = {
        "dataset": dataset,
        "periods": [first] if first else None,
        "episodes": bool(episodes),
    }
    transaction.on_commit(partial(_enqueue, arguments))


def _enqueue(arguments: dict) -> None:
    try:
        recompute_task.enqueue(**arguments)
    except Exception:  # the data are saved; `seire compute` catches up with the metrics
        log.exception("could not enqueue the recomputation of metrics for %s", arguments)


def compute_metrics(country, rng) -> None:
    """The demo seed's last step: pair the assessments into outcomes and compute every
    metric. Computed and created times are the end of the seeded span, not the clock, so
    the same seed gives the same database."""
    refresh_outcomes()
    compute()
    stamp = datetime.combine(country.last_day, time(18), tzinfo=UTC)
    MetricValue.objects.update(computed_at=stamp)
    MetricVersion.objects.update(created_at=stamp)
