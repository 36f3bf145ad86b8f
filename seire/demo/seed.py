"""A deterministic synthetic country on top of the catalogue: `seed(seed=1, years=3, scale=1)`.

The seed is a list of steps (`STEPS`); each step gets its own `random.Random` made from the
seed and the step's name, so adding a step (episodes, statistics values, …) never changes
what the steps before it make. Nothing reads the clock: dates run from 1 January of the
first year to 31 December of `country.LAST_DAY_YEAR`, and every timestamp and password salt
is derived from the seed. The same seed on an empty database gives the same rows
(`seire.demo.checksum.database_checksum`).
"""

import hashlib
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from tqdm import tqdm

from seire.catalogue.loader import load_catalogue
from seire.demo import country as facts
from seire.demo import values
from seire.evaluation import demo as evaluation_demo
from seire.feedback import demo as feedback_demo
from seire.inquiries.demo import seed_inquiries
from seire.metrics.recompute import compute_metrics
from seire.organisation.models import (
    Agreement,
    Contact,
    OrgUnit,
    Partner,
    Provider,
    Responsibility,
    Service,
)
from seire.publishing.demo import releases as publishing_releases

DEMO_PASSWORD = "seire-demo"  # noqa: S105 (published: printed by `seire demo`)
DEMO_PBKDF2_ITERATIONS = 20_000  # the password is public; Django re-hashes at first login
NAMED_USERS = (
    "analyst",
    "manager",
    "owner.vs",
    "owner.wsc",
    "provider.harju",
    "provider.tartu-wsc",
)
Role = Responsibility.Role


@dataclass
class Country:
    """What the steps have made so far, for the steps after them."""

    seed: int
    years: int
    scale: float
    first_day: date
    last_day: date
    units: dict[str, OrgUnit] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    providers: list[Provider] = field(default_factory=list)
    provider_users: dict[str, list[OrgUnit]] = field(default_factory=dict)  # username → units

    def day(self, rng: random.Random, start: date | None = None, end: date | None = None) -> date:
        """A random day between `start` and `end` (default: the seeded period)."""
        start, end = start or self.first_day, end or self.last_day
        return start + timedelta(days=rng.randint(0, (end - start).days))


class Step(NamedTuple):
    name: str
    run: Callable[[Country, random.Random], None]


# -- the steps ------------------------------------------------------------------------------
def load_definitions(country: Country, rng: random.Random) -> None:
    load_catalogue()
    country.units = {u.code: u for u in OrgUnit.objects.all()}
    country.services = {s.code: s for s in Service.objects.all()}


def board_units(country: Country, rng: random.Random) -> None:
    """The Board's units: one per region (CONC, MARAC, PSY, COMP), one victim-support point
    per county, and the Children's House sites."""
    for region in _of_kind(country, OrgUnit.Kind.REGION):
        unit = _unit(
            country,
            f"{region.code}-SKA",
            region,
            f"Sotsiaalkindlustusamet, {region.name_et}",
            f"Social Insurance Board, {region.name_en}",
            OrgUnit.Kind.SERVICE_POINT,
        )
        for code in facts.REGIONAL_SERVICES:
            _provide(country, unit, code, country.first_day)
        _assign(country, f"provider.{unit.code.lower()}", unit)
    for county in _of_kind(country, OrgUnit.Kind.COUNTY):
        place_en = county.name_en.removesuffix(" County")
        unit = _unit(
            country,
            f"{county.code}-VS",
            county,
            f"{county.name_et} ohvriabi",
            f"{place_en} victim support",
            OrgUnit.Kind.SERVICE_POINT,
        )
        _provide(country, unit, "VS", country.first_day)
        _assign(country, f"provider.{county.code.lower()}", unit)
    for site in facts.CHILDRENS_HOUSES:
        unit = _unit(
            country,
            site.code,
            country.units[site.county],
            site.name_et,
            site.name_en,
            OrgUnit.Kind.SERVICE_POINT,
        )
        _provide(country, unit, "CH", country.first_day)
        _assign(country, f"provider.{unit.code.lower()}", unit)


