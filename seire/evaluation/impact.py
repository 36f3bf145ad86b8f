"""The numbers of an impact report for one analysis plan — plain, JSON-safe, deterministic.

`impact_numbers(plan)` reads the plan's population (episodes of its service opened in its
periods), scores the first intake and the last exit (or follow-up) assessment of the plan's
instrument, and returns a dict of numbers only: counts, completion and the attrition check,
the mean change with its interval and d_z, reliable-change classes, cut-off crossing,
subgroups and the limitation codes the design implies. Words are the template's business.

Subgroups with fewer clients than the plan's minimum n carry no numbers at all — not even
their n — and while the groups held back add up to fewer than the minimum, the next smallest
is held back too, so that no small group's figures can be worked out from the total and the
others.
All statistics come from `seire.stats`; every float is rounded to 6 decimals, so a rerun on
unchanged data gives the same bytes.
"""

import statistics
from collections import Counter
from dataclasses import dataclass

from seire import stats
from seire.collection.models import Assessment, Episode
from seire.evaluation.models import AnalysisPlan

PLACES = 6
RCI_CLASSES = ("improved", "unchanged", "deteriorated")
LOW_COMPLETION = 60.0  # percent: below this the completers may not speak for everyone
ATTRITION_IMBALANCE = 0.2  # |standardised difference| (Austin 2009: 0.1–0.2 is notable)


@dataclass(frozen=True)
class Pair:
    """One episode of the population: its subgroup codes and its two scores (None: absent)."""

    episode_id: int
    service: str
    gender: str
    age_group: str
    crime_type: str
    comparison_group: bool | None
    intake: float | None
    second: float | None


def r(value):
    """`value` rounded for the report (None and non-finite numbers become None)."""
    if value is None:
        return None
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return round(value, PLACES)


def estimate(est, scale: float = 1.0) -> dict:
    """An `Estimate` as a dict, scaled (a share 0–1 → percent with scale 100)."""
    return {
        "value": r(None if est.value is None else est.value * scale),
        "low": r(None if est.low is None else est.low * scale),
        "high": r(None if est.high is None else est.high * scale),
        "n": int(est.n),
    }


def share(successes: int, n: int) -> dict:
    """A percentage with its Wilson interval (value None when n is 0)."""
    if n == 0:
        return {"value": None, "low": None, "high": None, "n": 0, "count": 0}
    low, high = stats.wilson_interval(successes, n)
    return {
        "value": r(100 * successes / n),
        "low": r(100 * low),
        "high": r(100 * high),
        "n": n,
        "count": successes,
    }


# -- the population -------------------------------------------------------------------------
def pairs(plan: AnalysisPlan) -> list[Pair]:
    """The plan's population, one `Pair` per episode in episode order."""
    first, last = plan.period_bounds()
    episodes = Episode.objects.filter(opened__gte=first, opened__lte=last)
    if plan.service_id:
        episodes = episodes.filter(service_id=plan.service_id)
    instrument = plan.instrument
    second = plan.second_timepoint
    scores: dict[int, dict[str, float]] = {}
    assessments = (
        Assessment.objects.filter(
            episode__in=episodes, instrument=instrument.code, timepoint__in=("intake", second)
        )
        .order_by("assessed_on", "pk")
        .values_list("episode_id", "timepoint", "items")
    )
    for episode_id, timepoint, items in assessments.iterator(chunk_size=5000):
        value = instrument.score(items)
        if value is None:
            continue
        slot = scores.setdefault(episode_id, {})
        if timepoint == "intake":
            slot.setdefault("intake", value)  # the first intake counts
        else:
            slot["second"] = value  # the last exit / follow-up counts
    rows = []
    for pk, service, gender, age, crime, comparison in episodes.order_by("pk").values_list(
        "pk", "service__code", "gender", "age_group", "crime_type", "comparison_group"
    ):
        slot = scores.get(pk, {})
        rows.append(
            Pair(
                pk,
                service,
                gender or "unknown",
                age or "unknown",
                crime or "unknown",
                comparison,
                slot.get("intake"),
                slot.get("second"),
            )
        )
    return rows


# -- the report -----------------------------------------------------------------------------
def impact_numbers(plan: AnalysisPlan, rows: list[Pair] | None = None) -> dict:
    """Every number of the plan's impact report (see the module docstring)."""
    rows = pairs(plan) if rows is None else rows
    instrument = plan.instrument
    minimum = plan.minimum_n
    with_intake = [p for p in rows if p.intake is not None]
    complete = [p for p in with_intake if p.second is not None]
    served = [p for p in complete if not p.comparison_group]  # a comparison group apart
    intake_scores = [p.intake for p in with_intake]
    sd, sd_source = _sd(instrument, intake_scores)
    numbers = {
        "plan": plan.pk,
        "minimum_n": minimum,
        "counts": {
            "episodes": len(rows),
            "with_intake": len(with_intake),
            "with_second": sum(1 for p in rows if p.second is not None),
            "complete_pairs": len(complete),
        },
        "completion": share(len(complete), len(with_intake)),
        "attrition": _attrition(complete, [p for p in with_intake if p.second is None], minimum),
        "sd": {"value": r(sd), "source": sd_source},
        "overall": _outcomes(served, instrument, sd, minimum),
        "subgroups": {
            name: _subgroups(served, name, instrument, sd, minimum) for name in plan.subgroups
        },
    }
    numbers["comparison"] = _comparison(complete, minimum)
    numbers["limitations"] = _limitations(plan, rows, numbers)
    return numbers


