"""A demo-like release on the cast: episodes in two counties with some small counts, four
tables (suppression and rounding), planned for 15 April 2026 10:00 Tallinn time."""

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from seire.collection.models import Episode
from seire.organisation.models import Contact, Partner
from seire.publishing.models import Release, ReleaseTable

TALLINN = ZoneInfo("Europe/Tallinn")
PLANNED = datetime(2026, 4, 15, 10, 0, tzinfo=TALLINN)
BEFORE = datetime(2026, 4, 15, 9, 59, tzinfo=TALLINN)
AFTER = datetime(2026, 4, 15, 10, 1, tzinfo=TALLINN)

CRIMES = ["domestic_violence"] * 12 + ["other_violence", "sexual_violence", "child_abuse"]
GENDERS = ["female"] * 6 + ["male"] * 3 + ["other_unknown"]


def make_episodes(cast, n=70, seed=7):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        harju = rng.random() < 0.7
        rows.append(
            Episode(
                source_id=f"P{i}",
                client_key=f"K{i % 140}",
                service=cast.vs,
                unit=cast.harju_vs if harju else cast.tartu_vs,
                county=cast.harju if harju else cast.tartu,
                opened=date(2026, rng.randint(1, 3), rng.randint(1, 28)),
                crime_type=rng.choice(CRIMES),
                gender=rng.choice(GENDERS),
                age_group=rng.choice(["18-25", "26-35", "36-45"]),
            )
        )
    Episode.objects.bulk_create(rows)


def make_release(code="vs-2026q1", planned=PLANNED) -> Release:
    release = Release.objects.create(
        code=code,
        title_et="Ohvriabi 2026 I kvartal",
        title_en="Victim support Q1 2026",
        planned_at=planned,
    )
    common = {"period_from": "2026M01", "period_to": "2026M03", "granularity": "quarter"}
    ReleaseTable.objects.create(release=release, sort=1, code="county-gender",
                                title_et="Juhtumid maakonna ja soo järgi",
                                title_en="Episodes by county and gender", measure="episodes",
                                dims=["county", "gender"], **common)  # fmt: skip
    ReleaseTable.objects.create(release=release, sort=2, code="crime-county",
                                title_et="Juhtumid kuriteo liigi ja maakonna järgi",
                                title_en="Episodes by crime type and county", measure="episodes",
                                dims=["crime_type", "county"], footnotes_en="=cmd|' /C calc'!A0",
                                **common)  # fmt: skip
    ReleaseTable.objects.create(release=release, sort=3, code="month-gender",
                                title_et="Juhtumid kuude kaupa", title_en="Episodes by month",
                                measure="episodes", dims=["period", "gender"],
                                period_from="2026M01", period_to="2026M03",
                                granularity="month")  # fmt: skip
    ReleaseTable.objects.create(release=release, sort=4, code="gender-rounded",
                                title_et="Kliendid soo järgi", title_en="Clients by gender",
                                measure="clients", dims=["gender"], method="round5",
                                **common)  # fmt: skip
    police = Partner.objects.create(name="Politsei", kind="police")
    Contact.objects.create(partner=police, name="Piret", email="piret@politsei.example")
    Contact.objects.create(partner=police, name="Peeter", email="")
    release.distribution.add(police)
    return release


@pytest.fixture
def release(cast):
    make_episodes(cast)
    return make_release()
