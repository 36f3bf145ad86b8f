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
from dataclasses import dataclass
from itertools import islice

from django.db import transaction
from django.utils import timezone
from stdnum.ee import ik

from seire.access.audit import record
from seire.access.pseudonyms import is_pseudonym, pseudonymise
from seire.access.roles import scope_for
from seire.collection.models import Episode
from seire.collection.tables import (
    Problems,
    cell_text,
    check_header,
    parse_bool,
    parse_code,
    parse_codes,
    parse_date,
    read_table,
    required_text,
    shown,
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
BATCH = 2000
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
PERSONAL_CODE_HINT = (
    "looks like a personal code (isikukood): pseudonymise the client keys before importing, "
    "or import with --hash-personal-codes to store only their keyed hash"
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    hashed: int = 0  # personal codes replaced by their keyed hash
    incomplete: int = 0  # assessments with some items blank

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.hashed:
            text += f", {self.hashed} personal codes hashed"
        if self.incomplete:
            text += f", {self.incomplete} incomplete"
        return text


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
    if len(text) > Episode._meta.get_field("client_key").max_length:
        raise ValueError("too long for a client key: expected at most 68 characters")
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
    rows, first_seen = [], {}
    for number, cells in table.rows:
        if len(cells) > len(table.header) and any(cell_text(c) for c in cells[len(table.header) :]):
            problems.add(number, None, f"more values than the {len(table.header)} columns")
        row = _read_row(number, cells, index, organisation, hash_personal_codes, problems)
        if row is None:
            continue
        source_id = row["source_id"]
        if source_id in first_seen:
            problems.add(
                number, "source_id", f"duplicate source_id (first at row {first_seen[source_id]})"
            )
        first_seen.setdefault(source_id, number)
        rows.append(row)
    problems.raise_if_any()
    return rows


def _read_row(number, cells, index, organisation, hash_personal_codes, problems) -> dict | None:
    """One row's field values, or None with problems added."""
    before = len(problems.items)
    row: dict = {"row": number, "hashed": False}
    failed = set()

    def cell(column):
        position = index.get(column)
        return cells[position] if position is not None and position < len(cells) else None

    def parse(column, parser, *args):
        try:
            return parser(*args, cell(column))
        except ValueError as exc:
            problems.add(number, column, str(exc))
            failed.add(column)
            return None

    row["source_id"] = parse("source_id", _source_id)
    try:
        row["client_key"], row["hashed"] = client_key(cell("client_key"), hash_personal_codes)
    except ValueError as exc:
        problems.add(number, "client_key", str(exc))
    row["service"] = parse("service", organisation.service)
    row["unit"] = parse("unit", organisation.unit)
    row["county"] = parse("county", organisation.county)
    for column in ("opened", "closed", "first_contact"):
        row[column] = parse(column, parse_date)
    for column in CODE_COLUMNS:
        row[column] = parse(column, parse_code, column)
    row["services_given"] = parse("services_given", parse_codes, "services_given")
    for column in BOOL_COLUMNS:
        row[column] = parse(column, parse_bool)
    _check_row(row, failed, organisation, problems)
    return None if len(problems.items) > before else row


def _source_id(value: object) -> str:
    text = required_text(value, Episode._meta.get_field("source_id").max_length)
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
    scope = scope_for(user)
    problems = Problems()
    refused_pairs = set()
    for row in rows:
        pair = (row["unit"].pk, row["service"].pk)
        if pair not in refused_pairs and not scope.can_edit_unit(row["unit"], row["service"]):
            refused_pairs.add(pair)
            problems.add(
                row["row"],
                "unit",
                f"you may not import episodes of {row['unit'].code} ({row['service'].code}): "
                "only the analyst and the unit's providers may",
            )
    result = ImportResult(hashed=sum(row["hashed"] for row in rows))
    with transaction.atomic():
        existing = stored_by_source_id(Episode, [row["source_id"] for row in rows])
        for row in rows:
            episode = existing.get(row["source_id"])
            if episode and not scope.can_edit_unit(episode.unit, episode.service):
                problems.add(
                    row["row"],
                    "source_id",
                    f"this episode belongs to {episode.unit.code} ({episode.service.code}), "
                    "whose episodes you may not change",
                )
        problems.raise_if_any()
        now = timezone.now()
        new, changed = [], []
        for row in rows:
            values = {k: v for k, v in row.items() if k not in ("row", "hashed")}
            episode = existing.get(row["source_id"])
            if episode is None:
                new.append(Episode(imported_at=now, **values))
                continue
            candidate = Episode(**values)
            if all(getattr(episode, f) == getattr(candidate, f) for f in FIELDS):
                result.unchanged += 1
                continue
            for key, value in values.items():
                setattr(episode, key, value)
            episode.imported_at = now
            changed.append(episode)
        Episode.objects.bulk_create(new, batch_size=BATCH)
        fields = [f.removesuffix("_id") for f in FIELDS] + ["imported_at"]
        Episode.objects.bulk_update(changed, fields, batch_size=BATCH)
        result.created, result.updated = len(new), len(changed)
        audit_import(user, "collection.episode", filename, len(rows), result)
    return result


def stored_by_source_id(model, source_ids: list[str]) -> dict:
    """{source_id: row} for the rows of `model` already stored, looked up in batches."""
    found = {}
    ids = iter(source_ids)
    while chunk := list(islice(ids, BATCH)):
        query = model.objects.filter(source_id__in=chunk)
        if model is Episode:
            query = query.select_related("unit", "service")
        else:
            query = query.select_related("episode__unit", "episode__service")
        found.update((obj.source_id, obj) for obj in query)
    return found


def audit_import(user, object_type: str, filename: str, rows: int, result: ImportResult) -> None:
    counts = {
        "rows": rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    if result.hashed:
        counts["personal_codes_hashed"] = result.hashed
    if result.incomplete:
        counts["incomplete"] = result.incomplete
    record(
        user,
        "import",
        object_type=object_type,
        summary=f"{shown(filename, 120)}: {result}",
        changes=counts,
        channel="import",
    )
