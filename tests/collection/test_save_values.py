"""save_values: the one write path, all-or-nothing, checked, versioned and audited."""

from decimal import Decimal

import pytest
import time_machine

from seire.access.models import AuditEvent
from seire.collection.models import DataValue, Submission
from seire.collection.services import Cell, Refused, parse_value, save_values
from seire.collection.validation import record_violations, run_rules


@pytest.fixture(autouse=True)
def _april_2026():
    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        yield


def cell(element, combo, raw, unit="HARJU-VS", period="2026M03", version=None):
    return Cell(element, combo, unit, period, raw, version, where=f"{element}/{combo}")


def stored(**filters):
    return {(v.element.code, v.combo.code): v.value for v in DataValue.objects.filter(**filters)}


def test_it_saves_a_clean_batch_and_audits_old_and_new(cast, vs_monthly):
    save_values(
        cast.paul,
        vs_monthly,
        [cell("CLIENTS_NEW", "female", "7"), cell("SESSIONS", "total", 12)],
        "web",
    )
    result = save_values(cast.paul, vs_monthly, [cell("CLIENTS_NEW", "female", "8")], "web")
    assert (result.updated, result.created) == (1, 0)
    assert stored() == {("CLIENTS_NEW", "female"): Decimal(8), ("SESSIONS", "total"): Decimal(12)}
    last = AuditEvent.objects.filter(object_type="collection.datavalue").first()
    assert last.changes == {"CLIENTS_NEW/female": ["7", "8"]}
    assert last.actor == cast.paul and last.channel == "web"


def test_it_writes_nothing_when_any_cell_is_bad(cast, vs_monthly):
    with pytest.raises(Refused) as refused:
        save_values(
            cast.paul,
            vs_monthly,
            [
                cell("CLIENTS_NEW", "female", "7"),
                cell("CLIENTS_NEW", "male", "-1"),
                cell("SESSIONS", "total", "abc"),
                cell("NOPE", "total", "1"),
                cell("SATISFIED_PCT", "total", "101"),
                cell("SESSIONS", "total", "1.5"),
            ],
            "web",
        )
    messages = [str(p) for p in refused.value.problems]
    assert len(messages) == 5
    assert "CLIENTS_NEW/male: negative value -1" in messages[0]
    assert "expected a number" in messages[1]
    assert "unknown data element" in messages[2]
    assert "cannot exceed 100" in messages[3]
    assert "whole number" in messages[4]
    assert not DataValue.objects.exists()


def test_it_refuses_another_units_data_and_a_unit_that_does_not_provide_the_service(
    cast, vs_monthly
):
    with pytest.raises(Refused, match="may not enter data for TARTU-VS"):
        save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", 1, unit="TARTU-VS")], "web")
    with pytest.raises(Refused, match="TARTU-WSC does not provide VS"):
        save_values(cast.ann, vs_monthly, [cell("SESSIONS", "total", 1, unit="TARTU-WSC")], "web")
    assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026Q1", "not a monthly period"),
        ("2026M13", "month must be"),
        ("2026M05", "not started"),
    ],
)
def test_it_refuses_wrong_periods(cast, vs_monthly, period, message):
    with pytest.raises(Refused, match=message):
        save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", 1, period=period)], "web")


def test_it_detects_a_concurrent_edit_instead_of_overwriting(cast, vs_monthly):
    first = save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", 10, version=0)], "web")
    seen = first.versions[("SESSIONS", "total", "HARJU-VS", "2026M03")]
    save_values(cast.ann, vs_monthly, [cell("SESSIONS", "total", 11, version=seen)], "web")
    with pytest.raises(Refused, match=r"changed by someone else meanwhile \(now 11\)"):
        save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", 12, version=seen)], "web")
    assert stored() == {("SESSIONS", "total"): Decimal(11)}


def test_it_keeps_zero_blank_and_not_applicable_apart(cast, vs_monthly):
    save_values(
        cast.paul,
        vs_monthly,
        [cell("SESSIONS", "total", "0"), cell("SATISFIED_PCT", "total", "na")],
        "web",
    )
    rows = {v.element.code: (v.status, v.value) for v in DataValue.objects.all()}
    assert rows == {"SESSIONS": ("value", Decimal(0)), "SATISFIED_PCT": ("na", None)}
    save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", "")], "web")
    assert not DataValue.objects.filter(element__code="SESSIONS").exists()


