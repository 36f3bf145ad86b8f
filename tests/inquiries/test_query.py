"""The query builder: a cube for the answer under the requester type's disclosure settings.

The data (builders.episodes_2025): Harju 12 women, 3 men; Tartu 8 women, 7 men, all in
2025. Three men in Harju is below the threshold of 5: it must never be shown to an external
requester, nor be recoverable from what is shown (the suppression hides a second cell).
"""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from seire.access.models import AuditEvent
from seire.inquiries.models import AnswerFile, Inquiry
from tests.inquiries.builders import episodes_2025, make_inquiry

QUERY = {
    "measure": "episodes",
    "dims": ["county", "gender"],
    "period_from": "2025",
    "period_to": "2025",
    "granularity": "year",
}


@pytest.fixture
def ann(client, cast):
    episodes_2025(cast)
    client.force_login(cast.ann)
    return client


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def cell(rows, county, gender):
    return next(r for r in rows if r["county"] == county and r["gender"] == gender)


def test_the_preview_shows_the_protected_table_with_its_legend(ann):
    inquiry = make_inquiry(requester_type="media")
    page = ann.get(reverse("inquiries:query", args=[inquiry.pk]), QUERY)
    assert page.status_code == 200
    table = page.context["table"]
    frame = table.frame.set_index(["county", "gender"])
    assert frame.loc[("HARJU", "male"), "value"] is None  # the small count
    assert frame.loc[("TARTU", "TOTAL"), "value"] == 15
    shown = [v for v in table.frame["value"] if v is not None]
    assert all(v == 0 or v >= 5 for v in shown)
    html = page.content.decode()
    assert "Legend" in html or "Legend" in html or "Selgitus" in html
    assert "..</span>" in html


def test_the_htmx_preview_is_the_table_alone(ann):
    inquiry = make_inquiry(requester_type="media")
    page = ann.get(reverse("inquiries:query", args=[inquiry.pk]), QUERY, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert "<html" not in page.content.decode()
    assert page.context["table"] is not None


def test_the_csv_export_of_an_external_answer_has_no_small_count(ann):
    inquiry = make_inquiry(requester_type="research")
    response = ann.get(reverse("inquiries:export", args=[inquiry.pk]), QUERY | {"format": "csv"})
    assert response.status_code == 200
    rows = csv_rows(response.content)
    values = [int(r["value"]) for r in rows if r["value"] != ""]
    assert values and all(v == 0 or v >= 5 for v in values)
    harju_men = cell(rows, "HARJU", "male")
    assert (harju_men["value"], harju_men["flag"]) == ("", "confidential")
    assert cell(rows, "TOTAL", "TOTAL")["value"] == "30"
    assert AuditEvent.objects.filter(action="export", object_id=str(inquiry.pk)).exists()


def test_an_external_requester_never_gets_true_counts(ann):
    inquiry = make_inquiry(requester_type="ministry")
    query = QUERY | {"format": "xlsx", "unprotected": "on"}
    response = ann.get(reverse("inquiries:export", args=[inquiry.pk]), query)
    sheet = load_workbook(io.BytesIO(response.content))["table"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    position = header.index("value")
    values = [r[position] for r in rows if r[position] is not None]
    assert values and all(v == 0 or v >= 5 for v in values)


def test_an_internal_requester_may_see_true_counts_and_it_is_logged(ann):
    inquiry = make_inquiry(requester_type="internal", organisation="Sotsiaalkindlustusamet")
    page = ann.get(reverse("inquiries:query", args=[inquiry.pk]), QUERY | {"unprotected": "on"})
    frame = page.context["table"].frame.set_index(["county", "gender"])
    assert frame.loc[("HARJU", "male"), "value"] == 3
    logged = AuditEvent.objects.get(action="view", object_id=str(inquiry.pk))
    assert "unprotected" in logged.summary
    protected = ann.get(reverse("inquiries:query", args=[inquiry.pk]), QUERY)
    frame = protected.context["table"].frame.set_index(["county", "gender"])
    assert frame.loc[("HARJU", "male"), "value"] is None


def test_attaching_stores_the_files_and_the_query(ann):
    inquiry = make_inquiry(requester_type="media")
    response = ann.post(reverse("inquiries:attach", args=[inquiry.pk]), QUERY)
    assert response.status_code == 302
    files = list(AnswerFile.objects.filter(inquiry=inquiry).order_by("name"))
    assert [f.name.rsplit(".", 1)[1] for f in files] == ["csv", "xlsx"]
    assert all(f.protected for f in files)
    inquiry.refresh_from_db()
    assert inquiry.query_spec["cube"]["dims"] == ["county", "gender"]
    assert inquiry.query_spec["protected"] is True
    download = ann.get(reverse("inquiries:file", args=[inquiry.pk, files[0].pk]))
    assert cell(csv_rows(download.content), "HARJU", "male")["value"] == ""


def test_rerun_builds_the_stored_query_on_newer_data(ann, cast):
    inquiry = make_inquiry(requester_type="media")
    ann.post(reverse("inquiries:attach", args=[inquiry.pk]), QUERY)
    from seire.collection.models import Episode

    for i in range(5):
        Episode.objects.create(source_id=f"N{i}", client_key=f"n{i}", service=cast.vs,
                               unit=cast.harju_vs, county=cast.harju, opened="2025-12-01",
                               gender="male")  # fmt: skip
    response = ann.post(reverse("inquiries:rerun", args=[inquiry.pk]))
    assert response.status_code == 302
    newest = AnswerFile.objects.filter(inquiry=inquiry, name__endswith=".csv").order_by("pk")
    assert newest.count() == 2
    assert cell(csv_rows(bytes(newest.last().content)), "HARJU", "male")["value"] == "8"


def test_a_bad_query_is_explained_and_changes_nothing(ann):
    inquiry = make_inquiry(requester_type="media")
    bad = QUERY | {"period_from": "2025M02", "granularity": "quarter"}
    page = ann.get(reverse("inquiries:query", args=[inquiry.pk]), bad)
    assert page.status_code == 400
    assert "2025M02" in page.content.decode()
    response = ann.post(reverse("inquiries:attach", args=[inquiry.pk]), bad)
    assert response.status_code == 400
    assert not AnswerFile.objects.exists()
    assert Inquiry.objects.get().query_spec is None


def test_a_formula_in_a_label_is_neutralised():
    from seire.inquiries.query import neutralise

    assert neutralise("=HYPERLINK()") == "'=HYPERLINK()"
