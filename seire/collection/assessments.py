"""Importing outcome assessments (WHO-5, safety, coping, needs met) for imported episodes.

Columns: source_id, episode_source_id, instrument, timepoint (intake, exit, followup),
assessed_on, item_1 … item_n. Each instrument's items are checked against its scale in the
catalogue (`vocabulary.instrument`). A blank item is stored as null: a partly filled row is
accepted and counted as `incomplete` (a WHO-5 score needs all five items, so metrics skip
it), but a row with every item blank is refused — it is not an assessment. An episode has
at most one intake and one exit per instrument; follow-ups may repeat.
"""

import re
from itertools import islice

from django.db import transaction

from seire.access.roles import scope_for
from seire.collection import vocabulary
from seire.collection.episodes import BATCH, ImportResult, audit_import, stored_by_source_id
from seire.collection.models import Assessment, Episode
from seire.collection.tables import (
    Problems,
    cell_text,
    check_header,
    parse_date,
    read_table,
    required_text,
    shown,
)

COLUMNS = ("source_id", "episode_source_id", "instrument", "timepoint", "assessed_on", "item_1")
ONCE_PER_EPISODE = (Assessment.Timepoint.INTAKE, Assessment.Timepoint.EXIT)
FIELDS = ("episode_id", "instrument", "timepoint", "assessed_on", "items")


def item_columns() -> tuple[str, ...]:
    """item_1 … item_n for the longest instrument of the catalogue."""
    longest = max(i.item_count for i in vocabulary.instruments())
    return tuple(f"item_{n}" for n in range(1, longest + 1))


def read_assessments(data: bytes, filename: str) -> list[dict]:
    """The assessment rows of a CSV or XLSX file, checked; Refused listing every problem.

    Each row is a dict with "row", source_id, episode_source_id, instrument, timepoint,
    assessed_on, items (a list, None for a blank item) and "incomplete".
    """
    table = read_table(data, filename)
    problems = Problems()
    index = check_header(table, COLUMNS, item_columns()[1:], problems)
    problems.raise_if_any()
    rows, first_seen, reported_columns = [], {}, set()
    for number, cells in table.rows:
        before = len(problems.items)
        row = _read_row(number, cells, index, problems, reported_columns)
        if row is None or len(problems.items) > before:
            continue
        if row["source_id"] in first_seen:
            where = first_seen[row["source_id"]]
            problems.add(number, "source_id", f"duplicate source_id (first at row {where})")
        first_seen.setdefault(row["source_id"], number)
        rows.append(row)
    problems.raise_if_any()
    return rows


def _read_row(number, cells, index, problems, reported_columns) -> dict | None:
    def cell(column):
        position = index.get(column)
        return cells[position] if position is not None and position < len(cells) else None

    row: dict = {"row": number}
    for column, parser in (
        ("source_id", _identifier),
        ("episode_source_id", _identifier),
        ("instrument", _instrument),
        ("timepoint", _timepoint),
        ("assessed_on", parse_date),
    ):
        try:
            row[column] = parser(cell(column))
        except ValueError as exc:
            problems.add(number, column, str(exc))
    if "assessed_on" in row and row["assessed_on"] is None:
        problems.add(number, "assessed_on", "a date is required (YYYY-MM-DD)")
    instrument = row.get("instrument")
    if instrument is None:
        return None
    items = []
    for position, column in enumerate(item_columns(), start=1):
        if position > instrument.item_count:
            if cell_text(cell(column)):
                problems.add(
                    number,
                    column,
                    f"{instrument.code} has {instrument.item_count} item(s): "
                    "expected this column blank",
                )
            continue
        if column not in index and (instrument.code, column) not in reported_columns:
            reported_columns.add((instrument.code, column))
            problems.add(
                number,
                column,
                f"missing column: {instrument.code} has "
                f"{instrument.item_count} items (item_1 … item_{instrument.item_count})",
            )
            continue
        try:
            items.append(_item(instrument, cell(column)))
        except ValueError as exc:
            problems.add(number, column, str(exc))
    if len(items) == instrument.item_count and all(i is None for i in items):
        last = f"item_{instrument.item_count}"
        problems.add(
            number, "item_1", f"every item is blank: expected the scores in item_1 … {last}"
        )
    row["instrument"] = instrument.code
    row["items"] = items
    row["incomplete"] = any(i is None for i in items)
    return row


def _identifier(value: object) -> str:
    return required_text(value, Assessment._meta.get_field("source_id").max_length)


def _instrument(value: object) -> vocabulary.Instrument:
    text = cell_text(value)
    code = re.sub(r"\s+", "_", text.upper().replace("-", "").strip())
    known = {i.code for i in vocabulary.instruments()}
    if not text:
        raise ValueError(f"an instrument is required: expected one of {', '.join(sorted(known))}")
    if code not in known:
        raise ValueError(f"unknown instrument “{shown(text)}”: expected one of {', '.join(known)}")
    return vocabulary.instrument(code)


def _timepoint(value: object) -> str:
    text = re.sub(r"[\s_-]", "", cell_text(value).lower())
    if text not in Assessment.Timepoint.values:
        raise ValueError(f"expected intake, exit or followup, got “{shown(value)}”")
    return text


