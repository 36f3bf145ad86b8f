"""A change proposal end to end: Olev proposes, Ann reads the backtest and accepts it.

Olev owns general victim support; he proposes, in Estonian, that "new cases" count
domestic violence only. Ann, the analyst, opens the proposal in English, sees the two
definitions side by side with the changed line marked, and the backtest over the last eight
months with the numbers the test counts itself from the episodes it made; she accepts it
from next month and the version history shows version 2. Each page leaves a screenshot and
must have no serious or critical axe-core violation.
"""

from collections import Counter

import pytest
from django.utils import timezone

from seire import periods
from seire.metrics.models import ChangeProposal
from tests.browser.conftest import DESKTOP, PHONE, axe, describe, login, screenshot
from tests.metrics.proposal_data import make_episodes, new_clients_metric

pytestmark = pytest.mark.browser


def assert_accessible(page):
    violations = axe(page)
    assert not violations, describe(violations)


def cells(root, selector):
    """The body rows of the table at `selector` (in a page or locator) as lists of cell
    texts, the row header first."""
    return [
        [c.strip() for c in row.locator("th, td").all_inner_texts()]
        for row in root.locator(f"{selector} tbody tr").all()
    ]


def test_an_owner_proposes_and_the_analyst_accepts_after_the_backtest(new_page, cast):
    this_month = periods.period_of(timezone.localdate(), "M")
    next_month = this_month.next()
    metric = new_clients_metric(cast)
    records = make_episodes(cast, str(this_month), months=10)

    # Olev proposes the change (in Estonian, the default language).
    owner = new_page()
    login(owner, cast.olev)
    owner.goto("/metrics/VS_NEW/proposals/")
    with owner.expect_navigation():
        owner.click("text=Paku muudatus")
    assert owner.input_value("#id_numerator_source") == "episodes"
    owner.select_option("#id_numerator_f0_field", "crime_type")
    owner.select_option("#id_numerator_f0_op", "eq")
    owner.fill("#id_numerator_f0_value", "domestic_violence")
    owner.fill("#id_rationale", "Uued juhtumid peaksid näitama lähisuhtevägivalla juhtumeid.")
    screenshot(owner, "proposal-form-et")
    assert_accessible(owner)
    with owner.expect_navigation():
        owner.click("form.proposal-form button[type=submit]")
    proposal = ChangeProposal.objects.get()
    assert owner.url.endswith(f"/metrics/proposals/{proposal.pk}/")
    assert owner.locator(".message--success").is_visible()
    assert owner.locator("form[action$='accept/']").count() == 0  # owners propose, not decide
    screenshot(owner, "proposal-owner-et")
    assert_accessible(owner)

    # Ann opens it from the list of proposals (in English).
    analyst = new_page("en")
    login(analyst, cast.ann)
    analyst.goto("/metrics/proposals/")
    with analyst.expect_navigation():
        analyst.click(f"text=Proposal {proposal.pk}")
    assert analyst.inner_text("h1") == "Proposed change to New cases"
    changed = analyst.locator(".side-by-side__changed")
    assert changed.count() == 1
    assert changed.locator("th").inner_text() == "Filter changed"
    assert changed.locator("td").all_inner_texts() == ["—", "crime_type = domestic_violence"]

    # The backtest: the eight complete months before this one, counted here from the records.
    months = [this_month.previous()]
    while len(months) < 8:
        months.insert(0, months[0].previous())
    every = Counter(r.month for r in records)
    dv = Counter(r.month for r in records if r.crime_type == "domestic_violence")

    def signed(n):
        return "0" if n == 0 else f"{'+' if n > 0 else '−'}{abs(n)}"

    expected = [
        [m.label("en"), str(every[str(m)]), str(dv[str(m)]), signed(dv[str(m)] - every[str(m)])]
        for m in months
    ]
    assert cells(analyst, ".backtest-total .backtest") == expected
    assert analyst.locator(".backtest-area").count() == 4  # two regions, two counties
    tartu = analyst.locator(".backtest-area", has_text="Tartu county")
    in_tartu = [r for r in records if r.county == "TARTU"]
    assert [row[1:3] for row in cells(tartu, ".backtest")] == [
        [
            str(sum(r.month == str(m) for r in in_tartu)),
            str(sum(r.month == str(m) and r.crime_type == "domestic_violence" for r in in_tartu)),
        ]
        for m in months
    ]
    screenshot(analyst, "proposal-analyst-en")
    assert_accessible(analyst)
    analyst.set_viewport_size(PHONE)
    screenshot(analyst, "proposal-analyst-phone-en")
    assert_accessible(analyst)
    analyst.set_viewport_size(DESKTOP)

    # She accepts it from next month; the history shows version 2.
    analyst.select_option("#id_effective_from", str(next_month))
    with analyst.expect_navigation():
        analyst.click("form[action$='accept/'] button")
    assert analyst.url.endswith("/metrics/VS_NEW/history/")
    assert analyst.locator(".message--success").is_visible()
    first_row = cells(analyst, ".history")[0]
    assert first_row[0].startswith("Version 2")
    assert first_row[1] == next_month.label("en")
    assert "lähisuhtevägivalla" in first_row[3]
    assert cells(analyst, ".history")[1][0].startswith("Version 1")
    screenshot(analyst, "proposal-history-en")
    assert_accessible(analyst)

    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert metric.current_version().version == 2
