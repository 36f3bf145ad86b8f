"""Helpers of the import tests: a fixed "today" (for time_machine), a fingerprint of the
stored values, and a way to fill a downloaded template as a provider would (openpyxl)."""

import hashlib
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl

from seire.access.models import AuditEvent
from seire.collection.models import DataValue

TODAY = datetime(2026, 4, 5, 12, 0, tzinfo=ZoneInfo("Europe/Tallinn"))
PERIOD = "2026M03"  # last month: open for the providers' entry
SHEET = f"HARJU-VS {PERIOD}"
TARTU_SHEET = f"TARTU-VS {PERIOD}"
# Where vs_monthly's inputs are in a template (see excel.layout): a header row per block.
CLIENTS = {"female": "C6", "male": "D6", "unknown": "E6", "total": "F6"}
SESSIONS = "C9"
SATISFIED = "C10"


def fingerprint() -> tuple[int, str, int]:
    """(number of values, a checksum of every stored value, number of audit events)."""
    rows = DataValue.objects.order_by("pk").values_list(
        "pk", "element_id", "combo_id", "unit_id", "period", "value", "status", "version"
    )
    digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return len(rows), digest, AuditEvent.objects.count()


def fill(template: bytes, values: dict[str, dict[str, object]]) -> bytes:
    """The template with {sheet: {address: value}} typed in."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    for sheet, cells in values.items():
        for address, value in cells.items():
            book[sheet][address] = value
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def good_month(sheet: str = SHEET, new=(3, 4, 1), sessions=20, satisfied=90.5) -> dict:
    """A consistent report: the gender columns add up to the total, new ≤ sessions."""
    female, male, unknown = new
    return {
        sheet: {
            CLIENTS["female"]: female,
            CLIENTS["male"]: male,
            CLIENTS["unknown"]: unknown,
            CLIENTS["total"]: female + male + unknown,
            SESSIONS: sessions,
            SATISFIED: satisfied,
        }
    }
