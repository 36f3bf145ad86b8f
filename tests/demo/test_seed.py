"""`seire seed`: a deterministic synthetic country on top of the catalogue."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from seire.access.roles import scope_for
from seire.demo.checksum import database_checksum
from seire.demo.seed import DEMO_PASSWORD, demo_password_hash
from seire.organisation.models import Contact, OrgUnit, Partner, Provider, Responsibility

# (username, the role of their home page, what they are responsible for)
NAMED_ACCOUNTS = [
    ("analyst", "analyst", "everything"),
    ("manager", "manager", "everything"),
    ("owner.vs", "service_owner", "VS"),
    ("owner.wsc", "service_owner", "WSC"),
    ("provider.harju", "provider", "HARJU-VS"),
    ("provider.tartu-wsc", "provider", "TARTU-WSC"),
]


# The structure (units, providers, partners, accounts) does not depend on the volume, so the
# tests that look at it seed one year at a twentieth of the volume; determinism is checked at
# the defaults `seire seed --seed 1` uses.
SMALL = {"years": 1, "scale": 0.05}


def seeded_checksum(seed: int, **options) -> dict:
    call_command("seed", seed=seed, flush=True, verbosity=0, **options)
    return database_checksum()


def test_the_same_seed_gives_the_same_database(db):
    first = seeded_checksum(1)
    assert first["organisation_orgunit"][0] == 69
    assert first["collection_datavalue"][0] > 10_000
    assert seeded_checksum(1) == first


def test_another_seed_gives_another_database(db):
    one, two = seeded_checksum(1, **SMALL), seeded_checksum(2, **SMALL)
    differing = {table for table in one if one[table] != two[table]}
    assert {"auth_user", "organisation_contact"} <= differing
    assert one["organisation_orgunit"] == two["organisation_orgunit"]  # the same structure


def test_it_refuses_a_database_that_holds_seeded_data(db):
    call_command("seed", verbosity=0, **SMALL)
    before = database_checksum()
    with pytest.raises(CommandError, match="--flush"):
        call_command("seed", seed=2, verbosity=0, **SMALL)
    assert database_checksum() == before


def test_it_builds_the_country_the_domain_describes(db):
    call_command("seed", verbosity=0, **SMALL)
    vs = Provider.objects.filter(service__code="VS")
    assert sorted(p.unit.parent.code for p in vs) == sorted(
        OrgUnit.objects.filter(kind="county").values_list("code", flat=True)
    )
    wsc = Partner.objects.filter(unit__provisions__service__code="WSC")
    assert wsc.count() == 13
    wsc_counties = {p.unit.parent.code for p in Provider.objects.filter(service__code="WSC")}
    assert len(wsc_counties) == 15
    assert Provider.objects.filter(service__code="SAK").count() == 4
    assert sorted(
        Provider.objects.filter(service__code="CH").values_list("unit__code", flat=True)
    ) == ["CH-JOHVI", "CH-PARNU", "CH-TALLINN", "CH-TARTU"]
    for code in ("CONC", "MARAC", "PSY", "COMP"):
        assert {p.unit.parent.kind for p in Provider.objects.filter(service__code=code)} == {
            "region"
        }
    ended = Provider.objects.exclude(end=None)
    assert sorted(ended.values_list("service__code", flat=True)) == ["THB", "VLT"]
    assert all(date(2023, 1, 1) < p.end < date(2025, 12, 31) for p in ended)
    assert Provider.objects.filter(service__code="THB", end=None).get().start > date(2023, 1, 1)
    assert {"police", "prosecutor", "local_government", "health", "ngo"} == set(
        Partner.objects.values_list("kind", flat=True)
    )
    assert all(c.email.endswith("@example.ee") for c in Contact.objects.all())
    assert all(p.agreements.exists() and p.contacts.exists() for p in Partner.objects.all())


def test_every_current_provider_unit_has_a_provider_account(db):
    call_command("seed", verbosity=0, **SMALL)
    current = OrgUnit.objects.filter(provisions__isnull=False, provisions__end=None).distinct()
    covered = Responsibility.objects.filter(role="provider").values_list("unit", flat=True)
    assert set(current.values_list("pk", flat=True)) == set(covered)


def test_every_demo_account_can_log_in_and_has_its_role(db, client):
    call_command("seed", verbosity=0, **SMALL)
    users = get_user_model().objects.filter(responsibilities__isnull=False).distinct()
    assert users.count() > 40
    for user in users:
        assert client.login(
            username=user.username, password=DEMO_PASSWORD, request=RequestFactory().get("/")
        ), user.username
        client.logout()
        assert scope_for(user).roles, user.username
    for username, role, scope in NAMED_ACCOUNTS:
        user = get_user_model().objects.get(username=username)
        rows = Responsibility.objects.filter(person=user)
        assert scope_for(user).primary_role == role
        assert [
            str(r.service.code if r.service else r.unit.code if r.unit else "everything")
            for r in rows
        ] == [scope]


def test_demo_passwords_are_deterministic_with_the_production_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    encoded = demo_password_hash(1, "analyst")
    assert encoded == demo_password_hash(1, "analyst") != demo_password_hash(2, "analyst")
    assert check_password(DEMO_PASSWORD, encoded)


def test_timestamps_come_from_the_seed_not_the_clock(db):
    call_command("seed", verbosity=0, years=2, scale=0.05)
    joined = get_user_model().objects.values_list("date_joined", flat=True)
    assert all(date(2024, 1, 1) <= d.date() <= date(2024, 2, 1) for d in joined)
    assert set(
        Provider.objects.filter(end=None, service__code="VS").values_list("start", flat=True)
    ) == {date(2024, 1, 1)}


def test_it_refuses_nonsense_options(db):
    with pytest.raises(CommandError, match="--years"):
        call_command("seed", years=0, verbosity=0)
