"""Importing outcome assessments (WHO-5, safety, coping, needs met) for imported episodes.

Columns: source_id, episode_source_id, instrument, timepoint (intake, exit, followup),
assessed_on, item_1 … item_n. Each instrument's items are checked against its scale in the
catalogue (`vocabulary.instrument`). A blank item is stored as null: a partly filled row is
accepted and counted as `incomplete` (a WHO-5 score needs all five items, so metrics skip
it), but a row with every item blank is refused — it is not an assessment. An episode has
at most one intake and one exit per instrument; follow-ups may repeat.
"""

import re
from functools import partial
from itertools import islice

from django.db import transaction
from django.utils import timezone

from seire.collection import vocabulary
from seire.collection.bulk import insert_rows, update_rows
from seire.collection.models import Assessment, Episode
from seire.collection.signals import data_changed
from seire.collection.tables import (
    BATCH,
    Cached,
    EditCheck,
    ImportResult,
    Problems,
    audit_import,
    cell_text,
    check_header,
    parse_date,
    read_table,
    required_text,
    shown,
    stored_rows,
)
from seire.organisation.models import OrgUnit, Service

COLUMNS = ("source_id", "episode_source_id", "instrument", "timepoint", "assessed_on", "item_1")
ONCE_PER_EPISODE = (Assessment.Timepoint.INTAKE, Assessment.Timepoint.EXIT)
FIELDS = ("episode_id", "instrument", "timepoint", "assessed_on", "items")
SOURCE_ID_LENGTH = Assessment._meta.get_field("source_id").max_length


def item_columns() -> tuple[str, ...]:
    """item_1 … item_n for the longest instrument of the catalogue."""
    longest = max(i.item_count for i in vocabulary.instruments())
    return tuple(f"item_{n}" for n in range(1, longest + 1))


def read_assessments(data: bytes, filename: str) -> list[dict]:
    """The assessment rows of a CSV or XLSX file, checked; Refused listing every problem.

    Each row is a dict with "row", source_id, episode_source_id, instrument (its code),
    timepoint, assessed_on, items (a list, None for a blank item) and "incomplete".
    """
    table = read_table(data, filename)
    problems = Problems()
    index = check_header(table, COLUMNS, item_columns()[1:], problems)
    problems.raise_if_any()
    reader = _RowReader(index, problems)
    rows, first_seen = [], {}
    for number, cells in table.rows:
        before = len(problems.items)
        row = reader.read(number, cells)
        if len(problems.items) > before:
            continue
        if row["source_id"] in first_seen:
            where = first_seen[row["source_id"]]
            problems.add(number, "source_id", f"duplicate source_id (first at row {where})")
        first_seen.setdefault(row["source_id"], number)
        rows.append(row)
    problems.raise_if_any()
    return rows


class _RowReader:
    """Reads one row after another with cached parsers; problems go to `problems`."""

    def __init__(self, index: dict[str, int], problems: Problems):
        self.index, self.problems = index, problems
        self.parsers = {
            "source_id": _identifier,
            "episode_source_id": _identifier,
            "instrument": Cached(_instrument),
            "timepoint": Cached(_timepoint),
            "assessed_on": Cached(partial(parse_date, today=timezone.localdate())),
        }
        self.item_parsers = {i.code: Cached(partial(_item, i)) for i in vocabulary.instruments()}
        self.reported_columns: set[tuple[str, str]] = set()

    def read(self, number: int, cells: list) -> dict:
        def cell(column):
            position = self.index.get(column)
            return cells[position] if position is not None and position < len(cells) else None

        row: dict = {"row": number}
        for column, parser in self.parsers.items():
            try:
                row[column] = parser(cell(column))
            except ValueError as exc:
                self.problems.add(number, column, str(exc))
        if "assessed_on" in row and row["assessed_on"] is None:
            self.problems.add(number, "assessed_on", "a date is required (YYYY-MM-DD)")
        instrument = row.get("instrument")
        if instrument is not None:
            row["instrument"] = instrument.code
            row["items"] = self._items(number, instrument, cell)
            row["incomplete"] = any(i is None for i in row["items"])
        return row

    def _items(self, number, instrument: vocabulary.Instrument, cell) -> list:
        items, count = [], instrument.item_count
        for position, column in enumerate(item_columns(), start=1):
            if position > count:
                if cell_text(cell(column)):
                    self.problems.add(
                        number,
                        column,
                        f"{instrument.code} has {count} item(s): expected this column blank",
                    )
            elif column not in self.index:
                if (instrument.code, column) not in self.reported_columns:
                    self.reported_columns.add((instrument.code, column))
                    self.problems.add(
                        number,
                        column,
                        f"missing column: {instrument.code} has {count} "
                        f"items (item_1 … item_{count})",
                    )
                items.append(None)
            else:
                try:
                    items.append(self.item_parsers[instrument.code](cell(column)))
                except ValueError as exc:
                    self.problems.add(number, column, str(exc))
                    items.append(None)
        if all(i is None for i in items) and len(items) == count:
            self.problems.add(
                number,
                "item_1",
                f"every item is blank: expected the scores in item_1 … item_{count}",
            )
        return items


