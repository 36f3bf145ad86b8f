"""Passports, the handbook and the data-collection guides as pages and PDFs.

Olev owns general victim support (VS) and its share of domestic-violence episodes
(VS_DV_SHARE, two versions); every staff member may read its passport and the guide of the
VS monthly table, Rein (no role) and the public may not.
"""

import re
import zlib
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from weasyprint import HTML

from seire.metrics.models import Metric
from seire.metrics.views_docs import describe_expression
from seire.pdf import StaticFetcher
from tests.collection import conftest as collection
from tests.metrics.docs_data import DEFINITION, dv_share_metric

vs_monthly = collection.vs_monthly  # the statistics table of tests/collection, as a fixture

STAFF = ["paul", "pille", "olev", "oksana", "mari", "ann"]


@pytest.fixture
def dv_share(cast) -> Metric:
    return dv_share_metric(cast)


def signed_in(client, user, language="et"):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("persona", STAFF)
def test_it_shows_the_passport_to_every_staff_member(client, cast, dv_share, persona):
    response = signed_in(client, getattr(cast, persona)).get(
        reverse("metrics:passport", args=["VS_DV_SHARE"])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert DEFINITION["et"] in page
    assert "Kirjeldab versiooni 2" in page


@pytest.mark.parametrize("name", ["passport", "passport_pdf"])
def test_it_refuses_the_passport_to_people_without_a_role(client, cast, dv_share, name):
    url = reverse(f"metrics:{name}", args=["VS_DV_SHARE"])
    assert signed_in(client, cast.rein).get(url).status_code == 403
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_it_shows_every_field_of_the_passport_in_english(client, cast, dv_share):
    page = (
        signed_in(client, cast.ann, "en")
        .get(reverse("metrics:passport", args=["VS_DV_SHARE"]))
        .content.decode()
    )
    for text in [
        DEFINITION["en"],
        "Describes version 2 of March 2, 2026",
        "in use from Q1 2026",
        "General victim support",
        "Clients",
        "Numerator ÷ denominator × 100",
        "Numerator and denominator are added up",
        "Computed quarterly",
        "County, gender",
        "95 % Wilson",
        "Shows how much of the work",
        "No better direction",
        "not the client&#x27;s other episodes",
        "Crime type is recorded at intake",
        "About 3 % of episodes",
        "The definition has 2 versions",
        "Revision policy",
        "30 % (Q1 2026, Estonia)",
        "Values between the target and 40 are amber",
        "disclosure control",
        "First definition.",
        # the change log shows version 1's own definition (its denominator is "closed")
        "Share of episodes opened in the period with crime type domestic violence among "
        "episodes closed in the period",
    ]:
        assert text in page, text


def test_it_shows_an_older_version_when_asked(client, cast, dv_share):
    url = reverse("metrics:passport", args=["VS_DV_SHARE"])
    page = signed_in(client, cast.ann, "en").get(url, {"version": 1}).content.decode()
    assert "Describes version 1 of Jan. 15, 2025" in page
    assert client.get(url, {"version": 9}).status_code == 404
    assert client.get(url, {"version": "x"}).status_code == 404


def test_it_answers_404_for_an_unknown_metric(client, cast):
    url = reverse("metrics:passport", args=["NO_SUCH"])
    assert signed_in(client, cast.paul).get(url).status_code == 404


def pdf_pages(body: bytes) -> int:
    """The number of pages of a PDF (its objects are in compressed streams)."""
    objects = b"".join(
        zlib.decompress(m.group(1))
        for m in re.finditer(rb"/FlateDecode[^>]*>>\s*stream\r?\n(.*?)\r?\nendstream", body, re.S)
    )
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", objects + body))


def assert_pdf(response, pages: int = 1) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-")
    assert len(body) > 10_000  # fonts embedded, text laid out: not an empty page
    assert pdf_pages(body) >= pages
    return body


@pytest.mark.parametrize("how", ["suffix", "query"])
def test_it_serves_the_passport_as_a_pdf(client, cast, dv_share, how):
    signed_in(client, cast.mari)
    if how == "suffix":
        response = client.get(reverse("metrics:passport_pdf", args=["VS_DV_SHARE"]))
    else:
        response = client.get(reverse("metrics:passport", args=["VS_DV_SHARE"]), {"format": "pdf"})
    assert_pdf(response)
    assert 'filename="VS_DV_SHARE-passport.pdf"' in response["Content-Disposition"]


def test_the_page_has_no_inline_style_and_its_pdf_has_the_page_rules(
    client, cast, dv_share, monkeypatch
):
    """The Content-Security-Policy allows no inline style: only the PDF carries `@page`."""
    import seire.pdf

    laid_out = []
    monkeypatch.setattr(
        seire.pdf, "HTML", lambda string, **kw: laid_out.append(string) or HTML(string=string, **kw)
    )
    signed_in(client, cast.mari)
    page = client.get(reverse("metrics:passport", args=["VS_DV_SHARE"])).content.decode()
    assert "<style" not in page
    assert_pdf(client.get(reverse("metrics:passport_pdf", args=["VS_DV_SHARE"])))
    assert "@page" in laid_out[0]
    assert '"Lk " counter(page) " / " counter(pages)' in laid_out[0]


def test_it_collects_every_passport_in_the_handbook(client, cast, dv_share):
    signed_in(client, cast.olev, "en")
    page = client.get(reverse("metrics:handbook")).content.decode()
    assert 'href="#passport-VS_DV_SHARE"' in page
    assert 'href="#passport-VS_CLIENTS"' in page
    assert DEFINITION["en"] in page
    assert "This metric has no definition yet." in page  # VS_CLIENTS has no version
    assert_pdf(client.get(reverse("metrics:handbook_pdf")), pages=4)  # contents + 1 + 2


@time_machine.travel(datetime(2026, 4, 20, 12), tick=False)
def test_it_explains_the_statistics_table_in_its_guide(client, cast, vs_monthly):
    page = (
        signed_in(client, cast.paul, "en")
        .get(reverse("metrics:guide", args=["VS_MONTHLY"]))
        .content.decode()
    )
    for text in [
        "Victim support monthly table",
        "Due on the 10th day after the period ends.",
        "For March 2026 the report is due on April 10, 2026.",
        "60 days after the deadline the period locks",
        "March 2026 locks on June 9, 2026.",
        "A client whose first episode of the reporting year began.",
        "Women",
        "Men",
        "Unknown",
        "Total",
        "New clients (Total) must equal New clients (Women) + New clients (Men) + "
        "New clients (Unknown)",
        "New clients (Total) must be at most Counselling sessions",
        "Counselling sessions is compared with the unit&#x27;s previous 12 periods",
        "Hard: blocks submission",
        "Total must equal women + men + unknown.",
    ]:
        assert text in page, text


@time_machine.travel(datetime(2026, 4, 20, 12), tick=False)
def test_it_writes_the_guide_in_estonian(client, cast, vs_monthly):
    page = (
        signed_in(client, cast.pille)
        .get(reverse("metrics:guide", args=["VS_MONTHLY"]))
        .content.decode()
    )
    assert "Uued kliendid (Kokku) peab võrduma Uued kliendid (Naised)" in page
    assert "Tähtaeg on 10. päev pärast perioodi lõppu." in page
    assert "Klient, kellel algas aruandeaastal esimene juhtum." in page


def test_it_serves_the_guide_as_a_pdf_and_lists_the_guides(client, cast, vs_monthly):
    signed_in(client, cast.oksana)
    assert_pdf(client.get(reverse("metrics:guide_pdf", args=["VS_MONTHLY"])))
    listing = client.get(reverse("metrics:guide_list")).content.decode()
    assert reverse("metrics:guide", args=["VS_MONTHLY"]) in listing
    assert signed_in(client, cast.rein).get(reverse("metrics:guide_list")).status_code == 403


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("A + B - C", "Alpha + Beta − C"),
        ("A - (B + C)", "Alpha − (Beta + C)"),
        ("(A + B) * 2", "(Alpha + Beta) × 2"),
        ("A * B + 0.5", "Alpha × Beta + 0.5"),
        ("A / (B / 2)", "Alpha ÷ (Beta ÷ 2)"),
        ("-(A + B)", "−(Alpha + Beta)"),
        ("A[female.x]", "Alpha (Women, x)"),
        ("A +", "A +"),  # malformed: shown as written
    ],
)
def test_it_writes_expressions_with_element_names(expression, words):
    names = {"A": ("Alpha", {"female": "Women"}), "B": ("Beta", {})}
    assert describe_expression(expression, names, "en") == words


def test_it_fetches_static_files_and_nothing_else():
    fetcher = StaticFetcher()
    css = fetcher.fetch("https://seire.invalid/static/seire/docs.css")
    assert b"@media print" in css.read()
    for url in [
        "https://example.com/x.css",
        "https://seire.invalid/static/../settings.py",
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError, match="not a static file"):
            fetcher.fetch(url)
