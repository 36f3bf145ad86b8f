import pytest

from tests.evaluation.data import impact_data, vs_plan


@pytest.fixture
def plan(cast):
    """A locked WHO-5 plan of VS over the hand-built 2025 episodes."""
    impact_data(cast)
    return vs_plan(cast)
