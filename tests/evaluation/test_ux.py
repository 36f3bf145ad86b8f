"""The user-experience report's numbers on hand-built responses, checked independently."""

import json
import math

import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from seire.evaluation.ux import ux_numbers
from seire.feedback.items import FeedbackItem
from tests.evaluation.data import ux_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(cast):
    return ux_data(cast)


def test_it_gives_the_response_rate_of_invitations(cast, made):
    current = ux_numbers(cast.vs, None, "2025Q1")["current"]
    assert (current["invitations"], current["invited_responses"]) == (100, 25)
    assert current["other_responses"] == 5
    low, high = proportion_confint(25, 100, method="wilson")
    assert current["response_rate"]["value"] == pytest.approx(25.0)
    assert current["response_rate"]["low"] == pytest.approx(100 * low, abs=1e-4)
    assert current["response_rate"]["high"] == pytest.approx(100 * high, abs=1e-4)


def test_it_gives_csat_nps_and_effort_with_intervals(cast, made):
    rows = made["2025Q1"]
    n = len(rows)
    current = ux_numbers(cast.vs, None, "2025Q1")["current"]
    satisfied = sum(1 for s, *_ in rows if s >= 4)
    low, high = proportion_confint(satisfied, n, method="wilson")
    assert current["csat"]["value"] == pytest.approx(100 * satisfied / n)
    assert current["csat"]["low"] == pytest.approx(100 * low, abs=1e-4)
    assert current["csat"]["high"] == pytest.approx(100 * high, abs=1e-4)
    pro = sum(1 for _, r, *_ in rows if r >= 9) / n
    det = sum(1 for _, r, *_ in rows if r <= 6) / n
    half = 1.959964 * 100 * math.sqrt((pro + det - (pro - det) ** 2) / n)
    assert current["nps"]["value"] == pytest.approx(100 * (pro - det))
    assert current["nps"]["low"] == pytest.approx(100 * (pro - det) - half, abs=1e-3)
    efforts = [e for _, _, e, _ in rows]
    mean = sum(efforts) / n
    sd = math.sqrt(sum((e - mean) ** 2 for e in efforts) / (n - 1))
    t = sps.t.ppf(0.975, n - 1)
    assert current["effort"]["value"] == pytest.approx(mean)
    assert current["effort"]["high"] == pytest.approx(mean + t * sd / math.sqrt(n), abs=1e-6)


def test_it_tests_changes_and_adjusts_them_together(cast, made):
    numbers = ux_numbers(cast.vs, None, "2025Q1")
    tests = numbers["tests"]
    # no invitations in the periods compared: the response rate is not compared
    assert {t["measure"] for t in tests} == {"csat", "promoters", "easy"}
    assert {t["against"] for t in tests} == {"previous", "last_year"}
    csat_prev = next(t for t in tests if t["measure"] == "csat" and t["against"] == "previous")
    now, then = made["2025Q1"], made["2024Q4"]
    p1 = sum(1 for s, *_ in now if s >= 4) / len(now)
    p2 = sum(1 for s, *_ in then if s >= 4) / len(then)
    assert csat_prev["difference"] == pytest.approx(100 * (p1 - p2), abs=1e-4)
    table = [[p1 * len(now), (1 - p1) * len(now)], [p2 * len(then), (1 - p2) * len(then)]]
    chi2 = sps.chi2_contingency(table, correction=False)
    assert csat_prev["p"] == pytest.approx(chi2.pvalue, abs=1e-6)
    adjusted = multipletests([t["p"] for t in tests], method="holm")[1]
    assert [t["p_holm"] for t in tests] == pytest.approx(list(adjusted), abs=1e-5)


def test_it_ranks_the_drivers_of_satisfaction(cast, made):
    rows = made["2025Q1"]
    drivers = {d["question"]: d for d in ux_numbers(cast.vs, None, "2025Q1")["current"]["drivers"]}
    assert set(drivers) == {"recommend", "effort", "respected"}
    rho = sps.spearmanr([r for _, r, *_ in rows], [s for s, *_ in rows]).statistic
    assert drivers["recommend"]["value"] == pytest.approx(rho, abs=1e-6)
    respected = {"yes": 2, "partly": 1, "no": 0}
    rho = sps.spearmanr([respected[x] for *_, x in rows], [s for s, *_ in rows]).statistic
    assert drivers["respected"]["value"] == pytest.approx(rho, abs=1e-6)


