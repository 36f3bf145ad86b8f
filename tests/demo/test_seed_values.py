"""`seire seed`'s data-collection steps: values that obey the hard rules, late and missing
reports at DOMAIN.md's shares, episodes and assessments at its magnitudes."""

import random
from datetime import date
from statistics import mean
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from seire.collection.models import Assessment, Dataset, DataValue, Episode, Submission
from seire.collection.validation import run_rules
from seire.demo.values import expected_reports
from seire.organisation.models import OrgUnit


@pytest.fixture
def seeded(db):
    call_command("seed", scale=0.1, years=1, verbosity=0)


def test_every_table_has_values_that_obey_every_hard_rule(seeded):
    reports = sorted(
        set(DataValue.objects.values_list("element__dataset__code", "unit__code", "period"))
    )
    assert {code for code, _, _ in reports} == set(Dataset.objects.values_list("code", flat=True))
    datasets = {d.code: d for d in Dataset.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    sample = random.Random(7).sample(reports, 120)
    checked = 0
    for code, unit, period in sample:
        results = run_rules(datasets[code], units[unit], period)
        checked += sum(1 for r in results if r.hard)
        broken = [r.rule.code for r in results if r.hard and not r.passed]
        assert not broken, (code, unit, period, broken)
    assert checked > 200


def test_values_are_written_by_the_seed_channel_with_decimal_hours(seeded):
    assert set(DataValue.objects.values_list("channel", flat=True)) == {"seed"}
    hours = DataValue.objects.filter(element__code="HOURS").values_list("value", flat=True)
    assert all((v * 2) % 1 == 0 for v in hours)
    assert any(v % 1 for v in hours)  # half hours do occur


def test_late_and_missing_reports_are_few(db):
    call_command("seed", scale=0.1, years=3, verbosity=0)
    span = SimpleNamespace(first_day=date(2023, 1, 1), last_day=date(2025, 12, 31))
    expected = sum(len(units) for _, _, units in expected_reports(span))
    submissions = list(Submission.objects.select_related("dataset"))
    missing = expected - len(submissions)
    late = sum(1 for s in submissions if s.on_time is False)
    assert 0.003 <= missing / expected <= 0.02, (missing, expected)
    assert 0.02 <= late / expected <= 0.05, (late, expected)
    assert all(s.first_submitted_at is not None for s in submissions)
    assert {s.status for s in submissions} == {"approved", "submitted"}
    filled = set(DataValue.objects.values_list("element__dataset_id", "unit_id", "period"))
    assert filled == {(s.dataset_id, s.unit_id, s.period) for s in submissions}


def test_episodes_follow_the_domain_magnitudes(seeded):
    episodes = list(Episode.objects.select_related("county"))
    assert len(episodes) == 400  # 4 000 new cases a year × 0.1
    share = lambda test: sum(1 for e in episodes if test(e)) / len(episodes)  # noqa: E731
    assert 0.62 <= share(lambda e: e.gender == "female") <= 0.82
    assert 0.62 <= share(lambda e: e.crime_type == "domestic_violence") <= 0.82
    assert 0.68 <= share(lambda e: e.referral_source == "police") <= 0.86
    assert 0.34 <= share(lambda e: e.county.code == "HARJU") <= 0.51
    assert all(e.closed is None or 1 <= (e.closed - e.opened).days <= 120 for e in episodes)
    assert 0.7 <= share(lambda e: e.closed is not None) <= 0.95
    assert all(e.client_key.startswith("ck1_") for e in episodes)
    assert len({e.client_key for e in episodes}) < len(episodes)  # some clients come back


def test_assessments_improve_from_intake_to_exit(seeded):
    episodes = Episode.objects.count()
    closed = Episode.objects.exclude(closed=None).count()
    who5 = Assessment.objects.filter(instrument="WHO5")
    intake = [sum(a.items) * 4 for a in who5.filter(timepoint="intake")]
    exit_ = [sum(a.items) * 4 for a in who5.filter(timepoint="exit")]
    assert 0.6 <= len(intake) / episodes <= 0.8
    assert 0.4 <= len(exit_) / closed <= 0.6
    assert 33 <= mean(intake) <= 47 and 48 <= mean(exit_) <= 62
    assert all(0 <= i <= 5 for a in who5 for i in a.items)
    for code in ("SAFETY", "COPING"):
        rows = Assessment.objects.filter(instrument=code)
        assert all(len(a.items) == 1 and 0 <= a.items[0] <= 10 for a in rows)
        first = mean(a.items[0] for a in rows.filter(timepoint="intake"))
        last = mean(a.items[0] for a in rows.filter(timepoint="exit"))
        assert 3 <= first <= 5 and 5 <= last <= 7
