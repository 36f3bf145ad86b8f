"""Timeliness against a hand-built register: share on time and median days to answer.

The register (days counted on a calendar, by hand):
  1. ministry  received 5 Jan,  due 12 Jan, answered 9 Jan   → on time,  4 days, January
  2. ministry  received 20 Jan, due 27 Jan, answered 29 Jan  → late,     9 days, January
  3. media     received 26 Jan, due 2 Feb,  answered 2 Feb   → on time,  7 days, February
  4. media     received 2 Feb,  due 9 Feb extended to 20 Feb, answered 18 Feb
                                                             → on time, 16 days, February
  5. research  received 10 Jan, due 9 Feb,  refused 16 Feb   → late,    37 days, February
  6. public    received 10 Feb, still open                   → not counted
All: 5 replies, 3 on time = 60 %; days 4, 7, 9, 16, 37 → median 9.
Ministry: 1 of 2 = 50 %, median (4 + 9) / 2 = 6.5. Media: 2 of 2, median (7 + 16) / 2 = 11.5.
Research: 0 of 1, 37. January: 1 of 2, median 6.5. February: 2 of 3 = 66.7 %, median 16.
"""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from seire.inquiries import timeliness
from seire.inquiries.models import Inquiry
from tests.inquiries.builders import make_inquiry


@pytest.fixture
def register(cast):
    d = date
    rows = [
        ("ministry", d(2026, 1, 5), d(2026, 1, 12), d(2026, 1, 12), d(2026, 1, 9), "answered"),
        ("ministry", d(2026, 1, 20), d(2026, 1, 27), d(2026, 1, 27), d(2026, 1, 29), "answered"),
        ("media", d(2026, 1, 26), d(2026, 2, 2), d(2026, 2, 2), d(2026, 2, 2), "answered"),
        ("media", d(2026, 2, 2), d(2026, 2, 9), d(2026, 2, 20), d(2026, 2, 18), "answered"),
        ("research", d(2026, 1, 10), d(2026, 2, 9), d(2026, 2, 9), d(2026, 2, 16), "refused"),
        ("public", d(2026, 2, 10), d(2026, 2, 17), d(2026, 2, 17), None, "in_progress"),
    ]
    for kind, received, first_due, due, closed, status in rows:
        make_inquiry(
            requester_type=kind,
            received_on=received,
            first_due=first_due,
            due_date=due,
            closed_on=closed,
            status=status,
            status_reason="x" if status == "refused" else "",
        )


def test_it_gives_the_hand_worked_totals(register):
    panel = timeliness.panel(timeliness.replies_from(Inquiry.objects.all()))
    assert (panel.total.replied, panel.total.on_time) == (5, 3)
    assert panel.total.share == pytest.approx(60.0)
    assert panel.total.median_days == 9


def test_it_gives_the_hand_worked_numbers_by_requester_type(register):
    panel = timeliness.panel(timeliness.replies_from(Inquiry.objects.all()))
    got = {k: (v.replied, v.on_time, v.share, v.median_days) for k, v in panel.by_type.items()}
    assert got == {
        "media": (2, 2, 100.0, 11.5),
        "ministry": (2, 1, 50.0, 6.5),
        "research": (1, 0, 0.0, 37),
    }


def test_it_gives_the_hand_worked_numbers_by_month(register):
    panel = timeliness.panel(timeliness.replies_from(Inquiry.objects.all()))
    january, february = panel.by_month["2026-01"], panel.by_month["2026-02"]
    assert (january.replied, january.on_time, january.median_days) == (2, 1, 6.5)
    assert (february.replied, february.on_time, february.median_days) == (3, 2, 16)
    assert february.share == pytest.approx(66.6667, abs=1e-3)


def test_nothing_replied_gives_no_share():
    empty = timeliness.summarise([])
    assert (empty.replied, empty.share, empty.median_days) == (0, None, None)


@time_machine.travel("2026-03-01 12:00 +02:00", tick=False)
def test_the_register_page_shows_the_panel(client, cast, register):
    client.force_login(cast.ann)
    page = client.get(reverse("inquiries:index")).content.decode()
    assert "60 %" in page  # all replies
    assert "11,5" in page  # media's median (Estonian decimal comma)
    assert "66 %" in page or "67 %" in page  # February


@time_machine.travel("2026-03-01 12:00 +02:00", tick=False)
def test_the_analysts_home_page_shows_the_panel(client, cast, register):
    client.force_login(cast.ann)
    page = client.get(reverse("home")).content.decode()
    assert reverse("inquiries:index") in page
    assert "60 %" in page


def test_other_home_pages_do_not(client, cast, register):
    client.force_login(cast.mari)
    page = client.get(reverse("home")).content.decode()
    assert reverse("inquiries:index") not in page


@time_machine.travel("2028-06-01 12:00 +03:00", tick=False)
def test_an_old_register_shows_its_last_twelve_months(client, cast, register):
    client.force_login(cast.ann)
    context = client.get(reverse("inquiries:index")).context
    assert context["panel"].total.replied == 5  # not an empty panel
    assert context["panel_to"] == date(2026, 2, 18)
