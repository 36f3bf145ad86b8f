"""Submitting, approving, returning and reopening a report; who may; and what is on time."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from seire.access.models import AuditEvent
from seire.collection import workflow
from seire.collection.services import Cell, Refused, save_values
from seire.collection.timeliness import State, board, summary
from seire.organisation.models import Provider


@pytest.fixture
def march(cast, vs_monthly):
    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        cells = [
            ("CLIENTS_NEW", "female", 5),
            ("CLIENTS_NEW", "male", 2),
            ("CLIENTS_NEW", "unknown", 0),
            ("CLIENTS_NEW", "total", 7),
            ("SESSIONS", "total", 15),
        ]
        save_values(
            cast.paul,
            vs_monthly,
            [Cell(e, c, "HARJU-VS", "2026M03", v) for e, c, v in cells],
            "web",
        )
        yield workflow.get_submission(vs_monthly, cast.harju_vs, "2026M03")


def test_it_walks_a_report_through_submit_return_resubmit_approve(cast, march):
    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        s = workflow.submit(cast.paul, march, version=march.version)
        assert s.status == "submitted" and s.on_time
        s = workflow.return_for_changes(cast.olev, s, "Palun kontrolli mehi", version=s.version)
        assert s.status == "returned" and s.comment == "Palun kontrolli mehi"
        s = workflow.submit(cast.paul, s)
        s = workflow.approve(cast.ann, s)
    assert s.status == "approved"
    steps = AuditEvent.objects.filter(object_type="collection.submission").order_by("id")
    assert [e.changes["status"] for e in steps] == [
        ["draft", "submitted"],
        ["submitted", "returned"],
        ["returned", "submitted"],
        ["submitted", "approved"],
    ]


def test_it_refuses_a_step_taken_on_a_stale_page(cast, march):
    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        stale = march.version
        workflow.submit(cast.paul, march, version=stale)
        with pytest.raises(Refused, match="changed meanwhile"):
            workflow.approve(cast.ann, march, version=stale)


def test_it_blocks_submission_while_a_hard_rule_is_broken(cast, march):
    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        save_values(
            cast.paul,
            march.dataset,
            [Cell("CLIENTS_NEW", "total", "HARJU-VS", "2026M03", 9)],
            "web",
        )
        with pytest.raises(Refused, match="Total must equal"):
            workflow.submit(cast.paul, march)
    march.refresh_from_db()
    assert march.status == "draft"


def test_it_only_lets_reviewers_decide_and_the_analyst_reopen(cast, march):
    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        with pytest.raises(PermissionDenied):
            workflow.submit(cast.pille, march)
        s = workflow.submit(cast.paul, march)
        for outsider in (cast.paul, cast.oksana, cast.mari):
            with pytest.raises(PermissionDenied):
                workflow.approve(outsider, s)
        s = workflow.approve(cast.olev, s)
        with pytest.raises(PermissionDenied):
            workflow.reopen(cast.olev, s, "vale arv")
        with pytest.raises(Refused, match="reason"):
            workflow.reopen(cast.ann, s, " ")
        s = workflow.reopen(cast.ann, s, "Politsei parandas andmed")
    assert s.status == "returned"


def test_it_counts_late_missing_and_on_time_reports_from_the_deadline(cast, vs_monthly):
    # Harju submits February late (after 10 March) and March on time; Tartu submits nothing.
    Provider.objects.filter(unit=cast.tartu_vs).update(start=date(2026, 2, 15))
    for when, period in [
        ("2026-03-12 09:00 +02:00", "2026M02"),
        ("2026-04-09 09:00 +03:00", "2026M03"),
    ]:
        with time_machine.travel(when, tick=False):
            save_values(
                cast.paul, vs_monthly, [Cell("SESSIONS", "total", "HARJU-VS", period, 3)], "web"
            )
            workflow.submit(cast.paul, workflow.get_submission(vs_monthly, cast.harju_vs, period))
    rows = board(vs_monthly, ["2026M01", "2026M02", "2026M03", "2026M04"], today=date(2026, 4, 20))
    states = {(c.unit.code, c.period): c.state for row in rows for c in row}
    assert states == {
        ("HARJU-VS", "2026M01"): State.OVERDUE,
        ("HARJU-VS", "2026M02"): State.LATE,
        ("HARJU-VS", "2026M03"): State.ON_TIME,
        ("HARJU-VS", "2026M04"): State.DUE,
        ("TARTU-VS", "2026M01"): State.NOT_EXPECTED,
        ("TARTU-VS", "2026M02"): State.OVERDUE,
        ("TARTU-VS", "2026M03"): State.OVERDUE,
        ("TARTU-VS", "2026M04"): State.DUE,
    }
    totals = summary(rows)
    assert totals["expected"] == 7
    assert totals["reporting_rate"] == 40.0  # 2 of the 5 reports already due
    assert totals["on_time_rate"] == 20.0