def _item(instrument: vocabulary.Instrument, value: object) -> int | str | None:
    """One item: a whole number within the scale, or one of the coded answers; None if blank."""
    text = cell_text(value)
    if not text:
        return None
    if not instrument.scored:
        answers = {
            vocabulary.normalise(t): a.code
            for a in instrument.answers
            for t in (a.name_en, a.name_et, a.code)
        }
        if (code := answers.get(vocabulary.normalise(text))) is None:
            expected = ", ".join(a.code for a in instrument.answers)
            raise ValueError(f"expected one of {expected}, got “{shown(text)}”")
        return code
    scale = f"a whole number from {instrument.minimum} to {instrument.maximum}"
    if isinstance(value, bool):
        raise ValueError(f"expected {scale}, not TRUE/FALSE")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"expected {scale}, got “{shown(text)}”") from None
    if not number.is_integer() or not instrument.minimum <= number <= instrument.maximum:
        raise ValueError(f"expected {scale}, got {shown(text)}")
    return int(number)


def import_assessments(user, data: bytes, filename: str) -> ImportResult:
    """Check and store an assessment file, all or nothing, keyed on source_id.

    Every episode must already be stored and belong to a unit the importer may write; the
    assessment date may not be before the episode was opened. `incomplete` counts the rows
    stored with some items blank. One audit event records the file and the counts.
    """
    rows = read_assessments(data, filename)
    scope = scope_for(user)
    problems = Problems()
    result = ImportResult(incomplete=sum(row["incomplete"] for row in rows))
    with transaction.atomic():
        episodes = stored_by_source_id(Episode, sorted({row["episode_source_id"] for row in rows}))
        existing = stored_by_source_id(Assessment, [row["source_id"] for row in rows])
        refused = set()
        for row in rows:
            episode = episodes.get(row["episode_source_id"])
            if episode is None:
                problems.add(
                    row["row"],
                    "episode_source_id",
                    f"no episode “{shown(row['episode_source_id'])}”: import the episodes first",
                )
                continue
            row["episode"] = episode
            owners = [episode]
            if row["source_id"] in existing:  # moving an assessment needs both episodes
                owners.append(existing[row["source_id"]].episode)
            for owner in owners:
                pair = (owner.unit_id, owner.service_id)
                if pair in refused or scope.can_edit_unit(owner.unit, owner.service):
                    continue
                refused.add(pair)
                problems.add(
                    row["row"],
                    "episode_source_id",
                    f"you may not import assessments of {owner.unit.code} "
                    f"({owner.service.code}) episodes: only the analyst and its providers may",
                )
            if row["assessed_on"] < episode.opened:
                problems.add(
                    row["row"],
                    "assessed_on",
                    f"{row['assessed_on']} is before the episode was opened ({episode.opened})",
                )
        _check_once_per_episode(rows, problems)
        problems.raise_if_any()
        new, changed = [], []
        for row in rows:
            values = {k: row[k] for k in ("source_id", "instrument", "timepoint", "assessed_on")}
            values |= {"episode": row["episode"], "items": row["items"]}
            assessment = existing.get(row["source_id"])
            if assessment is None:
                new.append(Assessment(**values))
                continue
            candidate = Assessment(**values)
            if all(getattr(assessment, f) == getattr(candidate, f) for f in FIELDS):
                result.unchanged += 1
                continue
            for key, value in values.items():
                setattr(assessment, key, value)
            changed.append(assessment)
        Assessment.objects.bulk_create(new, batch_size=BATCH)
        fields = ["episode", "instrument", "timepoint", "assessed_on", "items"]
        Assessment.objects.bulk_update(changed, fields, batch_size=BATCH)
        result.created, result.updated = len(new), len(changed)
        audit_import(user, "collection.assessment", filename, len(rows), result)
    return result


def _check_once_per_episode(rows: list[dict], problems: Problems) -> None:
    """At most one intake and one exit per episode and instrument, counting stored rows."""
    episode_ids = iter(sorted({row["episode"].pk for row in rows if "episode" in row}))
    state = {}
    while chunk := list(islice(episode_ids, BATCH)):
        stored = Assessment.objects.filter(episode_id__in=chunk, timepoint__in=ONCE_PER_EPISODE)
        for source_id, *key in stored.values_list(
            "source_id", "episode_id", "instrument", "timepoint"
        ):
            state[source_id] = key
    for row in rows:
        if "episode" in row:
            state[row["source_id"]] = [row["episode"].pk, row["instrument"], row["timepoint"]]
    holders: dict[tuple, list[str]] = {}
    for source_id, key in state.items():
        if key[2] in ONCE_PER_EPISODE:
            holders.setdefault(tuple(key), []).append(source_id)
    for row in rows:
        if "episode" not in row or row["timepoint"] not in ONCE_PER_EPISODE:
            continue
        others = [
            s
            for s in holders[(row["episode"].pk, row["instrument"], row["timepoint"])]
            if s != row["source_id"]
        ]
        if others:
            problems.add(
                row["row"],
                "timepoint",
                f"the episode already has a {row['timepoint']} {row['instrument']} assessment "
                f"(source_id {shown(others[0])}): expected one per episode",
            )
