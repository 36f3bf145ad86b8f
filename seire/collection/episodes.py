"""Importing case-level episode extracts (CSV or XLSX) from the case system.

`read_episodes` checks a whole file and returns its rows ready to store, or raises `Refused`
with every problem located by spreadsheet row and column. `import_episodes` then checks the
importer may write every unit in the file and stores the rows in one transaction, keyed on
`source_id`: importing the same extract again updates changed episodes and creates none.

Client keys must be pseudonyms. A personal code (isikukood) in the client-key column is
refused, or — only when the importer asks with `hash_personal_codes` — replaced by its keyed
hash, so the clear code is never stored, logged or echoed in a message.
"""

import re
from collections import defaultdict
from functools import partial

from django.db import transaction
from django.utils import timezone
from stdnum.ee import ik

from seire.access.pseudonyms import is_pseudonym, pseudonymise
from seire.collection.bulk import insert_rows, update_rows
from seire.collection.models import Episode
from seire.collection.signals import data_changed
from seire.collection.tables import (
    Cached,
    EditCheck,
    ImportResult,
    Problems,
    audit_import,
    cell_text,
    check_header,
    parse_bool,
    parse_code,
    parse_codes,
    parse_date,
    read_table,
    required_text,
    shown,
    stored_rows,
)
from seire.organisation.models import OrgUnit, Provider, Service

COLUMNS = (
    "source_id",
    "client_key",
    "service",
    "unit",
    "opened",
    "closed",
    "first_contact",
    "referral_source",
    "crime_type",
    "gender",
    "age_group",
    "county",
    "services_given",
    "proactive_contact",
    "needs_assessed",
    "safety_plan",
    "closure_reason",
)
OPTIONAL_COLUMNS = ("comparison_group",)
CODE_COLUMNS = ("referral_source", "crime_type", "gender", "age_group", "closure_reason")
BOOL_COLUMNS = ("proactive_contact", "needs_assessed", "safety_plan", "comparison_group")
# The fields compared to decide whether a re-imported row changed anything.
FIELDS = (
    "client_key",
    "service_id",
    "unit_id",
    "county_id",
    "opened",
    "closed",
    "first_contact",
    "referral_source",
    "crime_type",
    "gender",
    "age_group",
    "services_given",
    "proactive_contact",
    "needs_assessed",
    "safety_plan",
    "comparison_group",
    "closure_reason",
)
SOURCE_ID_LENGTH = Episode._meta.get_field("source_id").max_length
CLIENT_KEY_LENGTH = Episode._meta.get_field("client_key").max_length
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
PERSONAL_CODE_HINT = (
    "looks like a personal code (isikukood): pseudonymise the client keys before importing, "
    "or import with --hash-personal-codes to store only their keyed hash"
)


def client_key(value: object, hash_personal_codes: bool = False) -> tuple[str, bool]:
    """(the client key to store, whether it was hashed); ValueError when it is refused.

    A value of 11 digits (spaces and hyphens aside) is taken for a personal code, valid or
    not; anything else containing a valid personal code, or an e-mail address, is refused
    whatever the flag. Messages never repeat the value.
    """
    text = cell_text(value)
    if not text:
        raise ValueError("a client key is required")
    if is_pseudonym(text):
        return text, False
    compact = re.sub(r"[\s-]", "", text)
    if re.fullmatch(r"\d{11}", compact):
        if hash_personal_codes:
            return pseudonymise(compact), True
        raise ValueError(PERSONAL_CODE_HINT)
    if _contains_personal_code(text):
        raise ValueError("contains a personal code (isikukood): expected a pseudonymous key")
    if EMAIL.search(text):
        raise ValueError("contains an e-mail address: expected a pseudonymous key")
    if len(text) > CLIENT_KEY_LENGTH:
        raise ValueError(
            f"too long for a client key: expected at most {CLIENT_KEY_LENGTH} characters"
        )
    return text, False


def _contains_personal_code(text: str) -> bool:
    return any(ik.is_valid(run) for run in re.findall(r"(?<!\d)\d{11}(?!\d)", text))