def _sd(instrument, intake_scores: list[float]) -> tuple[float | None, str]:
    """The SD of the reliable-change criterion: the catalogue's reference SD, else the SD of
    the population's own intake scores (the report says which)."""
    if instrument.reference_sd:
        return instrument.reference_sd, "reference"
    if len(intake_scores) >= 2:
        return statistics.stdev(intake_scores), "intake"
    return None, "none"


def _attrition(completers: list[Pair], others: list[Pair], minimum: int) -> dict:
    """Intake scores of those with and without a second measure, and their standardised
    difference (positive: completers started higher)."""
    a = [p.intake for p in completers]
    b = [p.intake for p in others]
    result = {"completers": len(a), "non_completers": len(b), "shown": False}
    if len(a) < minimum or len(b) < minimum:
        return result
    difference = stats.standardised_difference(a, b)
    value = getattr(difference, "value", difference)
    result.update(
        shown=True,
        completers_mean=r(sum(a) / len(a)),
        non_completers_mean=r(sum(b) / len(b)),
        difference=r(value),
        difference_low=r(getattr(difference, "low", None)),
        difference_high=r(getattr(difference, "high", None)),
        imbalanced=value is not None and abs(value) >= ATTRITION_IMBALANCE,
    )
    return result


def _outcomes(group: list[Pair], instrument, sd, minimum: int) -> dict:
    """Change, reliable change and cut-off crossing of one group of complete pairs; only
    {"shown": False} when the group is smaller than `minimum`."""
    n = len(group)
    if n < minimum:
        return {"shown": False}
    before = [p.intake for p in group]
    after = [p.second for p in group]
    change = stats.paired_change(before, after)
    result = {
        "shown": True,
        "n": n,
        "intake_mean": r(sum(before) / n),
        "second_mean": r(sum(after) / n),
        "change": estimate(change.mean_difference),
        "d_z": estimate(change.d_z),
        "t_test_p": r(change.t_test_p),
        "wilcoxon_p": r(change.wilcoxon_p),
        "reliable": None,
        "cutoffs": [],
    }
    if instrument.reliability and sd:
        classes = Counter(
            stats.reliable_change(
                before,
                after,
                sd=sd,
                reliability=instrument.reliability,
                higher_is_better=instrument.higher_is_better,
            )
        )
        result["reliable"] = {name: share(classes[name], n) for name in RCI_CLASSES}
    for cutoff in instrument.cutoffs:
        line = cutoff["at_or_below"]
        below = [p for p in group if p.intake <= line]
        crossed = sum(1 for p in below if p.second > line)
        result["cutoffs"].append(
            {
                "code": cutoff["code"],
                "at_or_below": r(line),
                "at_intake": share(len(below), n),
                "at_second": share(sum(1 for p in group if p.second <= line), n),
                "crossed": share(crossed, len(below)),
            }
        )
    return result


def _subgroups(group: list[Pair], attribute: str, instrument, sd, minimum: int) -> list[dict]:
    """One entry per value of `attribute` (in code order); small groups carry no numbers."""
    by_value: dict[str, list[Pair]] = {}
    for pair in group:
        by_value.setdefault(getattr(pair, attribute), []).append(pair)
    small = {code for code, members in by_value.items() if len(members) < minimum}
    shown = sorted((len(m), code) for code, m in by_value.items() if code not in small)
    held_back = set()
    hidden = sum(len(by_value[code]) for code in small)
    while small and hidden < minimum and shown:
        # The hidden groups together could be recovered from the total and the others:
        # hide the next smallest too, until what is hidden is at least the minimum n.
        size, code = shown.pop(0)
        held_back.add(code)
        hidden += size
    entries = []
    for code in sorted(by_value):
        if code in small or code in held_back:
            entries.append({"code": code, "shown": False, "held_back": code in held_back})
        else:
            entries.append({"code": code, **_outcomes(by_value[code], instrument, sd, minimum)})
    return entries


def _comparison(complete: list[Pair], minimum: int) -> dict:
    """Difference in differences against the episodes marked as a comparison group (e.g. a
    waiting list), when both groups have at least `minimum` complete pairs."""
    treated = [p for p in complete if not p.comparison_group]
    comparison = [p for p in complete if p.comparison_group]
    result = {"available": bool(comparison), "shown": False}
    if len(treated) < minimum or len(comparison) < minimum:
        return result
    did = stats.difference_in_differences(
        [p.intake for p in treated],
        [p.second for p in treated],
        [p.intake for p in comparison],
        [p.second for p in comparison],
    )
    result.update(
        shown=True,
        treated=len(treated),
        compared=len(comparison),
        difference=estimate(did),
    )
    return result


def _limitations(plan: AnalysisPlan, rows: list[Pair], numbers: dict) -> list[str]:
    """Codes of what the design cannot show, in the order the report states them."""
    codes = []
    if numbers["comparison"]["shown"]:
        codes.append("comparison_not_randomised")
    elif numbers["comparison"]["available"]:
        codes.append("comparison_group_too_small")
    else:
        codes.append("no_comparison_group")
    codes.append("regression_to_the_mean")
    completion = numbers["completion"]["value"]
    if completion is None or completion < LOW_COMPLETION:
        codes.append("low_completion")
    if numbers["attrition"].get("imbalanced"):
        codes.append("attrition_imbalance")
    elif not numbers["attrition"]["shown"]:
        codes.append("attrition_unchecked")
    if not plan.instrument.reliability:
        codes.append("no_reliability")
    elif numbers["sd"]["source"] == "intake":
        codes.append("sd_from_intake")
    if any(not e["shown"] for entries in numbers["subgroups"].values() for e in entries):
        codes.append("subgroups_suppressed")
    if plan.subgroups:
        codes.append("subgroups_exploratory")
    codes.append("self_report")
    return codes
