"""The demo's analysis plans: one per service whose episodes carry outcome assessments,
written and locked before the analysis (at times derived from the seeded dates, never the
clock), so that the demo country has an impact report to open."""

import random
from datetime import UTC, datetime, time, timedelta

from django.contrib.auth import get_user_model

from seire.catalogue.loader import DEFAULT_DIRECTORY, read_yaml
from seire.collection.models import Assessment
from seire.evaluation import catalogue
from seire.evaluation.models import AnalysisPlan, Instrument

PRIMARY_INSTRUMENT = "WHO5"


def analysis_plans(country, rng: random.Random) -> None:
    if not Instrument.objects.exists():
        catalogue.load(read_yaml(DEFAULT_DIRECTORY / "instruments.yaml"))
    instrument = Instrument.objects.get(code=PRIMARY_INSTRUMENT)
    analyst = get_user_model().objects.filter(username="analyst").first()
    services = (
        Assessment.objects.filter(instrument=PRIMARY_INSTRUMENT)
        .values_list("episode__service__code", flat=True)
        .distinct()
        .order_by("episode__service__code")
    )
    first, last = country.first_day.year, country.last_day.year
    for code in services:
        service = country.services[code]
        written = datetime.combine(country.first_day, time(9, rng.randint(0, 59)), tzinfo=UTC)
        plan = AnalysisPlan.objects.create(
            title=f"{service.name_et}: heaolu muutus {first}–{last} (WHO-5)",
            service=service,
            first_period=str(first),
            last_period=str(last),
            instrument=instrument,
            instrument_version=instrument.version,
            timepoints=AnalysisPlan.Timepoints.EXIT,
            primary_outcome=AnalysisPlan.Primary.MEAN_CHANGE,
            subgroups=["gender", "age_group", "crime_type"],
            minimum_n=10,
            rationale=(
                "Ohvriabi seaduse § 2 eesmärk on säilitada või taastada toimetulekuvõime; "
                "WHO-5 mõõdab heaolu vastuvõtul ja teenuse lõpus. Esmane tulemus: keskmine "
                "muutus; alarühmad on uurimuslikud."
            ),
            created_by=analyst,
            created_at=written,
        )
        plan.lock(analyst)
        AnalysisPlan.objects.filter(pk=plan.pk).update(locked_at=written + timedelta(days=1))
