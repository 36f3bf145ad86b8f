"""The examples in seire.stats docstrings run, and the package imports no Django."""

import ast
import doctest
from pathlib import Path

import pytest

import seire.stats as stats_init
from seire.stats import association, change, estimate, means, proportions, scores


@pytest.mark.parametrize("module", [association, change, estimate, means, proportions, scores])
def test_it_passes_its_own_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def test_it_is_pure_python_without_django():
    # Read the imports of every module of the package rather than import it afresh.
    for path in Path(stats_init.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("django"), path.name
                assert not name.startswith("seire.") or name.startswith("seire.stats"), path.name


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.2])
def test_it_refuses_a_confidence_outside_zero_to_one(confidence):
    from seire import stats

    calls = [
        lambda: stats.wilson_interval(1, 2, confidence),
        lambda: stats.top_box_share([4, 5], confidence=confidence),
        lambda: stats.nps([9, 0], confidence=confidence),
        lambda: stats.mean_interval([1, 2], confidence=confidence),
        lambda: stats.paired_change([1, 2], [2, 4], confidence=confidence),
        lambda: stats.two_proportion_test(1, 2, 1, 3, confidence=confidence),
        lambda: stats.spearman_interval([1, 2, 3, 4, 5], [1, 3, 2, 5, 4], confidence),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
            call()
