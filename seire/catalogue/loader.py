"""The strict catalogue loader and the registry of catalogue sections.

A catalogue directory holds one YAML file per section (`organisation.yaml`, later
`datasets.yaml`, `metrics.yaml`, …). Each section is registered in `SECTIONS` with a `load`
that syncs its file into the database and an `export` that writes it back; apps register
their own sections the way `seire.catalogue.organisation` does, from their `AppConfig.ready`.
A section loads after the sections named in its `after` (otherwise in registration order), so
it may refer to what those defined: `Section(..., after=("organisation",))`.

The YAML is read strictly: duplicate keys, unknown keys, missing required keys and values of
the wrong type are errors. Every error is a `Problem` naming the file, the line and what was
expected; `load_catalogue` collects them into one `CatalogueError` and writes nothing unless
the whole catalogue is valid (one transaction).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

DEFAULT_DIRECTORY = Path(__file__).resolve().parent
CODE_PATTERN = r"[A-Z0-9]+(-[A-Z0-9]+)*"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalogue file; `line` is 1-based (None: the whole file)."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )


class CatalogueError(Exception):
    """The catalogue is invalid; `problems` says where and what was expected."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# -- reading YAML with line numbers ---------------------------------------------------------
class YamlMap(dict):
    """A YAML mapping that remembers its file, its line and the line of every key."""

    file: str = ""
    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key) -> int:
        """The line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class YamlList(list):
    """A YAML sequence that remembers its file and line."""

    file: str = ""
    line: int = 0


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and keeps line numbers on mappings and lists."""

    def fill_mapping(self, data: YamlMap, node: yaml.MappingNode) -> None:
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                hash(key)
            except TypeError:
                raise CatalogueError(
                    [Problem(data.file, line, "a key must be plain text, not a list or mapping")]
                ) from None
            if key in data:
                raise CatalogueError(
                    [
                        Problem(
                            data.file,
                            line,
                            f"duplicate key {key!r} (first at line {data.key_lines[key]}): "
                            "expected each key once per mapping",
                        )
                    ]
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = line


def _construct_map(loader: StrictLoader, node: yaml.MappingNode):
    data = YamlMap()
    data.file, data.line = loader.name, node.start_mark.line + 1
    yield data
    loader.fill_mapping(data, node)


def _construct_list(loader: StrictLoader, node: yaml.SequenceNode):
    data = YamlList()
    data.file, data.line = loader.name, node.start_mark.line + 1
    yield data
    data.extend(loader.construct_sequence(node, deep=True))


StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


def read_yaml(path: Path) -> YamlMap:
    """The top-level mapping of the YAML file at `path` (empty for an empty file).

    Raises CatalogueError for bad syntax, a duplicate key or a top level that is not a mapping.
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(
            [Problem(name, None, f"cannot be read as UTF-8 text: {exc}")]
        ) from None
    loader = StrictLoader(text)
    loader.name = name  # marks (and so every line number) name the file
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = exc.problem or exc.context or "unreadable"
        if exc.context and exc.problem and exc.context_mark:
            message += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        raise CatalogueError([Problem(name, line, f"invalid YAML: {message}")]) from None
    except yaml.YAMLError as exc:
        raise CatalogueError([Problem(name, None, f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if data is None:
        data = YamlMap()
        data.file, data.line = name, 1
    if not isinstance(data, YamlMap):
        raise CatalogueError([Problem(name, 1, "expected a mapping of keys at the top level")])
    return data


# -- checking entries against a schema ------------------------------------------------------
TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
    date: "a date (YYYY-MM-DD)",
    list: "a list",
    dict: "a mapping",
}


@dataclass(frozen=True)
class Field:
    """One allowed key of a catalogue entry: its type and constraints, and what it means."""

    type: type
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    pattern: str = ""
    max_length: int | None = None
    minimum: int | None = None


class Problems:
    """Collects problems so that one run reports everything wrong with a file."""

    def __init__(self):
        self.items: list[Problem] = []

    def add(self, node: YamlMap | YamlList, key, message: str) -> None:
        line = node.line_of(key) if isinstance(node, YamlMap) and key is not None else node.line
        self.items.append(Problem(node.file, line, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise CatalogueError(self.items)


def _type_ok(value, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is date:
        return isinstance(value, date)
    return isinstance(value, expected)


def _describe(value) -> str:
    for kind, name in TYPE_NAMES.items():
        if _type_ok(value, kind):
            return f"{name} ({value!r})" if kind in (str, int, bool, float, date) else name
    return "nothing (an empty value)" if value is None else type(value).__name__


def check_mapping(node, fields: dict[str, Field], what: str, problems: Problems) -> bool:
    """Check one mapping against `fields`; False (with problems added) when it is unusable."""
    if not isinstance(node, YamlMap):
        return False
    names = ", ".join(fields)
    for key in node:
        if key not in fields:
            problems.add(node, key, f"unknown key {key!r} in {what}: expected one of {names}")
    for key, spec in fields.items():
        if key not in node:
            if spec.required:
                problems.add(node, None, f"{what} is missing the required key {key!r}")
            continue
        value = node[key]
        if not _type_ok(value, spec.type):
            problems.add(
                node, key, f"{key} must be {TYPE_NAMES[spec.type]}, not {_describe(value)}"
            )
        elif spec.choices and value not in spec.choices:
            problems.add(
                node, key, f"{key} must be one of {', '.join(spec.choices)}, not {value!r}"
            )
        elif spec.pattern and not re.fullmatch(spec.pattern, value):
            problems.add(
                node,
                key,
                f"{key} {value!r} must match {spec.pattern} "
                "(uppercase ASCII letters and digits joined by hyphens)",
            )
        elif spec.max_length is not None and len(value) > spec.max_length:
            problems.add(
                node, key, f"{key} must be at most {spec.max_length} characters, not {len(value)}"
            )
        elif spec.minimum is not None and value < spec.minimum:
            problems.add(node, key, f"{key} must be at least {spec.minimum}, not {value!r}")
    return True


def check_entries(
    parent: YamlMap, key: str, fields: dict[str, Field], what: str, problems: Problems
) -> list[YamlMap]:
    """The entries of the list `parent[key]` that are mappings, each checked against `fields`.

    Adds a problem for a value that is not a list, for an item that is not a mapping and for
    a `code` repeated within the list. An absent key is an empty list.
    """
    if key not in parent:
        return []
    value = parent[key]
    if not isinstance(value, YamlList):
        problems.add(parent, key, f"{key} must be a list of {what} entries, not {_describe(value)}")
        return []
    entries, first_line = [], {}
    for index, item in enumerate(value, start=1):
        if not isinstance(item, YamlMap):
            problems.add(
                value, None, f"{key} item {index} must be a mapping of keys, not {_describe(item)}"
            )
            continue
        check_mapping(item, fields, f"{what} entry", problems)
        code = item.get("code")
        if isinstance(code, str):
            if code in first_line:
                problems.add(
                    item,
                    "code",
                    f"duplicate code {code!r} (first at line "
                    f"{first_line[code]}): expected each code once",
                )
            first_line.setdefault(code, item.line_of("code"))
        entries.append(item)
    return entries


# -- counting what a load changed -----------------------------------------------------------
@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


# -- the registry ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    """A catalogue section: the file `<name>.yaml` in a catalogue directory.

    `load(data)` receives the file's top-level YamlMap, checks it (raising CatalogueError),
    syncs it into the database idempotently and returns {what: Counts}. `export()` returns
    the plain data (dicts, lists, scalars) that, written as `<name>.yaml` and loaded again,
    gives the same database. `header` is written as a comment at the top of the export.
    """

    load: Callable[[YamlMap], dict[str, Counts]]
    export: Callable[[], dict]
    header: str = ""
    fields: dict[str, dict[str, Field]] = field(default_factory=dict)  # for the docs
    after: tuple[str, ...] = ()  # sections to load first (their rows may be referred to)


SECTIONS: dict[str, Section] = {}


def register(name: str, section: Section) -> None:
    """Add `section` as `<name>.yaml`; registering a name twice is a programming error."""
    if name in SECTIONS and SECTIONS[name] is not section:
        raise ValueError(f"catalogue section {name!r} is already registered")
    SECTIONS[name] = section


def ordered_sections() -> list[tuple[str, Section]]:
    """The registered sections, each after the sections named in its `after`."""
    ordered: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in ordered or name not in SECTIONS:
            return
        if name in trail:
            raise ValueError(f"catalogue sections load after each other: {' → '.join(trail)}")
        for earlier in SECTIONS[name].after:
            visit(earlier, (*trail, name))
        ordered.append(name)

    for name in SECTIONS:
        visit(name, ())
    return [(name, SECTIONS[name]) for name in ordered]


def _files(path: Path) -> Iterable[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(path.glob("*.yaml"))
    raise CatalogueError([Problem(str(path), None, "no such file or directory")])


def load_catalogue(directory: str | Path = DEFAULT_DIRECTORY) -> dict[str, Counts]:
    """Sync every `<section>.yaml` in `directory` (or the one file named) into the database.

    All files are read and checked before anything is written, and everything is written in
    one transaction: on any problem a CatalogueError lists them all and nothing changes.
    Loading the same files twice changes nothing the second time. Returns {what: Counts}.
    """
    problems: list[Problem] = []
    parsed: dict[str, YamlMap] = {}
    for path in _files(Path(directory)):
        if path.stem not in SECTIONS:
            expected = ", ".join(f"{name}.yaml" for name in SECTIONS)
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"no catalogue section is named {path.stem!r}: expected one of {expected}",
                )
            )
            continue
        try:
            parsed[path.stem] = read_yaml(path)
        except CatalogueError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CatalogueError(problems)
    counts: dict[str, Counts] = {}
    with transaction.atomic():
        for name, section in ordered_sections():
            if name in parsed:
                counts.update(section.load(parsed[name]))
    return counts


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # indent list items under their key


def export_catalogue(directory: str | Path) -> list[Path]:
    """Write every registered section from the database to `<directory>/<name>.yaml`."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, section in ordered_sections():
        text = yaml.dump(
            section.export(),
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            width=96,
            default_flow_style=False,
        )
        header = "".join(f"# {line}".rstrip() + "\n" for line in section.header.splitlines())
        path = target / f"{name}.yaml"
        path.write_text(header + text, encoding="utf-8")
        written.append(path)
    return written