def test_it_hides_figures_of_fewer_than_ten_answers(cast, made):
    numbers = ux_numbers(cast.vs, cast.tartu_vs, "2025Q1")
    assert numbers["current"]["csat"]["value"] is None
    assert numbers["current"]["csat"]["small"]
    assert numbers["tests"] == []


def test_a_rerun_on_unchanged_data_gives_the_same_bytes(cast, made):
    first = json.dumps(ux_numbers(cast.vs, None, "2025Q1"), sort_keys=True)
    assert first == json.dumps(ux_numbers(cast.vs, None, "2025Q1"), sort_keys=True)


def _code_items(cast, period_months: list[str], plan) -> list:
    """Feedback items on the VS responses of the given months, as `plan` says per item:
    (themes, sentiment, quoted, needs_review)."""
    from seire.feedback.models import Response

    responses = Response.objects.filter(service=cast.vs, period__in=period_months).order_by("pk")
    items = []
    for response, (item_themes, mood, quoted, review) in zip(responses, plan, strict=False):
        items.append(
            FeedbackItem.objects.create(
                response=response,
                service=cast.vs,
                unit=response.unit,
                period=response.period,
                received_on=response.submitted_on,
                text=f"Tekst {response.pk} [telefon]",
                needs_review=review,
                themes=item_themes,
                sentiment=mood,
                severity="low",
                quoted=quoted,
                due_on=response.submitted_on,
            )
        )
    return items


def test_it_gives_theme_shares_the_sentiment_trend_and_the_chosen_verbatims(cast, made):
    months = ["2025M01", "2025M02", "2025M03"]
    plan = (
        [(["waiting_time"], "negative", True, False)] * 5  # five quoted: three are shown
        + [(["staff_attitude", "waiting_time"], "positive", False, False)] * 4
        + [(["staff_attitude"], "positive", True, True)]  # redaction failed: never quoted
        + [(["information"], "mixed", True, False)]
        + [([], "neutral", False, False)]
    )
    items = _code_items(cast, months, plan)
    earliest = sorted(items[:5], key=lambda i: (i.received_on, i.pk))  # in order received
    FeedbackItem.objects.filter(pk=earliest[1].pk).update(text=earliest[0].text)  # said twice
    numbers = ux_numbers(cast.vs, None, "2025Q1")["themes"]
    n = len(items)
    assert numbers["items"] == n == 12
    shares = {t["theme"]: t for t in numbers["themes"]}
    for theme, count in (("waiting_time", 9), ("staff_attitude", 5), ("information", 1)):
        low, high = proportion_confint(count, n, method="wilson")
        assert shares[theme]["value"] == pytest.approx(100 * count / n)
        assert (shares[theme]["low"], shares[theme]["high"]) == (
            pytest.approx(100 * low, abs=1e-4),
            pytest.approx(100 * high, abs=1e-4),
        )
    assert [t["theme"] for t in numbers["themes"]] == [
        "waiting_time",
        "staff_attitude",
        "information",
    ]
    quotes = {v["theme"]: [q["pk"] for q in v["quotes"]] for v in numbers["verbatims"]}
    shown = [earliest[0].pk, earliest[2].pk, earliest[3].pk]  # the same words once
    assert quotes == {"waiting_time": shown, "information": [items[10].pk]}
    # the trend: a month of fewer than ten items shows no shares, only its n
    trend = {m["period"]: m for m in numbers["sentiment_trend"]}
    assert len(trend) == 12 and list(trend)[-1] == "2025M03"
    per_month = {m: sum(1 for i in items if i.period == m) for m in months}
    assert sum(trend[m]["n"] for m in months) == n
    for month in months:
        assert trend[month]["n"] == per_month[month]
        assert (trend[month]["shares"] == {}) == (per_month[month] < 10)


def test_the_sentiment_of_a_month_with_enough_items_is_shared(cast, made):
    plan = [(["safety"], "negative", False, False)] * 3 + [([], "positive", False, False)] * 7
    items = _code_items(cast, ["2025M01"], plan)
    assert len(items) == 10
    month = ux_numbers(cast.vs, None, "2025M01")["themes"]["sentiment_trend"][-1]
    assert month["period"] == "2025M01" and month["n"] == 10
    assert month["shares"]["negative"]["value"] == pytest.approx(30.0)
    assert month["shares"]["positive"]["value"] == pytest.approx(70.0)
    assert month["shares"]["mixed"]["value"] == 0