class _Organisation:
    """Services, units, counties and who provides what, read once per file."""

    def __init__(self):
        self.services = {s.code: s for s in Service.objects.all()}
        self.units = {u.code: u for u in OrgUnit.objects.all()}
        self.provides = set(Provider.objects.values_list("unit_id", "service_id"))

    def service(self, value: object) -> Service:
        code = cell_text(value).upper()
        if not code:
            raise ValueError("a service code is required")
        if code not in self.services:
            raise ValueError(
                f"unknown service “{shown(code)}”: expected one of {', '.join(self.services)}"
            )
        return self.services[code]

    def unit(self, value: object) -> OrgUnit:
        code = cell_text(value).upper()
        if not code:
            raise ValueError("a unit code is required")
        if code not in self.units:
            raise ValueError(f"unknown unit “{shown(code)}”: expected a unit code such as HARJU-VS")
        return self.units[code]

    def county(self, value: object) -> OrgUnit | None:
        code = cell_text(value).upper()
        if not code:
            return None
        unit = self.units.get(code)
        if unit is None or unit.kind != OrgUnit.Kind.COUNTY:
            counties = sorted(c for c, u in self.units.items() if u.kind == OrgUnit.Kind.COUNTY)
            raise ValueError(
                f"unknown county “{shown(code)}”: expected one of {', '.join(counties)}"
            )
        return unit


def read_episodes(data: bytes, filename: str, *, hash_personal_codes: bool = False) -> list[dict]:
    """The episode rows of a CSV or XLSX extract, checked; Refused listing every problem.

    Each row is a dict of Episode field values (service, unit and county as objects) plus
    "row" (its spreadsheet row number) and "hashed" (its client key was a personal code).
    """
    table = read_table(data, filename)
    problems = Problems()
    index = check_header(table, COLUMNS, OPTIONAL_COLUMNS, problems)
    problems.raise_if_any()
    organisation = _Organisation()
    parsers = _parsers(organisation)
    columns = [(c, index.get(c), parsers[c]) for c in COLUMNS + OPTIONAL_COLUMNS if c in parsers]
    width = len(table.header)
    rows, first_seen = [], {}
    for number, cells in table.rows:
        before = len(problems.items)
        if len(cells) > width and any(cell_text(c) for c in cells[width:]):
            problems.add(number, None, f"more values than the {width} columns of the header")
        row = {"row": number, "hashed": False}
        failed = set()
        for column, position, parser in columns:
            value = cells[position] if position is not None and position < len(cells) else None
            try:
                row[column] = parser(value)
            except ValueError as exc:
                problems.add(number, column, str(exc))
                failed.add(column)
                row[column] = None
        try:
            row["client_key"], row["hashed"] = client_key(
                cells[index["client_key"]] if index["client_key"] < len(cells) else None,
                hash_personal_codes,
            )
        except ValueError as exc:
            problems.add(number, "client_key", str(exc))
        _check_row(row, failed, organisation, problems)
        if len(problems.items) > before:
            continue
        row["services_given"] = list(row["services_given"])  # not the parser's cached list
        source_id = row["source_id"]
        if source_id in first_seen:
            where = first_seen[source_id]
            problems.add(number, "source_id", f"duplicate source_id (first at row {where})")
        first_seen.setdefault(source_id, number)
        rows.append(row)
    problems.raise_if_any()
    return rows


def _parsers(organisation: "_Organisation") -> dict:
    """The parser of each column but client_key, caching the results of repeated cells."""
    today = timezone.localdate()
    parsers = {
        "source_id": _source_id,
        "service": Cached(organisation.service),
        "unit": Cached(organisation.unit),
        "county": Cached(organisation.county),
        "services_given": Cached(partial(parse_codes, "services_given")),
    }
    for column in ("opened", "closed", "first_contact"):
        parsers[column] = Cached(partial(parse_date, today=today))
    for column in CODE_COLUMNS:
        parsers[column] = Cached(partial(parse_code, column))
    for column in BOOL_COLUMNS:
        parsers[column] = Cached(parse_bool)
    return parsers


def _source_id(value: object) -> str:
    text = required_text(value, SOURCE_ID_LENGTH)
    if _contains_personal_code(text):
        raise ValueError("contains a personal code (isikukood): expected the case system's id")
    return text


