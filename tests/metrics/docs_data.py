"""A metric with everything a passport shows, for the passport pages' tests.

VS_DV_SHARE is general victim support's share of domestic-violence episodes: version 1
(January 2025) divided by episodes closed, version 2 (March 2026, in use from 2026 Q1) by
episodes opened, with a target, thresholds, methodology and a computed baseline.
"""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from seire.metrics.models import Metric, MetricValue, MetricVersion

OPENED = {"source": "episodes", "measure": "count", "date": "opened"}
DV = {"field": "crime_type", "op": "eq", "value": "domestic_violence"}
DEFINITION = {
    "et": "Juhtumite, mille kuriteo liik on lähisuhtevägivald, osakaal kõigist perioodil "
    "avatud juhtumitest",
    "en": "Share of episodes with crime type domestic violence among all episodes opened in "
    "the period",
}


def dv_share_metric(cast) -> Metric:
    """VS_DV_SHARE (owned by VS) with two versions, a related metric and a baseline value."""
    metric = Metric.objects.create(
        code="VS_DV_SHARE",
        name_et="Lähisuhtevägivalla juhtumite osakaal",
        name_en="Share of domestic-violence episodes",
        service=cast.vs,
        purpose_et="Näitab, kui suure osa tööst moodustab lähisuhtevägivald.",
        purpose_en="Shows how much of the work domestic violence makes up.",
        direction=Metric.Direction.NEUTRAL,
    )
    clients = Metric.objects.create(
        code="VS_CLIENTS", name_et="Kliendid", name_en="Clients", service=cast.vs
    )
    metric.related.add(clients)
    first = MetricVersion.objects.create(
        metric=metric,
        version=1,
        type="percent",
        numerator={**OPENED, "filter": [DV]},
        denominator={**OPENED, "date": "closed"},
        frequency="Q",
        rationale="First definition.",
    )
    MetricVersion.objects.filter(pk=first.pk).update(
        created_at=timezone.make_aware(datetime(2025, 1, 15, 12))
    )
    version = MetricVersion.objects.create(
        metric=metric,
        version=2,
        effective_from="2026Q1",
        type="percent",
        numerator={**OPENED, "filter": [DV]},
        denominator=OPENED,
        frequency="Q",
        breakdowns=["county", "gender"],
        target=Decimal("30"),
        amber=Decimal("40"),
        methodology_et="Loetakse juhtumid, mille kuriteo liik on lähisuhtevägivald.",
        methodology_en="Counts episodes whose crime type is domestic violence; "
        "not the client's other episodes.",
        limitations_en="Crime type is recorded at intake and rarely corrected.",
        data_quality_en="About 3 % of episodes have no crime type.",
        rationale="Both sides count episodes opened in the period.",
    )
    MetricVersion.objects.filter(pk=version.pk).update(
        created_at=timezone.make_aware(datetime(2026, 3, 2, 12))
    )
    MetricValue.objects.create(
        version=version,
        period="2026Q1",
        unit=cast.estonia,
        numerator=3,
        denominator=10,
        value=Decimal("30"),
        n=10,
        computed_at=timezone.now(),
    )
    return metric
