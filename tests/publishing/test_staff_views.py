"""The analyst's publishing pages: the calendar, a release, and prepare/publish/correct."""

import time_machine
from django.core import mail

from seire.publishing.models import Release
from tests.publishing.conftest import AFTER, BEFORE


def test_it_requires_the_analyst(client, cast, release):
    client.force_login(cast.mari)
    assert client.get("/publishing/").status_code == 403
    assert client.post(f"/publishing/{release.code}/publish/").status_code == 403
    assert not release.versions.exists()


def test_the_analyst_prepares_then_publishes_at_the_time(client, cast, release):
    client.force_login(cast.ann)
    with time_machine.travel(BEFORE, tick=False):
        response = client.post(f"/publishing/{release.code}/publish/", follow=True)
        assert (
            "scheduled task" in response.content.decode()
            or "ajastatud" in response.content.decode()
        )
        assert client.get("/statistics/vs-2026q1/").status_code == 404
        page = client.get(f"/publishing/{release.code}/").content.decode()
        assert "stat-table" in page  # the analyst previews the protected tables
    with time_machine.travel(AFTER, tick=False):
        client.post(f"/publishing/{release.code}/publish/")
        assert client.get("/statistics/vs-2026q1/").status_code == 200
        assert len(mail.outbox) == 1
        client.post(f"/publishing/{release.code}/correct/", {"note_et": "P", "note_en": "C"})
    release.refresh_from_db()
    assert release.status == Release.Status.PUBLISHED
    assert list(release.versions.values_list("number", flat=True)) == [1, 2]


def test_a_refused_correction_shows_why_and_changes_nothing(client, cast, release):
    client.force_login(cast.ann)
    with time_machine.travel(AFTER, tick=False):
        client.post(f"/publishing/{release.code}/publish/")
        response = client.post(f"/publishing/{release.code}/correct/", {"note_et": ""}, follow=True)
    assert "needs a note" in response.content.decode()
    assert release.versions.count() == 1
