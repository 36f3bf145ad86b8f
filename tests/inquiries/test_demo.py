"""The demo register: a year of inquiries in realistic mixes, deterministic from the rng."""

import random
from collections import Counter
from datetime import date

from seire.demo.seed import Country
from seire.inquiries.demo import PER_YEAR, seed_inquiries
from seire.inquiries.models import Inquiry


def seeded(seed: str) -> list[tuple]:
    Inquiry.objects.all().delete()
    country = Country(seed=1, years=2, scale=1, first_day=date(2024, 1, 1),
                      last_day=date(2025, 12, 31))  # fmt: skip
    seed_inquiries(country, random.Random(seed))
    return list(
        Inquiry.objects.order_by("pk").values_list(
            "requester_name", "requester_type", "received_on", "due_date", "status", "closed_on"
        )
    )


def test_it_makes_a_year_of_inquiries_in_a_realistic_mix(cast):
    rows = seeded("a")
    assert len(rows) == PER_YEAR
    assert {r[2].year for r in rows} == {2025}
    kinds = Counter(r[1] for r in rows)
    assert set(kinds) == {"ministry", "partner", "media", "research", "public", "internal"}
    assert kinds["media"] > kinds["internal"]
    statuses = Counter(r[4] for r in rows)
    assert statuses["answered"] > 0.8 * PER_YEAR
    overdue = Inquiry.objects.overdue(date(2025, 12, 31)).count()
    assert 1 <= overdue <= 10
    assert Inquiry.objects.exclude(due_date=models_first_due()).exists()  # some extended
    on_time = sum(1 for r in rows if r[5] and r[5] <= r[3])
    replied = sum(1 for r in rows if r[5])
    assert 0.8 < on_time / replied < 0.98


def models_first_due():
    from django.db.models import F

    return F("first_due")


def test_the_same_rng_gives_the_same_register(cast):
    assert seeded("x") == seeded("x")
    assert seeded("x") != seeded("y")