def partner_providers(country: Country, rng: random.Random) -> None:
    """NGOs and hospitals that deliver a service under contract, with their own units."""
    kinds = {"SAK": Partner.Kind.HEALTH}
    contracted = [
        *facts.WOMENS_SUPPORT_CENTRES,
        *facts.SEXUAL_VIOLENCE_CENTRES,
        *facts.CONTRACTED,
        *facts.ENDED,
    ]
    span = (country.last_day - country.first_day).days
    ended = {
        org.code: country.first_day + timedelta(days=int(span * rng.uniform(0.35, 0.65)))
        for org in facts.ENDED
    }
    starts = {new: ended[old] + timedelta(days=1) for old, new in facts.REPLACED_BY.items()}
    for org in contracted:
        unit = _unit(
            country,
            org.code,
            country.units[org.county],
            org.name_et,
            org.name_en,
            OrgUnit.Kind.PARTNER,
            active=org.code not in ended,
        )
        partner = Partner.objects.create(
            name=org.partner, kind=kinds.get(org.service, "ngo"), unit=unit
        )
        country.partners[partner.name] = partner
        start = starts.get(org.code, country.first_day)
        _provide(country, unit, org.service, start, ended.get(org.code))
        units = [unit]
        for county in org.branches:
            branch = _unit(
                country,
                f"{county}-{org.service}",
                country.units[county],
                f"{org.name_et}, {country.units[county].name_et}",
                f"{org.name_en}, {country.units[county].name_en}",
                OrgUnit.Kind.PARTNER,
            )
            _provide(country, branch, org.service, start)
            units.append(branch)
        if org.code not in ended:  # no account for an organisation whose contract ended
            for each in units:
                _assign(country, f"provider.{org.code.lower()}", each)


def cooperation_partners(country: Country, rng: random.Random) -> None:
    """Police prefectures, the prosecutor's office and a few local governments."""
    chosen = rng.sample(facts.LOCAL_GOVERNMENTS, facts.LOCAL_GOVERNMENTS_IN_DEMO)
    for name, kind in [
        *((n, Partner.Kind.POLICE) for n in facts.POLICE_PREFECTURES),
        (facts.PROSECUTOR, Partner.Kind.PROSECUTOR),
        *((n, Partner.Kind.LOCAL_GOVERNMENT) for n in sorted(chosen)),
    ]:
        country.partners[name] = Partner.objects.create(name=name, kind=kind)


def contacts_and_agreements(country: Country, rng: random.Random) -> None:
    """One to three contact people per partner and one cooperation agreement each."""
    by_unit = {p.unit_id: p for p in country.providers}
    terms = {
        Partner.Kind.POLICE: (
            "Koostöökokkulepe: suunamine ohvriabisse",
            ["VS", "MARAC"],
            "Ohvrite suunamine ohvriabisse ja osalemine MARAC-is.",
        ),
        Partner.Kind.PROSECUTOR: (
            "Koostöökokkulepe: lepitusmenetlus",
            ["CONC"],
            "Lepitusmenetlusse suunamine ja tagasiside.",
        ),
        Partner.Kind.LOCAL_GOVERNMENT: (
            "Koostöökokkulepe: MARAC",
            ["MARAC"],
            "Kohaliku omavalitsuse osalemine MARAC-is.",
        ),
    }
    for partner in country.partners.values():
        for _ in range(rng.randint(1, 3)):
            first, last = rng.choice(facts.FIRST_NAMES), rng.choice(facts.SURNAMES)
            Contact.objects.create(
                partner=partner,
                name=f"{first} {last}",
                position=rng.choice(facts.POSITIONS[partner.kind]),
                email=f"{_ascii(first)}.{_ascii(last)}@example.ee".lower(),
            )
        provision = by_unit.get(partner.unit_id)
        if provision is not None:
            service = provision.service
            title, codes = f"Teenuse osutamise leping: {service.name_et}", [service.code]
            scope, start, end = (
                f"{service.name_en}: {partner.unit.name_en}.",
                provision.start,
                provision.end,
            )
        else:
            title, codes, scope = terms[partner.kind]
            start = country.first_day - timedelta(days=rng.randint(0, 3 * 365))
            end = None
        agreement = Agreement.objects.create(
            partner=partner, title=title, start=start, end=end, scope=scope
        )
        agreement.services.set([country.services[c] for c in codes])


def people(country: Country, rng: random.Random) -> None:
    """The demo accounts and their responsibilities, all with the password `seire-demo`."""
    services = country.services
    staff = [("analyst", Role.ANALYST, {}), ("manager", Role.MANAGER, {})]
    staff += [
        (f"owner.{code.lower()}", Role.SERVICE_OWNER, {"service": service})
        for code, service in sorted(services.items())
    ]
    staff += [
        (username, Role.PROVIDER, {"unit": unit})
        for username, units in sorted(country.provider_users.items())
        for unit in units
    ]
    users: dict[str, object] = {}
    for username, role, scope in staff:
        if username not in users:
            users[username] = _person(country, rng, username, is_staff=role == Role.ANALYST)
        Responsibility.objects.create(
            person=users[username], role=role, start=country.first_day, **scope
        )


STEPS: list[Step] = [
    Step("catalogue", load_definitions),
    Step("board units", board_units),
    Step("partner providers", partner_providers),
    Step("cooperation partners", cooperation_partners),
    Step("contacts and agreements", contacts_and_agreements),
    Step("people", people),
    Step("statistics values", values.statistics_values),
    Step("submissions", values.submissions),
    Step("episodes", values.episodes),
    Step("assessments", values.assessments),
    Step("feedback", feedback_demo.feedback),
    Step("analysis plans", evaluation_demo.analysis_plans),
    Step("inquiries", seed_inquiries),
    Step("metrics", compute_metrics),
    Step("releases", publishing_releases),
]


