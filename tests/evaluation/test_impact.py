"""The impact report's numbers on a hand-built data set, against independent computations."""

import json
import math
import statistics

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from seire.evaluation.impact import impact_numbers
from tests.evaluation.data import CLIENTS

pytestmark = pytest.mark.django_db


def completes():
    return [(4 * i, 4 * e) for _, _, _, i, e in CLIENTS if e is not None]


def test_it_counts_who_was_measured(plan):
    numbers = impact_numbers(plan)
    assert numbers["counts"] == {
        "episodes": 40,
        "with_intake": 40,
        "with_second": 28,
        "complete_pairs": 28,
    }
    low, high = proportion_confint(28, 40, method="wilson")
    completion = numbers["completion"]
    assert completion["value"] == pytest.approx(70.0)
    assert completion["low"] == pytest.approx(100 * low, abs=1e-4)
    assert completion["high"] == pytest.approx(100 * high, abs=1e-4)


def test_it_compares_completers_with_non_completers_at_intake(plan):
    a = [i for i, _ in completes()]
    b = [4 * i for _, _, _, i, e in CLIENTS if e is None]
    pooled = math.sqrt(
        ((len(a) - 1) * statistics.variance(a) + (len(b) - 1) * statistics.variance(b))
        / (len(a) + len(b) - 2)
    )
    expected = (statistics.mean(a) - statistics.mean(b)) / pooled
    attrition = impact_numbers(plan)["attrition"]
    assert attrition["shown"]
    assert attrition["difference"] == pytest.approx(expected, abs=1e-6)
    assert attrition["imbalanced"] == (abs(expected) >= 0.2)
    assert attrition["completers_mean"] == pytest.approx(statistics.mean(a))


def test_it_gives_the_mean_change_with_its_t_interval_and_d_z(plan):
    before, after = zip(*completes(), strict=True)
    diff = np.array(after, float) - np.array(before, float)
    n = len(diff)
    half = sps.t.ppf(0.975, n - 1) * diff.std(ddof=1) / math.sqrt(n)
    overall = impact_numbers(plan)["overall"]
    assert overall["n"] == n == 28
    assert overall["change"]["value"] == pytest.approx(diff.mean(), abs=1e-6)
    assert overall["change"]["low"] == pytest.approx(diff.mean() - half, abs=1e-6)
    assert overall["change"]["high"] == pytest.approx(diff.mean() + half, abs=1e-6)
    assert overall["d_z"]["value"] == pytest.approx(diff.mean() / diff.std(ddof=1), abs=1e-6)
    assert overall["t_test_p"] == pytest.approx(sps.ttest_rel(after, before).pvalue, abs=1e-6)


def test_it_classes_reliable_change_with_the_catalogue_sd_and_reliability(plan):
    # WHO-5: SD 19.5, r 0.81 → a change of more than 1.96·√2·19.5·√0.19 ≈ 23.56 points
    limit = 1.96 * math.sqrt(2) * 19.5 * math.sqrt(1 - 0.81)
    changes = [e - i for i, e in completes()]
    improved = sum(1 for c in changes if c > limit)
    deteriorated = sum(1 for c in changes if c < -limit)
    reliable = impact_numbers(plan)["overall"]["reliable"]
    assert reliable["improved"]["count"] == improved == 11
    assert reliable["deteriorated"]["count"] == deteriorated == 0
    low, high = proportion_confint(improved, 28, method="wilson")
    assert reliable["improved"]["low"] == pytest.approx(100 * low, abs=1e-4)
    assert reliable["improved"]["high"] == pytest.approx(100 * high, abs=1e-4)


def test_it_counts_who_crossed_the_who5_cut_offs(plan):
    pairs = completes()
    below = [(i, e) for i, e in pairs if i <= 50]
    crossed = sum(1 for _, e in below if e > 50)
    cutoffs = {c["code"]: c for c in impact_numbers(plan)["overall"]["cutoffs"]}
    assert cutoffs["poor"]["crossed"]["n"] == len(below)
    assert cutoffs["poor"]["crossed"]["count"] == crossed
    assert cutoffs["depression"]["at_intake"]["count"] == sum(1 for i, _ in pairs if i <= 28)


def test_it_never_shows_a_subgroup_below_the_minimum_n(plan):
    numbers = impact_numbers(plan)
    gender = {e["code"]: e for e in numbers["subgroups"]["gender"]}
    # three clients of other/unknown gender: hidden, without any number
    assert gender["other_unknown"] == {"code": "other_unknown", "shown": False, "held_back": False}
    # it alone would be recoverable from the total and the others: the smallest other group
    # (11 men) is held back too
    assert gender["male"] == {"code": "male", "shown": False, "held_back": True}
    assert gender["female"]["shown"] and gender["female"]["n"] == 14
    assert "subgroups_suppressed" in numbers["limitations"]


def test_a_higher_minimum_hides_every_small_group(cast, plan):
    plan.pk = None
    plan.locked_at = None
    plan.minimum_n = 15
    plan.save()
    numbers = impact_numbers(plan)
    assert all(not e["shown"] for e in numbers["subgroups"]["gender"])
    assert numbers["overall"]["shown"]  # 28 pairs in all


def test_it_states_that_there_is_no_comparison_group(plan):
    limitations = impact_numbers(plan)["limitations"]
    assert limitations[0] == "no_comparison_group"
    assert "regression_to_the_mean" in limitations


def test_a_rerun_on_unchanged_data_gives_the_same_bytes(plan):
    first = json.dumps(impact_numbers(plan), sort_keys=True)
    second = json.dumps(impact_numbers(plan), sort_keys=True)
    assert first == second
    assert '"value": NaN' not in first


def test_small_groups_that_together_stay_small_hide_the_next_one_too(cast, plan):
    from seire.collection.models import Episode

    # Two women become "other/unknown" (3 → 5): with a minimum of 10 the gender breakdown
    # hides other/unknown (5), then men (11), 16 hidden in all; women (12) stay shown.
    women = Episode.objects.filter(gender="female", assessments__timepoint="exit").distinct()
    for episode in women.order_by("pk")[:2]:
        episode.gender = "other_unknown"
        episode.save()
    gender = {e["code"]: e for e in impact_numbers(plan)["subgroups"]["gender"]}
    assert not gender["other_unknown"]["shown"] and not gender["male"]["shown"]
    assert gender["male"]["held_back"]
    assert gender["female"]["n"] == 12


def test_groups_hidden_together_reaching_the_minimum_hide_no_more(cast, plan):
    from seire.collection.models import Episode

    # crime types of the complete pairs: domestic violence 14, other violence 11, sexual
    # violence 3; five men moved to sexual violence leave 6 and 8: both hidden, 14 together,
    # so domestic violence stays shown
    men = Episode.objects.filter(gender="male").order_by("pk")[:5]
    Episode.objects.filter(pk__in=[e.pk for e in men]).update(crime_type="sexual_violence")
    crimes = {e["code"]: e for e in impact_numbers(plan)["subgroups"]["crime_type"]}
    assert crimes["domestic_violence"]["shown"] and crimes["domestic_violence"]["n"] == 14
    assert crimes["other_violence"] == {
        "code": "other_violence",
        "shown": False,
        "held_back": False,
    }
    assert crimes["sexual_violence"] == {
        "code": "sexual_violence",
        "shown": False,
        "held_back": False,
    }
