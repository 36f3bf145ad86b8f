"""The metrics benchmark's pandas implementation (`bench/bench_metrics.py`) reproduces every
value the engine stores, on a small synthetic country: so the benchmark compares the engine
with an implementation of the same metrics, and each checks the other."""

import pytest

from bench.bench_metrics import _agreement, pandas_metrics
from seire.demo.seed import seed
from seire.metrics.engine import compute
from seire.metrics.recompute import current_versions


@pytest.fixture
def country(db):
    seed(seed=1, years=2, scale=0.05)  # loads the catalogue and computes every metric


def test_the_pandas_metrics_agree_with_every_stored_value(country):
    versions = current_versions()
    sources = {side["source"] for v in versions for side in (v.numerator, v.denominator) if side}
    assert {"episodes", "outcomes", "values", "feedback", "feedback_items"} <= sources
    compute()
    results = pandas_metrics(versions)
    assert set(results) == {v.metric.code for v in versions}
    agree, total, example = _agreement(versions, results)
    assert total > 1000
    assert agree == total, example
