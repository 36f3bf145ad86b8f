"""kill -9 in the middle of an import and of a release: the database stays consistent and the
job can simply be run again.

The cast's database (migrated and filled by pytest-django, committed) is copied to a SQLite
file; `seire import_episodes` and `seire publish` then run as separate processes on it, as
cron or an operator would start them, and are killed with SIGKILL once they have begun to
write (their write-ahead log grows). Afterwards SQLite's integrity and foreign-key checks
pass, the import has stored nothing and the release has no version without its cells (nor
a status its versions don't bear out); the same command run again does the whole job.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import connection

from seire.collection.models import Episode
from seire.publishing.models import Release, ReleaseTable
from tests.collection.test_episodes import csv_bytes, episode

pytestmark = [pytest.mark.kill, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
EPISODES = 10_000  # a large extract: its write takes a second or two


def copy_database(path: Path) -> Path:
    """The test database (migrated, with what the test stored) copied to a SQLite file."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return path


@pytest.fixture
def database_file(cast, tmp_path) -> Path:
    """A SQLite file holding the migrated schema and the cast."""
    if connection.vendor != "sqlite":
        pytest.skip("kills the job on a SQLite file; the SQLite run of `make test` covers it")
    return copy_database(tmp_path / "seire.sqlite3")


@pytest.fixture
def release_file(cast, tmp_path) -> Path:
    """A SQLite file with the cast, a year of episodes and a large release to publish."""
    if connection.vendor != "sqlite":
        pytest.skip("kills the job on a SQLite file; the SQLite run of `make test` covers it")
    ages = ["18-25", "26-35", "36-45", "46-55"]
    crimes = ["domestic_violence", "threats_harassment", "other_violence"]
    Episode.objects.bulk_create(
        Episode(
            source_id=f"E{i}",
            client_key=f"ck{i}",
            service=cast.vs,
            unit=cast.harju_vs if i % 2 else cast.tartu_vs,
            county=cast.harju if i % 2 else cast.tartu,
            opened=date(2024, 1 + i % 12, 1 + i % 28),
            gender="female" if i % 3 else "male",
            age_group=ages[i % 4],
            crime_type=crimes[i % 3],
        )  # fmt: skip
        for i in range(EPISODES)
    )
    release = Release.objects.create(
        code="vs-2024", title_et="Ohvriabi 2024", title_en="Victim support 2024",
        planned_at=datetime(2025, 1, 15, 8, tzinfo=UTC),
    )  # fmt: skip
    ReleaseTable.objects.create(
        release=release, code="unit-month", title_et="Üksus ja kuu", title_en="Unit and month",
        measure="episodes", dims=["unit", "gender", "age_group", "crime_type"],
        period_from="2024M01", period_to="2024M12", granularity="month", method="round5",
    )  # fmt: skip
    return copy_database(tmp_path / "seire.sqlite3")


@pytest.fixture
def extract(tmp_path) -> Path:
    """An episode extract of both victim-support units, over the whole of 2024."""
    ages = ["18-25", "26-35", "36-45", "46-55"]
    crimes = ["domestic_violence", "threats_harassment", ""]
    rows = [
        episode(
            f"E{i}",
            unit="HARJU-VS" if i % 2 else "TARTU-VS",
            county="HARJU" if i % 2 else "TARTU",
            opened=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            closed="",
            first_contact="",
            age_group=ages[i % 4],
            crime_type=crimes[i % 3],
        )
        for i in range(EPISODES)
    ]
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes(rows))
    return path


def seire(database: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SEIRE_DEBUG": "1"}
    env.pop("SEIRE_TASKS_BACKEND", None)  # recomputations run in the job itself
    return subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "seire", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def kill_once_writing(job: subprocess.Popen, database: Path, timeout: float = 20) -> None:
    """SIGKILL `job` as soon as its write-ahead log holds a few pages of a transaction."""
    wal = database.with_name(database.name + "-wal")
    start = wal.stat().st_size if wal.exists() else 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and job.poll() is None:
        if wal.exists() and wal.stat().st_size > start + 64 * 1024:
            break
        time.sleep(0.002)
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert job.returncode == -signal.SIGKILL, (
        "the job ended before it was killed:\n" + job.stderr.read().decode()
    )


def rows(database: Path, query: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(query).fetchall()


def assert_consistent(database: Path) -> None:
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]
    assert rows(database, "PRAGMA foreign_key_check") == []


def finish(job: subprocess.Popen) -> str:
    out, err = job.communicate(timeout=120)
    assert job.returncode == 0, err.decode()
    return out.decode()


def test_a_killed_import_stores_nothing_and_runs_again(database_file, extract):
    job = seire(database_file, "import_episodes", str(extract), "--user", "ann")
    kill_once_writing(job, database_file)

    assert_consistent(database_file)
    assert rows(database_file, "SELECT count(*) FROM collection_episode") == [(0,)]
    assert rows(database_file, "SELECT count(*) FROM access_auditevent") == [(0,)]

    out = finish(seire(database_file, "import_episodes", str(extract), "--user", "ann"))
    assert f"{EPISODES} created" in out
    assert rows(database_file, "SELECT count(*) FROM collection_episode") == [(EPISODES,)]
    assert_consistent(database_file)


def test_a_killed_release_leaves_no_half_version_and_publishes_again(release_file):
    database_file = release_file
    job = seire(database_file, "publish", "vs-2024")
    kill_once_writing(job, database_file, timeout=60)

    assert_consistent(database_file)
    versions = "SELECT v.id, v.published_at IS NOT NULL, v.audit FROM publishing_releaseversion v"
    cells = "SELECT count(*) FROM publishing_publishedcell WHERE version_id = %d"
    status = "SELECT status FROM publishing_release WHERE code = 'vs-2024'"
    for pk, _published, audit in rows(database_file, versions):
        # A version is stored with all of its cells or not at all.
        assert rows(database_file, cells % pk) == [(json.loads(audit)["cells"],)]
    published = [row for row in rows(database_file, versions) if row[1]]
    expected = "published" if published else "prepared" if rows(database_file, versions) else None
    assert rows(database_file, status) == [(expected or "planned",)]

    out = finish(seire(database_file, "publish", "vs-2024"))
    assert "vs-2024 v1: published" in out
    assert rows(database_file, status) == [("published",)]
    assert_consistent(database_file)
