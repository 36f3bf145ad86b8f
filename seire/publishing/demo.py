"""The demo's releases: a monthly and a yearly release of general victim support, defined
and published on the seeded episodes (a seed step, after the episodes).

Publication times are fixed inside the seeded period, so the embargo is long over and the
releases show on the public pages; the partners are not e-mailed (the versions are marked
as announced). Nothing reads the clock.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from seire.organisation.models import Partner
from seire.publishing import services
from seire.publishing.models import Release, ReleaseTable

TALLINN = ZoneInfo("Europe/Tallinn")


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=TALLINN)


def _table(release: Release, sort: int, code: str, **fields) -> ReleaseTable:
    metrics = fields.pop("metrics", ())
    table = ReleaseTable.objects.create(release=release, sort=sort, code=code, **fields)
    if metrics:
        from seire.metrics.models import Metric

        table.metrics.set(Metric.objects.filter(code__in=metrics))
    return table


def releases(country, rng: random.Random) -> None:
    last = country.last_day
    month = f"{last.year}M{last.month - 1:02d}" if last.month > 1 else f"{last.year}M01"
    year = last.year - 1 if country.years > 1 else last.year
    distribution = Partner.objects.filter(kind__in=["police", "prosecutor", "local_government"])

    monthly = Release.objects.create(
        code=f"vs-{month.lower()}",
        title_et=f"Ohvriabi kuustatistika, {month}",
        title_en=f"Victim support monthly statistics, {month}",
        summary_et="Üldise ohvriabi avatud juhtumid maakonniti, kuriteo liigi ja soo järgi.",
        summary_en="Episodes of general victim support opened, by county, crime type and gender.",
        planned_at=_at(date(last.year, last.month, 15)),
    )
    monthly.distribution.set(distribution)
    _table(monthly, 1, "episodes-county", title_et="Avatud juhtumid maakonniti",
           title_en="Episodes opened by county", measure="episodes", dims=["county"],
           period_from=month, period_to=month, granularity="month")  # fmt: skip
    _table(monthly, 2, "episodes-crime-gender",
           title_et="Avatud juhtumid kuriteo liigi ja soo järgi",
           title_en="Episodes opened by crime type and gender", measure="episodes",
           dims=["crime_type", "gender"], period_from=month, period_to=month,
           granularity="month", chart=False)  # fmt: skip

    yearly = Release.objects.create(
        code=f"vs-{year}",
        title_et=f"Ohvriabi aastastatistika {year}",
        title_en=f"Victim support yearly statistics {year}",
        summary_et="Üldise ohvriabi kliendid maakonna ja soo järgi, juhtumid kuude ja "
        "piirkondade järgi ning kuriteo liigi ja vanuserühma järgi (ümardatud).",
        summary_en="Clients of general victim support by county and gender, episodes by month "
        "and region, and by crime type and age group (rounded).",
        planned_at=_at(min(date(year + 1, 3, 1), last)),
    )
    yearly.distribution.set(distribution)
    _table(yearly, 1, "clients-county-gender", title_et="Kliendid maakonna ja soo järgi",
           title_en="Clients by county and gender", measure="clients",
           dims=["county", "gender"], period_from=str(year), period_to=str(year),
           granularity="year", metrics=["VS_CLIENTS"],
           footnotes_et="Klienti loetakse aastas üks kord, tema aasta esimese juhtumi järgi.",
           footnotes_en="A client counts once a year, at their first episode of the year.",
           chart=False)  # fmt: skip
    _table(yearly, 2, "episodes-month-region",
           title_et="Avatud juhtumid kuude ja piirkondade järgi",
           title_en="Episodes opened by month and region", measure="episodes",
           dims=["period", "region"], period_from=f"{year}M01", period_to=f"{year}M12",
           granularity="month", metrics=["VS_DV_SHARE"])  # fmt: skip
    _table(yearly, 3, "episodes-crime-age",
           title_et="Avatud juhtumid kuriteo liigi ja vanuse järgi",
           title_en="Episodes opened by crime type and age group", measure="episodes",
           dims=["crime_type", "age_group"], period_from=str(year), period_to=str(year),
           granularity="year", method=ReleaseTable.Method.ROUND5, chart=False)  # fmt: skip

    for release in (yearly, monthly):
        outcome = services.publish(release, now=release.planned_at, notify=False)
        outcome.version.notified_at = release.planned_at  # the demo writes to nobody
        outcome.version.save(update_fields=["notified_at"])