def _check_row(row: dict, failed: set, organisation: _Organisation, problems: Problems) -> None:
    """The checks across columns, on the columns that could be read."""
    number, opened, closed, first = row["row"], row["opened"], row["closed"], row["first_contact"]
    if opened is None and "opened" not in failed:
        problems.add(number, "opened", "a date is required (YYYY-MM-DD)")
    unit, service = row["unit"], row["service"]
    if unit and service and (unit.pk, service.pk) not in organisation.provides:
        problems.add(
            number,
            "unit",
            f"{unit.code} does not provide {service.code}: "
            "expected a unit registered as a provider of the service",
        )
    if opened and closed and closed < opened:
        problems.add(number, "closed", f"closed {closed} is before opened {opened}")
    if opened and first and first < opened:
        problems.add(number, "first_contact", f"first contact {first} is before opened {opened}")
    if closed and first and first > closed:
        problems.add(number, "first_contact", f"first contact {first} is after closed {closed}")


def import_episodes(
    user, data: bytes, filename: str, hash_personal_codes: bool = False
) -> ImportResult:
    """Check and store an episode extract, all or nothing; Refused listing every problem.

    The importer must be the analyst or a provider of every unit (and service) in the file,
    and of the unit of every episode the file would change. Rows are matched on source_id:
    new ones are created, changed ones updated, the rest counted as unchanged. One audit
    event records the file and the counts (never a client key).
    """
    rows = read_episodes(data, filename, hash_personal_codes=hash_personal_codes)
    may_edit = EditCheck(user)
    problems = Problems()
    for row in rows:
        unit, service = row["unit"], row["service"]
        if may_edit.first_refusal(unit, service):
            problems.add(
                row["row"],
                "unit",
                f"you may not import episodes of {unit.code} ({service.code}): "
                "only the analyst and the unit's providers may",
            )
    result = ImportResult(hashed=sum(row["hashed"] for row in rows))
    with transaction.atomic():
        stored = stored_rows(Episode, [row["source_id"] for row in rows], FIELDS)
        units, services = OrgUnit.objects.in_bulk(), Service.objects.in_bulk()
        for row in rows:
            if (old := stored.get(row["source_id"])) is None:
                continue
            unit, service = units[old["unit_id"]], services[old["service_id"]]
            if not may_edit(unit, service):
                problems.add(
                    row["row"],
                    "source_id",
                    f"this episode belongs to {unit.code} ({service.code}), "
                    "whose episodes you may not change",
                )
        problems.raise_if_any()
        now = timezone.now()
        new, changed = [], defaultdict(list)
        for row in rows:
            values = _values(row)
            old = stored.get(row["source_id"])
            if old is None:
                new.append((row["source_id"], *values, now))
                continue
            differ = [(f, v) for f, v in zip(FIELDS, values, strict=True) if old[f] != v]
            if not differ:
                result.unchanged += 1
                continue
            # Grouped by the fields that changed, so an update writes (and re-indexes) only
            # those: a re-import mostly closes episodes.
            names, new_values = zip(*differ, strict=True)
            changed[names].append((old["pk"], (*new_values, now)))
            result.updated += 1
        insert_rows(Episode, ("source_id", *FIELDS, "imported_at"), new)
        for names, group in changed.items():
            update_rows(Episode, (*names, "imported_at"), group)
        result.created = len(new)
        audit_import(user, "collection.episode", filename, len(rows), result)
        if new or changed:
            data_changed.send(Episode, episodes=True, periods=_dates(new, changed, stored))
    return result


def _dates(new: list[tuple], changed: dict, stored: dict) -> list:
    """The opened and closed dates of the episodes created, and of those changed before and
    after the change: the changed records fall in their periods."""
    opened, closed = 1 + FIELDS.index("opened"), 1 + FIELDS.index("closed")
    dates = [row[i] for row in new for i in (opened, closed)]
    by_pk = {old["pk"]: old for old in stored.values()}
    for names, group in changed.items():
        for pk, values in group:
            old = by_pk[pk]
            dates += [old["opened"], old["closed"]]
            dates += [v for n, v in zip(names, values, strict=False) if n in ("opened", "closed")]
    return [d for d in dates if d is not None]


def _values(row: dict) -> tuple:
    """The row's values in the order of FIELDS."""
    ids = {
        "service_id": row["service"].pk,
        "unit_id": row["unit"].pk,
        "county_id": row["county"].pk if row["county"] else None,
    }
    return tuple(ids[f] if f in ids else row[f] for f in FIELDS)
