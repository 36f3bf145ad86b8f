"""kill -9 in the middle of an import and of a release: the database stays consistent and the
job can simply be run again.

`seire import_episodes` and `seire publish` run as separate processes, as cron or an operator
would start them, on the cast's database (migrated and filled by pytest-django, committed):
on SQLite a copy of it in a file of their own, on PostgreSQL the test database itself (one per
xdist worker). They are killed with SIGKILL inside the transaction that writes their rows.
Afterwards no foreign key is broken (and SQLite's integrity check passes), the import has
stored nothing and the release has no version without its cells (nor a status its versions
don't bear out); the same command run again does the whole job.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from seire.collection.models import Episode
from seire.publishing.models import Release, ReleaseTable
from tests.collection.test_episodes import csv_bytes, episode

pytestmark = [pytest.mark.kill, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
EPISODES = 10_000  # a large extract: its write takes a second or two
JOB = "seire-kill-test"  # the application name the jobs' PostgreSQL sessions bear


class SqliteFile:
    """The test database (migrated, with what the test stored) copied to a SQLite file."""

    def __init__(self, path: Path):
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as target:
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as the jobs open it (see settings)
        self.path, self.url = path, f"sqlite:///{path}"

    def rows(self, query: str) -> list[tuple]:
        with closing(sqlite3.connect(self.path)) as db:
            return db.execute(query).fetchall()

    def writing(self, table: str, written: int):
        """A test of whether a job is in its write transaction with `written` bytes of its
        pages in the write-ahead log. Every transaction begins IMMEDIATE (see settings), so it
        holds the write lock from its start; its pages reach the log when they overflow the
        job's page cache, or at the commit. (The lock is the whole file's, whatever `table`.)"""
        wal = self.path.with_name(self.path.name + "-wal")
        size = wal.stat().st_size if wal.exists() else 0

        def in_transaction() -> bool:
            with closing(sqlite3.connect(self.path, timeout=0, isolation_level=None)) as probe:
                try:
                    probe.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    return True
                probe.execute("ROLLBACK")
                return False

        def grown() -> bool:
            return (wal.stat().st_size if wal.exists() else 0) >= size + written

        return lambda: grown() and in_transaction()

    def settle(self) -> None:
        """A killed job's locks went with it: the kernel drops the locks of a dead process."""

    def assert_consistent(self) -> None:
        assert self.rows("PRAGMA integrity_check") == [("ok",)]
        assert self.rows("PRAGMA foreign_key_check") == []


class PostgresDatabase:
    """The test database itself, which the jobs reach as any client does; their sessions are
    named JOB (libpq's PGAPPNAME) so the test can watch them."""

    def __init__(self):
        s = connection.settings_dict
        password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
        host = f"{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}"
        self.url = f"postgres://{quote(s['USER'], safe='')}{password}@{host}/{s['NAME']}"

    def rows(self, query: str, params: list | None = None) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def writing(self, table: str, written: int):
        """A test of whether a job is writing `table`: its session holds the table's write
        lock (taken by its first INSERT, kept until the transaction ends) and the table's
        file has grown by `written` bytes (rows written, not yet committed)."""
        query = """
            SELECT pg_relation_size(%(table)s::regclass) >= %(size)s + %(written)s AND EXISTS (
                SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE a.datname = current_database() AND a.application_name = %(job)s
                AND l.relation = %(table)s::regclass AND l.mode = 'RowExclusiveLock'
            )
        """
        size = self.rows("SELECT pg_relation_size(%s::regclass)", [table])[0][0]
        arguments = {"table": table, "size": size, "written": written, "job": JOB}
        return lambda: self.rows(query, arguments)[0][0]

    def settle(self, timeout: float = 30) -> None:
        """Wait for a killed job's session to end: its server process finds the connection
        closed when it next talks to the client, then rolls back and frees its locks."""
        sessions = """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = %s
        """
        deadline = time.monotonic() + timeout
        while self.rows(sessions, [JOB]) != [(0,)]:
            assert time.monotonic() < deadline, "the killed job's session is still open"
            time.sleep(0.01)

    def assert_consistent(self) -> None:
        """No row refers to a row that does not exist (the keys are checked at commit, which
        is what this proves of the rows a killed job may have left)."""
        orphans = []
        quote_name = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                constraints = connection.introspection.get_constraints(cursor, table)
                for constraint in constraints.values():
                    if not constraint["foreign_key"]:
                        continue
                    (column,), (parent, key) = constraint["columns"], constraint["foreign_key"]
                    child, column = quote_name(table), quote_name(column)
                    cursor.execute(
                        f"SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL "  # noqa: S608
                        f"AND NOT EXISTS (SELECT FROM {quote_name(parent)} p "
                        f"WHERE p.{quote_name(key)} = c.{column})"
                    )
                    if count := cursor.fetchone()[0]:
                        orphans.append(f"{table}.{column}: {count}")
        assert orphans == []