def test_it_locks_a_submitted_report(cast, vs_monthly):
    Submission.objects.create(
        dataset=vs_monthly, unit=cast.harju_vs, period="2026M03", status="submitted"
    )
    with pytest.raises(Refused, match="report is submitted"):
        save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", 1)], "web")


def test_it_locks_old_periods_for_providers_but_not_the_analyst(cast, vs_monthly):
    with pytest.raises(Refused, match="locked on 2025-12-09"):
        save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", 1, period="2025M09")], "web")
    save_values(cast.ann, vs_monthly, [cell("SESSIONS", "total", 1, period="2025M09")], "web")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", ("value", Decimal(12))),
        (" 1 234 ", ("value", Decimal(1234))),
        ("3,5", ("value", Decimal("3.5"))),
        ("", ("blank", None)),
        (None, ("blank", None)),
        ("NA", ("na", None)),
        (7, ("value", Decimal(7))),
        (7.0, ("value", Decimal(7))),
    ],
)
def test_it_reads_what_people_type(raw, expected):
    assert parse_value(raw, "decimal") == expected


@pytest.mark.parametrize("raw", ["=A1+1", "-3", "abc", True, "1e400", float("nan"), "99999999999"])
def test_it_refuses_values_that_are_not_counts(raw):
    with pytest.raises(ValueError):
        parse_value(raw, "count")


def test_it_checks_the_rules_and_keeps_violations_as_a_work_queue(cast, vs_monthly):
    save_values(
        cast.paul,
        vs_monthly,
        [
            cell("CLIENTS_NEW", "female", 5),
            cell("CLIENTS_NEW", "male", 2),
            cell("CLIENTS_NEW", "total", 8),
            cell("SESSIONS", "total", 6),
        ],
        "web",
    )
    results = run_rules(vs_monthly, cast.harju_vs, "2026M03")
    broken = {r.rule.code: (r.left, r.right) for r in results if not r.passed}
    assert broken == {"gender_sum": (8, 7), "new_le_sessions": (8, 6)}
    violations = record_violations(vs_monthly, cast.harju_vs, "2026M03", results)
    assert {v.rule.code: v.status for v in violations} == {
        "gender_sum": "open",
        "new_le_sessions": "open",
    }
    save_values(
        cast.paul,
        vs_monthly,
        [cell("CLIENTS_NEW", "unknown", 1), cell("SESSIONS", "total", 20)],
        "web",
    )
    results = run_rules(vs_monthly, cast.harju_vs, "2026M03")
    violations = record_violations(vs_monthly, cast.harju_vs, "2026M03", results)
    assert {v.status for v in violations} == {"fixed"}


def test_it_flags_an_outlier_against_the_units_own_history_only_above_small_counts(
    cast, vs_monthly
):
    history = [40, 42, 38, 41, 39, 43, 40, 44, 37, 41, 42, 40]
    months = [f"2025M{m:02d}" for m in range(3, 13)] + ["2026M01", "2026M02"]
    save_values(
        cast.ann,
        vs_monthly,
        [cell("SESSIONS", "total", v, period=p) for v, p in zip(history, months, strict=True)],
        "seed",
    )
    save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", 95)], "web")
    outlier = next(
        r
        for r in run_rules(vs_monthly, cast.harju_vs, "2026M03")
        if r.rule.code == "sessions_outlier"
    )
    assert not outlier.passed and not outlier.hard
    save_values(cast.paul, vs_monthly, [cell("SESSIONS", "total", 43)], "web")
    outlier = next(
        r
        for r in run_rules(vs_monthly, cast.harju_vs, "2026M03")
        if r.rule.code == "sessions_outlier"
    )
    assert outlier.passed


def test_it_skips_a_rule_whose_cells_are_all_blank(cast, vs_monthly):
    assert run_rules(vs_monthly, cast.harju_vs, "2026M03") == []


@pytest.mark.parametrize("first, again", [("0.1", "0,10"), ("12.3456", "12.3456"), ("7", "7.0")])
def test_saving_the_same_decimal_again_changes_nothing(cast, vs_monthly, first, again):
    save_values(cast.paul, vs_monthly, [cell("SATISFIED_PCT", "total", first)], "web")
    events = AuditEvent.objects.count()
    result = save_values(cast.paul, vs_monthly, [cell("SATISFIED_PCT", "total", again)], "web")
    assert (result.unchanged, result.updated) == (1, 0)
    assert DataValue.objects.get().version == 1 and AuditEvent.objects.count() == events
    assert stored() == {("SATISFIED_PCT", "total"): Decimal(first)}
