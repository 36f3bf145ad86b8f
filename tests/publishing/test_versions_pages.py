"""A corrected release: the current version is shown with its note; the previous version
stays readable at its own address, marked superseded."""

import time_machine

from seire.publishing import services
from tests.publishing.conftest import AFTER

LATER = AFTER.replace(day=20)


def test_the_old_version_stays_readable_marked_superseded(client, release):
    services.publish(release, now=AFTER)
    with time_machine.travel(LATER, tick=False):
        services.correct(release, note_et="Parandus.", note_en="A fix.")
        current = client.get("/statistics/vs-2026q1/", HTTP_ACCEPT_LANGUAGE="en")
        assert "A fix." in current.content.decode() or "Parandus." in current.content.decode()
        old = client.get("/statistics/vs-2026q1/v1/tables/county-gender/")
        assert old.status_code == 200
        assert 'class="notice notice--warning"' in old.content.decode()
        api = client.get("/api/public/releases/vs-2026q1").json()
        assert api["version"] == 2
        assert [(v["number"], v["superseded"]) for v in api["versions"]] == [(2, False), (1, True)]
        old_json = client.get("/api/public/releases/vs-2026q1/tables/county-gender?version=1")
        assert old_json.json()["version"] == 1


def test_the_methodology_links_each_table_to_its_metric_passports(client, cast, release):
    from tests.metrics.proposal_data import new_clients_metric

    metric = new_clients_metric(cast)
    release.tables.get(code="county-gender").metrics.add(metric)
    services.publish(release, now=AFTER)
    with time_machine.travel(LATER, tick=False):
        html = client.get("/statistics/vs-2026q1/methodology/").content.decode()
    assert "/metrics/VS_NEW/passport/" in html
    assert html.count("<h2") == release.tables.count()


def test_a_definition_changed_after_publication_leaves_the_published_table_as_it_was(
    client, release
):
    services.publish(release, now=AFTER)
    table = release.tables.get(code="county-gender")
    table.dims = ["gender"]
    table.measure = "no-such-measure"
    table.save()
    with time_machine.travel(LATER, tick=False):
        for suffix in ("/", ".csv", ".px", ".xlsx"):
            response = client.get(f"/statistics/vs-2026q1/tables/county-gender{suffix}")
            assert response.status_code == 200, suffix
        assert client.get("/statistics/vs-2026q1/methodology/").status_code == 200
        body = client.get("/api/public/releases/vs-2026q1/tables/county-gender").json()
        assert [d["code"] for d in body["dimensions"]] == ["county", "gender"]
