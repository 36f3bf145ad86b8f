"""Embargo: before its time nothing of a release is reachable — page, file or API — and at
its time everything is. The clock is frozen a minute either side of 10:00."""

import pytest
import time_machine

from seire.publishing import services
from tests.publishing.conftest import AFTER, BEFORE

URLS = [
    "/statistics/vs-2026q1/",
    "/statistics/vs-2026q1/v1/",
    "/statistics/vs-2026q1/methodology/",
    "/statistics/vs-2026q1/tables/county-gender/",
    "/statistics/vs-2026q1/v1/tables/county-gender/",
    "/statistics/vs-2026q1/tables/county-gender.csv",
    "/statistics/vs-2026q1/tables/county-gender.xlsx",
    "/statistics/vs-2026q1/tables/county-gender.px",
    "/statistics/vs-2026q1/v1/tables/county-gender.px",
    "/api/public/releases/vs-2026q1",
    "/api/public/releases/vs-2026q1/tables/county-gender",
]


@pytest.fixture
def prepared(release):
    services.publish(release, now=BEFORE)  # prepared, waiting for its time
    return release


@pytest.mark.parametrize("url", URLS)
def test_nothing_is_reachable_before_the_time(client, prepared, url):
    with time_machine.travel(BEFORE, tick=False):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", URLS)
def test_nothing_is_reachable_at_the_time_until_it_is_published(client, prepared, url):
    # The time has come but the scheduled task has not run: still nothing.
    with time_machine.travel(AFTER, tick=False):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", URLS)
def test_everything_is_reachable_once_published(client, prepared, url):
    with time_machine.travel(AFTER, tick=False):
        services.publish_due()
        assert client.get(url).status_code == 200


def test_a_published_release_is_hidden_again_if_rescheduled_later(client, prepared):
    with time_machine.travel(AFTER, tick=False):
        services.publish_due()
        prepared.planned_at = AFTER.replace(day=16)
        prepared.save()
        assert client.get("/statistics/vs-2026q1/").status_code == 404


def test_the_home_and_the_api_list_only_what_is_public(client, prepared):
    with time_machine.travel(BEFORE, tick=False):
        html = client.get("/statistics/").content.decode()
        assert "Ohvriabi 2026 I kvartal" in html  # the calendar names it and its time…
        assert "/statistics/vs-2026q1/" not in html  # …but does not link to it
        assert client.get("/api/public/releases").json() == []
    with time_machine.travel(AFTER, tick=False):
        services.publish_due()
        assert "/statistics/vs-2026q1/" in client.get("/statistics/").content.decode()
        assert [r["code"] for r in client.get("/api/public/releases").json()] == ["vs-2026q1"]


def test_an_unknown_format_or_table_is_404(client, prepared):
    with time_machine.travel(AFTER, tick=False):
        services.publish_due()
        assert client.get("/statistics/vs-2026q1/tables/county-gender.exe").status_code == 404
        assert client.get("/statistics/vs-2026q1/tables/nope/").status_code == 404
        assert client.get("/statistics/vs-2026q1/v7/").status_code == 404
