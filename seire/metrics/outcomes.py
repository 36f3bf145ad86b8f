"""Pairing intake and exit assessments into `Outcome` rows, with reliable change.

Scores: the instrument's items summed × its multiplier (WHO-5: raw 0–25 × 4), only when
every item is present. Reliable change (Jacobson & Truax 1991): S_diff = SD·√2·√(1 − r);
|change| > 1.96·S_diff is reliable. SD and r come from the instrument catalogue; without a
catalogue SD the SD of the intake scores of all episodes is used.
"""

import math
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from seire.collection.models import Assessment
from seire.collection.vocabulary import instrument as instrument_info
from seire.metrics.models import Outcome


def score(code: str, items: list) -> Decimal | None:
    """The instrument score of `items`, or None when an item is missing."""
    info = instrument_info(code)
    if not info.scored or len(items) != info.item_count or any(i is None for i in items):
        return None
    return Decimal(str(sum(float(i) for i in items) * info.multiplier))


def refresh_outcomes(episode_ids=None) -> int:
    """Rebuild the Outcome rows of the given episodes (all when None); returns rows stored."""
    assessments = Assessment.objects.filter(timepoint__in=("intake", "exit"))
    if episode_ids is not None:
        assessments = assessments.filter(episode_id__in=list(episode_ids))
    pairs: dict[tuple[int, str], dict] = defaultdict(dict)
    ordered = assessments.order_by("assessed_on", "pk")
    for episode_id, code, timepoint, items in ordered.values_list(
        "episode_id", "instrument", "timepoint", "items"
    ):
        try:
            value = score(code, items)
        except KeyError:
            continue  # an instrument the catalogue does not score
        if value is None:
            continue
        slot = pairs[(episode_id, code)]
        # the first intake and the last exit count
        if timepoint == "intake":
            slot.setdefault("intake", value)
        else:
            slot["exit"] = value
    thresholds = {code: _threshold(code, pairs) for code in {c for _, c in pairs}}
    rows = []
    for (episode_id, code), slot in pairs.items():
        intake, exit_ = slot.get("intake"), slot.get("exit")
        change = exit_ - intake if intake is not None and exit_ is not None else None
        reliable = ""
        if change is not None and thresholds[code] is not None:
            limit = thresholds[code]
            reliable = (
                "improved" if change > limit else "deteriorated" if change < -limit else "unchanged"
            )
        rows.append(
            Outcome(
                episode_id=episode_id,
                instrument=code,
                intake=intake,
                exit=exit_,
                change=change,
                reliable=reliable,
            )
        )
    with transaction.atomic():
        stale = Outcome.objects.all()
        if episode_ids is not None:
            stale = stale.filter(episode_id__in=list(episode_ids))
        stale.delete()
        Outcome.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _threshold(code: str, pairs) -> Decimal | None:
    """1.96 · S_diff for the instrument, or None without a reliability."""
    info = instrument_info(code)
    if info.reliability is None:
        return None
    sd = info.sd
    if sd is None:
        intakes = [float(s["intake"]) for (_, c), s in pairs.items() if c == code and "intake" in s]
        if len(intakes) < 2:
            return None
        sd = statistics.stdev(intakes)
    return Decimal(str(1.96 * sd * math.sqrt(2) * math.sqrt(1 - info.reliability)))
