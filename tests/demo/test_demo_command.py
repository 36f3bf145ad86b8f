"""`seire demo --no-serve`: migrate, load, seed once, print the accounts."""

from io import StringIO

from django.core.management import call_command

from seire.demo.checksum import database_checksum
from seire.organisation.models import Provider


def run_demo() -> str:
    out = StringIO()
    call_command("demo", no_serve=True, years=1, scale=0.05, stdout=out, verbosity=0)
    return out.getvalue()


def test_it_seeds_an_empty_database_and_prints_the_accounts(db):
    output = run_demo()
    assert "Seeded the synthetic country" in output
    assert Provider.objects.exists()
    lines = {line.split()[0]: line.split()[1:] for line in output.splitlines()[3:] if line.strip()}
    assert lines["provider.harju"] == ["seire-demo", "provider", "HARJU-VS"]
    assert lines["owner.vs"] == ["seire-demo", "service_owner", "VS"]
    assert lines["analyst"] == ["seire-demo", "analyst", "everything"]


def test_running_it_twice_changes_nothing(db):
    first = run_demo()
    before = database_checksum()
    second = run_demo()
    assert "not seeding again" in second
    assert database_checksum() == before
    assert first.split("Demo accounts")[1] == second.split("Demo accounts")[1]
