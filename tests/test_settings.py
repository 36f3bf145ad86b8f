"""Settings come from the environment, fail loudly, and are safe in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "SEIRE_DEBUG": "0",
    "SEIRE_SECRET_KEY": "k3#x9!v2-production-secret-which-is-long-and-random-enough-0xA7f",
    "SEIRE_PSEUDONYM_KEY": "production-pseudonym-key",
    "SEIRE_FEEDBACK_KEY": "production-feedback-key",
    "SEIRE_ALLOWED_HOSTS": "seire.example.ee",
}


def seire(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only the variables under test: no SEIRE_* and not the browser tests' async override.
    skip = ("SEIRE_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "seire", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checks_with_production_settings():
    result = seire("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_queues_background_work_in_the_database_when_asked():
    show = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"
    env = {**PRODUCTION, "SEIRE_TASKS_BACKEND": "database"}
    assert seire("shell", "-c", show, **env).stdout.split()[-1] == "django_tasks_db.DatabaseBackend"
    result = seire("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr
    default = seire("shell", "-c", show, **PRODUCTION).stdout.split()[-1]
    assert default == "django_tasks.backends.immediate.ImmediateBackend"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SEIRE_TASKS_BACKEND": "celery"}, "SEIRE_TASKS_BACKEND='celery': expected immediate"),
        ({"SEIRE_SECRET_KEY": ""}, "SEIRE_SECRET_KEY must be set"),
        ({"SEIRE_PSEUDONYM_KEY": ""}, "SEIRE_PSEUDONYM_KEY must be set"),
        ({"SEIRE_FEEDBACK_KEY": ""}, "SEIRE_FEEDBACK_KEY must be set"),
        ({"SEIRE_DEBUG": "maybe"}, "SEIRE_DEBUG='maybe': expected 1/0"),
        ({"SEIRE_SQLITE_BUSY_TIMEOUT": "soon"}, "expected a whole number"),
    ],
)
def test_it_refuses_to_start_with_missing_or_nonsense_settings(override, message):
    result = seire("check", **{**PRODUCTION, **override})
    assert result.returncode != 0
    assert message in result.stderr


def test_it_refuses_the_demo_secrets_in_production():
    from seire.settings import DEMO_SECRET_KEY

    result = seire("check", **{**PRODUCTION, "SEIRE_SECRET_KEY": DEMO_SECRET_KEY})
    assert result.returncode != 0
    assert "demo key" in result.stderr


def test_it_reads_a_secret_from_a_file(tmp_path):
    secret = tmp_path / "key"
    secret.write_text(PRODUCTION["SEIRE_SECRET_KEY"] + "\n")
    env = {**PRODUCTION, "SEIRE_SECRET_KEY": "", "SEIRE_SECRET_KEY_FILE": str(secret)}
    assert seire("check", **env).returncode == 0


@pytest.mark.django_db
def test_it_runs_sqlite_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL run: the SQLite pragmas do not apply")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The test database lives in memory, where SQLite reports "memory"; files get WAL.
    assert mode in ("wal", "memory")
    assert connection.settings_dict["OPTIONS"]["timeout"] == 20


def test_it_documents_every_environment_variable():
    from seire.settings import ENVIRONMENT

    docs = (ROOT / "docs" / "settings.md").read_text()
    missing = [name for name in ENVIRONMENT if f"`{name}`" not in docs]
    assert not missing, f"undocumented in docs/settings.md: {missing}"
