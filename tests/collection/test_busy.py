"""A database too busy to take a write: the person is told nothing was saved (503), not
shown a server error, and nothing of the request is stored.

The write path is made to hit the lock the way it does under load: inside its transaction,
after it has written (SQLite's "database is locked" once the busy timeout runs out, or
PostgreSQL's lock timeout), so the rollback is real.
"""

import json

import psycopg
import pytest
import time_machine
from django.db import OperationalError, transaction

from seire.access.middleware import is_busy
from seire.collection.models import DataValue
from seire.collection.views import entry
from tests.collection.test_views import CONSISTENT, fields, htmx_cell, url

LOCKED = "database is locked"


@pytest.fixture(autouse=True)
def _april_2026():
    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        yield


@pytest.fixture
def busy(monkeypatch):
    """The grid's saves write, then find the database locked, inside one transaction."""

    def locked(original):
        def save(*args, **kwargs):
            with transaction.atomic():
                original(*args, **kwargs)
                raise OperationalError(LOCKED)

        return save

    monkeypatch.setattr(entry, "save_values", locked(entry.save_values))


@pytest.fixture
def paul(client, cast):
    client.force_login(cast.paul, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"
    return client


def test_a_cell_saved_while_the_database_is_busy_says_so_in_the_page(paul, cast, vs_monthly, busy):
    response = htmx_cell(paul, vs_monthly, cast.harju_vs, "SESSIONS", "total", "15")
    assert response.status_code == 503
    assert response["HX-Retarget"] == "#busy" and response["Retry-After"] == "5"
    assert "what you just entered was not saved" in response.content.decode()
    assert not DataValue.objects.exists()


def test_a_grid_saved_while_the_database_is_busy_gets_the_busy_page(paul, cast, vs_monthly, busy):
    response = paul.post(url("grid", cast.harju_vs), fields(vs_monthly, CONSISTENT))
    assert response.status_code == 503
    html = response.content.decode()
    assert "Seire is busy" in html and "nothing of what you sent was saved" in html
    assert not DataValue.objects.exists()


def test_the_api_answers_busy_in_json(client, cast, vs_monthly, monkeypatch):
    from seire.collection import api

    def locked(*args, **kwargs):
        raise OperationalError(LOCKED)

    monkeypatch.setattr(api, "import_cells", locked)
    client.force_login(cast.paul, backend="django.contrib.auth.backends.ModelBackend")
    body = {"dataset": "VS_MONTHLY", "values": [
        {"unit": "HARJU-VS", "period": "2026M03", "element": "SESSIONS", "combo": "total",
         "value": 15, "version": 0},
    ]}  # fmt: skip
    response = client.post("/api/collection/values", json.dumps(body),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 503
    assert "nothing was saved" in response.json()["detail"]


def test_only_contention_counts_as_busy():
    assert is_busy(OperationalError(LOCKED))
    for sqlstate, busy in [("55P03", True), ("40P01", True), ("40001", True), ("42P01", False)]:
        error = OperationalError("could not obtain lock")
        cause = psycopg.errors.lookup(sqlstate)()
        error.__cause__ = cause
        assert is_busy(error) is busy, sqlstate
    assert not is_busy(OperationalError("no such table: collection_datavalue"))
    assert not is_busy(ValueError(LOCKED))
