"""The cast every test can call on.

Ann is the analyst. Paul provides general victim support (VS) in Harju county; Pille
provides it in Tartu county and must never see Paul's unit. Olev owns VS; Oksana owns the
women's support centres (WSC). Mari is a manager with read-only overviews of the country.
Rein is a staff account with no responsibility at all. The public is not signed in.
"""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from seire.organisation.models import OrgUnit, Provider, Responsibility, Service

PASSWORD = "seire-test-password"  # noqa: S105


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Cast:
    """Units, services and personas; attributes are created once per test."""

    def __init__(self):
        unit = self.unit
        self.estonia = unit("EE", "Eesti", "Estonia", "country", None)
        self.pohja = unit("POHJA", "Põhja", "North", "region", self.estonia)
        self.louna = unit("LOUNA", "Lõuna", "South", "region", self.estonia)
        self.harju = unit("HARJU", "Harjumaa", "Harju county", "county", self.pohja)
        self.tartu = unit("TARTU", "Tartumaa", "Tartu county", "county", self.louna)
        self.harju_vs = unit(
            "HARJU-VS", "Harju ohvriabi", "Harju victim support", "service_point", self.harju
        )
        self.tartu_vs = unit(
            "TARTU-VS", "Tartu ohvriabi", "Tartu victim support", "service_point", self.tartu
        )
        self.tartu_wsc = unit(
            "TARTU-WSC", "Tartu naiste tugikeskus", "Tartu women's centre", "partner", self.tartu
        )
        self.vs = Service.objects.create(
            code="VS", name_et="Ohvriabiteenus", name_en="General victim support"
        )
        self.wsc = Service.objects.create(
            code="WSC", name_et="Naiste tugikeskuse teenus", name_en="Women's support centres"
        )
        for u, s in [
            (self.harju_vs, self.vs),
            (self.tartu_vs, self.vs),
            (self.tartu_wsc, self.wsc),
        ]:
            Provider.objects.create(unit=u, service=s, start=date(2020, 1, 1))
        role = Responsibility.Role
        self.ann = self.person("ann", role.ANALYST)
        self.paul = self.person("paul", role.PROVIDER, unit=self.harju_vs)
        self.pille = self.person("pille", role.PROVIDER, unit=self.tartu_vs)
        self.olev = self.person("olev", role.SERVICE_OWNER, service=self.vs)
        self.oksana = self.person("oksana", role.SERVICE_OWNER, service=self.wsc)
        self.mari = self.person("mari", role.MANAGER)
        self.rein = self.person("rein", None)

    @staticmethod
    def unit(code, name_et, name_en, kind, parent):
        return OrgUnit.objects.create(
            code=code, name_et=name_et, name_en=name_en, kind=kind, parent=parent
        )

    @staticmethod
    def person(username, role, **scope):
        user = get_user_model().objects.create_user(
            username, f"{username}@example.ee", PASSWORD, first_name=username.capitalize()
        )
        if role:
            Responsibility.objects.create(person=user, role=role, **scope)
        return user

    @property
    def personas(self) -> dict:
        return {
            "anonymous": None,
            "provider_a": self.paul,
            "provider_b": self.pille,
            "owner_x": self.olev,
            "owner_y": self.oksana,
            "manager": self.mari,
            "analyst": self.ann,
            "no_role": self.rein,
        }


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


def database_text() -> str:
    """Every row of every table as text, to prove a secret is stored nowhere in clear."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            lines += [repr(row) for row in cursor.fetchall()]
    return "\n".join(lines)


FUZZED = "requests_fuzzed"  # a test's record_property: how many inputs it fuzzed


class Fuzzed:
    """A count of the inputs one fuzz test sent."""

    def __init__(self):
        self.count = 0

    def __call__(self, n: int = 1) -> None:
        self.count += n


@pytest.fixture
def fuzzed(record_property):
    """Call it once per input sent; the count goes into the run's summary line."""
    counter = Fuzzed()
    yield counter
    record_property(FUZZED, counter.count)


_fuzz = {"inputs": 0, "tests": 0, "failed": 0, "failing": set()}


def pytest_runtest_logreport(report):
    """Add up the fuzz counts (under xdist the controller sees every worker's reports)."""
    if report.failed:
        _fuzz["failing"].add(report.nodeid)
    if report.when == "teardown":
        counts = [v for k, v in report.user_properties if k == FUZZED]
        if counts:
            _fuzz["inputs"] += sum(counts)
            _fuzz["tests"] += 1
            _fuzz["failed"] += report.nodeid in _fuzz["failing"]


def pytest_terminal_summary(terminalreporter):
    if _fuzz["tests"]:
        terminalreporter.write_line(
            f"fuzzing: {_fuzz['inputs']} requests and inputs sent by {_fuzz['tests']} fuzz"
            f" tests; {_fuzz['failed']} failed (a server error, a crash or a partial write)"
        )
