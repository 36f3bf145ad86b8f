"""The demo country has a locked analysis plan for victim support, and its report runs."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from seire.evaluation.impact import impact_numbers
from seire.evaluation.models import AnalysisPlan


@pytest.mark.django_db
def test_the_demo_has_a_locked_plan_written_before_its_data_with_a_report():
    call_command("seed", verbosity=0, years=1, scale=0.05)
    plan = AnalysisPlan.objects.get()
    assert plan.service.code == "VS" and plan.instrument.code == "WHO5"
    assert plan.locked and plan.created_at < plan.locked_at < datetime(2025, 2, 1, tzinfo=UTC)
    numbers = impact_numbers(plan)
    assert numbers["overall"]["shown"] and numbers["overall"]["n"] >= 10
    assert numbers["overall"]["change"]["value"] > 0  # the demo's exit scores are higher