def _identifier(value: object) -> str:
    return required_text(value, SOURCE_ID_LENGTH)


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
    may_edit = EditCheck(user)
    problems = Problems()
    result = ImportResult(incomplete=sum(row["incomplete"] for row in rows))
    with transaction.atomic():
        episodes = stored_rows(
            Episode,
            sorted({row["episode_source_id"] for row in rows}),
            ("unit_id", "service_id", "opened"),
        )
        stored = stored_rows(Assessment, [row["source_id"] for row in rows], FIELDS)
        episode_of = {e["pk"]: e for e in episodes.values()}
        units, services = OrgUnit.objects.in_bulk(), Service.objects.in_bulk()
        for row in rows:
            episode = episodes.get(row["episode_source_id"])
            if episode is None:
                problems.add(
                    row["row"],
                    "episode_source_id",
                    f"no episode “{shown(row['episode_source_id'])}”: import the episodes first",
                )
                continue
            row["episode_id"] = episode["pk"]
            owners = [episode]
            if (old := stored.get(row["source_id"])) is not None:
                # Moving an assessment to another episode needs the right to both.
                owners.append(episode_of.get(old["episode_id"]) or _episode(old["episode_id"]))
            for owner in owners:
                unit, service = units[owner["unit_id"]], services[owner["service_id"]]
                if may_edit.first_refusal(unit, service):
                    problems.add(
                        row["row"],
                        "episode_source_id",
                        f"you may not import assessments of {unit.code} ({service.code}) "
                        "episodes: only the analyst and its providers may",
                    )
            if row["assessed_on"] < episode["opened"]:
                problems.add(
                    row["row"],
                    "assessed_on",
                    f"{row['assessed_on']} is before the episode was opened ({episode['opened']})",
                )
        _check_once_per_episode(rows, problems)
        problems.raise_if_any()
        new, changed = [], []
        for row in rows:
            values = tuple(row[f] for f in FIELDS)
            old = stored.get(row["source_id"])
            if old is None:
                new.append((row["source_id"], *values))
            elif all(old[f] == v for f, v in zip(FIELDS, values, strict=True)):
                result.unchanged += 1
            else:
                changed.append((old["pk"], values))
        insert_rows(Assessment, ("source_id", *FIELDS), new)
        update_rows(Assessment, FIELDS, changed)  # few columns and one index: no grouping
        result.created, result.updated = len(new), len(changed)
        audit_import(user, "collection.assessment", filename, len(rows), result)
        if new or changed:
            # An assessment counts in the periods of its episode, opened on or before it.
            touched = {row["episode_id"] for row in rows}
            touched |= {old["episode_id"] for old in stored.values()}
            opened = Episode.objects.filter(pk__in=touched).values_list("opened", flat=True)
            data_changed.send(Assessment, episodes=True, periods=[min(opened, default=None)])
    return result


def _episode(pk: int) -> dict:
    return Episode.objects.values("pk", "unit_id", "service_id", "opened").get(pk=pk)


def _check_once_per_episode(rows: list[dict], problems: Problems) -> None:
    """At most one intake and one exit per episode and instrument, counting stored rows."""
    episode_ids = iter(sorted({row["episode_id"] for row in rows if "episode_id" in row}))
    state = {}
    while chunk := list(islice(episode_ids, BATCH)):
        stored = Assessment.objects.filter(episode_id__in=chunk, timepoint__in=ONCE_PER_EPISODE)
        for source_id, *key in stored.values_list(
            "source_id", "episode_id", "instrument", "timepoint"
        ):
            state[source_id] = key
    for row in rows:
        if "episode_id" in row:
            state[row["source_id"]] = [row["episode_id"], row["instrument"], row["timepoint"]]
    holders: dict[tuple, list[str]] = {}
    for source_id, key in state.items():
        if key[2] in ONCE_PER_EPISODE:
            holders.setdefault(tuple(key), []).append(source_id)
    for row in rows:
        if "episode_id" not in row or row["timepoint"] not in ONCE_PER_EPISODE:
            continue
        others = [
            s
            for s in holders[(row["episode_id"], row["instrument"], row["timepoint"])]
            if s != row["source_id"]
        ]
        if others:
            problems.add(
                row["row"],
                "timepoint",
                f"the episode already has a {row['timepoint']} {row['instrument']} assessment "
                f"(source_id {shown(others[0])}): expected one per episode",
            )