def seed(seed: int = 1, years: int = 3, scale: float = 1.0, progress: bool = False) -> Country:
    """Build the synthetic country in one transaction and return what was made.

    `years` full calendar years end on 31 December of LAST_DAY_YEAR; `scale` multiplies the
    volumes of the steps that make episodes and values. Raises ValueError for years < 1 or
    scale <= 0. The database should hold no seeded data (see `has_demo_data`).
    """
    if years < 1:
        raise ValueError(f"years must be at least 1, not {years}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale}")
    last = date(facts.LAST_DAY_YEAR, 12, 31)
    country = Country(
        seed=seed,
        years=years,
        scale=scale,
        first_day=date(last.year - years + 1, 1, 1),
        last_day=last,
    )
    with transaction.atomic():
        bar = tqdm(STEPS, desc="seed", unit="step", disable=not progress)
        for step in bar:
            bar.set_postfix_str(step.name)
            step.run(country, random.Random(f"seire-demo:{seed}:{step.name}"))
    return country


# -- helpers --------------------------------------------------------------------------------
def _of_kind(country: Country, kind: str) -> list[OrgUnit]:
    return sorted((u for u in country.units.values() if u.kind == kind), key=lambda u: u.path)


def _unit(
    country: Country,
    code: str,
    parent: OrgUnit,
    name_et: str,
    name_en: str,
    kind: str,
    active: bool = True,
) -> OrgUnit:
    unit = OrgUnit.objects.create(
        code=code, parent=parent, name_et=name_et, name_en=name_en, kind=kind, active=active
    )
    country.units[code] = unit
    return unit


def _provide(
    country: Country, unit: OrgUnit, service: str, start: date, end: date | None = None
) -> None:
    country.providers.append(
        Provider.objects.create(unit=unit, service=country.services[service], start=start, end=end)
    )


def _assign(country: Country, username: str, unit: OrgUnit) -> None:
    country.provider_users.setdefault(username, []).append(unit)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _person(country: Country, rng: random.Random, username: str, is_staff: bool):
    first, last = rng.choice(facts.FIRST_NAMES), rng.choice(facts.SURNAMES)
    joined = datetime.combine(country.first_day, time(8, 0), tzinfo=UTC)
    return get_user_model().objects.create(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@example.ee",
        is_staff=is_staff,
        password=demo_password_hash(country.seed, username),
        date_joined=joined + timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
    )


def demo_password_hash(seed: int, username: str) -> str:
    """The hash of DEMO_PASSWORD with a salt derived from the seed and the username."""
    salt = hashlib.sha256(f"seire-demo:{seed}:{username}".encode()).hexdigest()[:32]
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        # A light work factor keeps the seed fast; the full one is applied at first login.
        return hasher.encode(DEMO_PASSWORD, salt, iterations=DEMO_PBKDF2_ITERATIONS)
    return make_password(DEMO_PASSWORD, salt=salt)


# -- what is there, and starting again ------------------------------------------------------
def has_demo_data() -> bool:
    """True when the database holds providers, partners, responsibilities or a demo user."""
    return (
        Provider.objects.exists()
        or Partner.objects.exists()
        or Responsibility.objects.exists()
        or get_user_model().objects.filter(username__in=NAMED_USERS).exists()
    )


def flush_project_data() -> None:
    """Delete every row of the project's apps and every user (and rows referring to users),
    resetting their id sequences so that a new seed gets the same ids."""
    user = get_user_model()
    models = [
        m
        for c in apps.get_app_configs()
        if c.name.startswith("seire.")
        for m in c.get_models(include_auto_created=True)
    ]
    models += [user, *(f.remote_field.through for f in user._meta.many_to_many)]
    tables = sorted({m._meta.db_table for m in models})
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with deferred foreign-key checks pending in this transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, role, scope) for every user with a current responsibility."""
    order = {Role.ANALYST: 0, Role.MANAGER: 1, Role.SERVICE_OWNER: 2, Role.PROVIDER: 3}
    rows: dict[str, tuple[int, str, list[str]]] = {}
    for r in Responsibility.objects.current().select_related("person", "service", "unit"):
        scope = r.service.code if r.service else r.unit.code if r.unit else "everything"
        rank, label, scopes = rows.get(r.person.username, (order[r.role], r.role, []))
        rows[r.person.username] = (min(rank, order[r.role]), label, [*scopes, scope])
    ranked = sorted(rows.items(), key=lambda item: (item[1][0], item[0]))
    return [(name, role, ", ".join(scopes)) for name, (_, role, scopes) in ranked]
