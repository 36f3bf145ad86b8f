"""Small published and embargoed releases for tests elsewhere (the route-access table)."""

from datetime import UTC, date, datetime

from seire.collection.models import Episode
from seire.publishing import services
from seire.publishing.models import Release, ReleaseTable

PAST = datetime(2020, 6, 1, 8, 0, tzinfo=UTC)
FUTURE = datetime(2100, 6, 1, 8, 0, tzinfo=UTC)


def _release(cast, code: str, planned: datetime) -> str:
    if Release.objects.filter(code=code).exists():
        return code
    if not Episode.objects.filter(source_id="R0").exists():
        Episode.objects.bulk_create(
            Episode(
                source_id=f"R{i}",
                client_key=f"R{i}",
                service=cast.vs,
                unit=cast.harju_vs if i % 3 else cast.tartu_vs,
                county=cast.harju if i % 3 else cast.tartu,
                opened=date(2020, 3, 1 + i % 28),
                gender="female" if i % 4 else "male",
            )  # fmt: skip
            for i in range(40)
        )
    release = Release.objects.create(
        code=code, title_et="Ohvriabi 2020", title_en="Victim support 2020", planned_at=planned
    )
    ReleaseTable.objects.create(release=release, code="county-gender", title_et="Maakond ja sugu",
                                title_en="County and gender", measure="episodes",
                                dims=["county", "gender"], period_from="2020", period_to="2020",
                                granularity="year")  # fmt: skip
    services.publish(release, now=PAST if planned == PAST else datetime.now(UTC), notify=False)
    return code


def a_public_release(cast) -> str:
    """The code of a release published in 2020 (one table, `county-gender`)."""
    return _release(cast, "vs-2020", PAST)


def an_embargoed_release(cast) -> str:
    """The code of a release prepared now for publication in 2100."""
    return _release(cast, "vs-2100", FUTURE)