def jobs_database(tmp_path: Path) -> SqliteFile | PostgresDatabase:
    """The database the jobs run on, with what the test has stored so far."""
    if connection.vendor == "sqlite":
        return SqliteFile(tmp_path / "seire.sqlite3")
    if connection.vendor == "postgresql":
        return PostgresDatabase()
    pytest.skip(f"kills jobs on SQLite and PostgreSQL, not {connection.vendor}")


@pytest.fixture
def database(cast, tmp_path) -> SqliteFile | PostgresDatabase:
    """The migrated schema and the cast."""
    return jobs_database(tmp_path)


@pytest.fixture
def release_database(cast, tmp_path) -> SqliteFile | PostgresDatabase:
    """The cast, a year of episodes and a large release to publish."""
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
    return jobs_database(tmp_path)


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


def seire(database: SqliteFile | PostgresDatabase, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database.url, "PGAPPNAME": JOB, "SEIRE_DEBUG": "1"}
    env.pop("SEIRE_TASKS_BACKEND", None)  # recomputations run in the job itself
    return subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "seire", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def kill_once_writing(
    job: subprocess.Popen,
    database: SqliteFile | PostgresDatabase,
    table: str,
    written: int = 64 * 1024,
    timeout: float = 20,
) -> None:
    """SIGKILL `job` as soon as it is writing `table` (inside the transaction, with `written`
    bytes of it on disk), and wait until its locks are gone."""
    writing = database.writing(table, written)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and job.poll() is None:
        if writing():
            break
        time.sleep(0.002)
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert job.returncode == -signal.SIGKILL, (
        "the job ended before it was killed:\n" + job.stderr.read().decode()
    )
    database.settle()


def finish(job: subprocess.Popen) -> str:
    out, err = job.communicate(timeout=120)
    assert job.returncode == 0, err.decode()
    return out.decode()


def test_a_killed_import_stores_nothing_and_runs_again(database, extract):
    job = seire(database, "import_episodes", str(extract), "--user", "ann")
    kill_once_writing(job, database, "collection_episode")

    database.assert_consistent()
    assert database.rows("SELECT count(*) FROM collection_episode") == [(0,)]
    assert database.rows("SELECT count(*) FROM access_auditevent") == [(0,)]

    out = finish(seire(database, "import_episodes", str(extract), "--user", "ann"))
    assert f"{EPISODES} created" in out
    assert database.rows("SELECT count(*) FROM collection_episode") == [(EPISODES,)]
    database.assert_consistent()


def test_a_killed_release_leaves_no_half_version_and_publishes_again(release_database):
    database = release_database
    job = seire(database, "publish", "vs-2024")
    # A release's cells fit in SQLite's page cache: they reach its log only at the commit, so
    # the kill comes once the transaction that writes them has begun.
    kill_once_writing(job, database, "publishing_publishedcell", written=0, timeout=60)

    database.assert_consistent()
    versions = "SELECT v.id, v.published_at IS NOT NULL, v.audit FROM publishing_releaseversion v"
    cells = "SELECT count(*) FROM publishing_publishedcell WHERE version_id = %d"
    status = "SELECT status FROM publishing_release WHERE code = 'vs-2024'"
    for pk, _published, audit in database.rows(versions):
        audit = json.loads(audit) if isinstance(audit, str) else audit
        # A version is stored with all of its cells or not at all.
        assert database.rows(cells % pk) == [(audit["cells"],)]
    stored = database.rows(versions)
    expected = "published" if any(row[1] for row in stored) else "prepared" if stored else None
    assert database.rows(status) == [(expected or "planned",)]

    out = finish(seire(database, "publish", "vs-2024"))
    assert "vs-2024 v1: published" in out
    assert database.rows(status) == [("published",)]
    database.assert_consistent()
