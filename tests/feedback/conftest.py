"""The feedback cast: the shipped surveys of general victim support and a closed episode.

The surveys are loaded from the catalogue file (seire/catalogue/surveys.yaml) on top of the
cast of tests/conftest.py, whose VS service they belong to. `answers()` is a filled-in
client form as a browser posts it.
"""

from datetime import date
from types import SimpleNamespace

import pytest

from seire.catalogue.loader import DEFAULT_DIRECTORY, read_yaml
from seire.collection.models import Episode
from seire.feedback import catalogue
from seire.feedback.models import Survey


@pytest.fixture
def surveys(cast):
    catalogue.load(read_yaml(DEFAULT_DIRECTORY / "surveys.yaml"))
    return SimpleNamespace(
        client=Survey.objects.get(code="vs-client"),
        partner=Survey.objects.get(code="vs-partner-exit"),
    )


def answers(**changes) -> dict:
    """POST data of a filled client form: satisfied, respected, a comment; `None` drops a
    field and a keyword sets one (question fields are `q_<code>`)."""
    data = {
        "lang": "et",
        "q_satisfaction": "4",
        "q_respected": "yes",
        "q_rights_info": "partly",
        "q_knows_where": "yes",
        "q_safer": "no_change",
        "q_effort": "6",
        "q_recommend": "9",
        "q_comment": "Töötaja oli väga abivalmis.",
        "q_contact": "no",
        "contact": "",
        "website": "",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def closed_episode(cast, source_id: str = "VS-1", closed: date = date(2026, 3, 20)) -> Episode:
    return Episode.objects.create(
        source_id=source_id,
        client_key="ck1_" + "0" * 64,
        service=cast.vs,
        unit=cast.harju_vs,
        opened=date(2026, 1, 5),
        closed=closed,
    )
