"""A small theme coder: tags free text with themes from a codebook of stems.

A codebook maps each theme to stem phrases in Estonian, Russian and English::

    {"waiting_time": {"et": ["ootasin", "järjekor"], "ru": ["очеред"], "en": ["queue"]}}

A theme is tagged when any of its phrases occurs in the text, in any of the languages
(respondents mix them). Phrases follow `seire.textscan.phrases`: each word matches the start
of a word, case is ignored, and ``…`` allows a few words in between.

The default codebook is `themes.yaml` next to this module; each theme there also carries a
`description` of what it covers. `load_codebook` reads a codebook strictly: unknown or
missing keys, duplicate keys, an empty list, a phrase that is not text and a misplaced
``…`` are errors that name the file, the line and what was expected.

>>> sorted(themes("Järjekord oli pikk, aga töötaja oli väga abivalmis. Aitäh!"))
['positive_experience', 'staff_attitude', 'waiting_time']
>>> themes("Очень долго ждала ответа от полиции.", {"waiting_time": {"ru": ["ждал"]}})
{'waiting_time'}
"""

import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path

import yaml

from .phrases import GAP, compile_phrases, normalise

__all__ = [
    "DEFAULT_CODEBOOK_PATH",
    "LANGUAGES",
    "Codebook",
    "CodebookError",
    "load_codebook",
    "themes",
]

DEFAULT_CODEBOOK_PATH = Path(__file__).resolve().parent / "themes.yaml"
LANGUAGES = ("et", "ru", "en")
Codebook = Mapping[str, Mapping[str, Sequence[str]]]

_THEME_NAME = re.compile(r"[a-z][a-z0-9_]*")
_KEYS = ("description", *LANGUAGES)
_STR = "tag:yaml.org,2002:str"


class CodebookError(ValueError):
    """The codebook file is invalid; the message names the file, the line and the fix."""


def _error(path: str, node: yaml.Node | None, message: str) -> CodebookError:
    return CodebookError(f"{path}:{node.start_mark.line + 1}: {message}" if node else message)


def _mapping(path: str, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The keys of a mapping node with their key and value nodes; rejects duplicates."""
    if not isinstance(node, yaml.MappingNode):
        raise _error(path, node, f"{what}: expected a mapping")
    items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag != _STR:
            raise _error(path, key, f"{what}: expected plain text keys")
        if key.value in items:
            first = items[key.value][0].start_mark.line + 1
            raise _error(path, key, f"duplicate key {key.value!r} (first at line {first})")
        items[key.value] = (key, value)
    return items


def _phrases(path: str, theme: str, language: str, node: yaml.Node) -> list[str]:
    where = f"theme {theme!r}, {language}"
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise _error(path, node, f"{where}: expected a non-empty list of phrases")
    phrases = []
    for item in node.value:
        words = item.value.split() if isinstance(item, yaml.ScalarNode) else []
        if not words:
            raise _error(path, item, f"{where}: expected a phrase (text), not {item.value!r}")
        if words[0] in GAP or words[-1] in GAP:
            raise _error(path, item, f"{where}: '…' may only stand between words")
        phrases.append(" ".join(words))
    return phrases


def load_codebook(path: str | Path | None = None) -> dict[str, dict[str, list[str]]]:
    """The codebook in `path` (default: the shipped `themes.yaml`) as theme → language → phrases.

    Raises CodebookError when the file cannot be read or breaks the format.
    """
    path = Path(path) if path else DEFAULT_CODEBOOK_PATH
    name = str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{name}: cannot be read as UTF-8 text: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise CodebookError(f"{name}{line}: not valid YAML: {exc.problem}") from None
    if root is None:
        raise CodebookError(f"{name}: empty; expected a mapping of themes")
    codebook: dict[str, dict[str, list[str]]] = {}
    for theme, (key, value) in _mapping(name, root, "the codebook").items():
        if not _THEME_NAME.fullmatch(theme):
            raise _error(name, key, f"theme {theme!r}: expected a snake_case name")
        fields = _mapping(name, value, f"theme {theme!r}")
        for field, (field_key, _) in fields.items():
            if field not in _KEYS:
                expected = ", ".join(_KEYS)
                raise _error(
                    name, field_key, f"theme {theme!r}: unknown key {field!r}; expected {expected}"
                )
        for field in _KEYS:
            if field not in fields:
                raise _error(name, key, f"theme {theme!r}: missing key {field!r}")
        description = fields["description"][1]
        if not isinstance(description, yaml.ScalarNode) or not description.value.strip():
            raise _error(name, description, f"theme {theme!r}: expected a description (text)")
        codebook[theme] = {
            language: _phrases(name, theme, language, fields[language][1]) for language in LANGUAGES
        }
    return codebook


@cache
def _default_codebook() -> dict[str, dict[str, list[str]]]:
    return load_codebook()


@lru_cache(maxsize=32)
def _matchers(key: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((theme, compile_phrases(phrases)) for theme, phrases in key)


def themes(text: str, codebook: Codebook | None = None) -> set[str]:
    """The themes of `codebook` (default: the shipped one) whose phrases occur in `text`.

    Languages in the codebook other than et, ru and en are used too; an empty text has no
    themes.
    """
    book = _default_codebook() if codebook is None else codebook
    key = tuple(
        (theme, tuple(p for phrases in by_language.values() for p in phrases))
        for theme, by_language in book.items()
    )
    folded = normalise(text)
    return {theme for theme, matcher in _matchers(key) if matcher.search(folded)}
