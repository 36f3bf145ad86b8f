"""Small hand-built evaluation data on top of the cast (tests/conftest.py).

`instruments()` loads the shipped instruments file. `impact_data(cast)` makes VS episodes
opened in 2025 with WHO-5 at intake and exit — scores chosen by hand so that every figure can
be computed independently in a test — and `vs_plan(cast)` a locked plan over them.
`ux_data(cast)` makes invitations and client-survey responses in 2025Q1, 2024Q4 and 2024Q1.
"""

import hashlib
from datetime import UTC, date, datetime

from seire.catalogue.loader import DEFAULT_DIRECTORY, read_yaml
from seire.collection.models import Assessment, Episode
from seire.evaluation import catalogue
from seire.evaluation.models import AnalysisPlan, Instrument

# (gender, age group, crime type, intake WHO-5 raw item sum, exit raw item sum or None)
# Scores are raw sums 0–25; the WHO-5 score is raw × 4.
CLIENTS = [
    # 14 women with both measures
    *[("female", "26-35", "domestic_violence", i, e) for i, e in [
        (5, 12), (6, 14), (8, 9), (10, 18), (4, 4), (7, 15), (12, 10), (9, 16),
        (3, 11), (11, 13), (6, 6), (8, 20), (10, 9), (5, 13),
    ]],
    # 11 men with both measures
    *[("male", "36-45", "other_violence", i, e) for i, e in [
        (9, 10), (12, 15), (7, 7), (14, 12), (6, 13), (10, 10), (8, 16), (13, 14),
        (11, 11), (5, 9), (9, 12),
    ]],
    # 3 of other/unknown gender: fewer than the minimum n
    *[("other_unknown", "18-25", "sexual_violence", i, e) for i, e in [(4, 12), (6, 8), (7, 7)]],
    # 12 measured at intake only (non-completers)
    *[("female", "46-55", "domestic_violence", i, None) for i in [
        4, 6, 3, 8, 5, 7, 2, 9, 6, 5, 4, 10,
    ]],
]  # fmt: skip


def instruments() -> None:
    if not Instrument.objects.filter(code="WHO5").exists():
        catalogue.load(read_yaml(DEFAULT_DIRECTORY / "instruments.yaml"))


def who5_items(raw: int) -> list[int]:
    """Five items 0–5 summing to `raw`."""
    items = [raw // 5] * 5
    for i in range(raw % 5):
        items[i] += 1
    return items


def impact_data(cast) -> list[Episode]:
    instruments()
    episodes = []
    for n, (gender, age, crime, intake, exit_) in enumerate(CLIENTS, start=1):
        episode = Episode.objects.create(
            source_id=f"EV-{n}",
            client_key=f"ck1_{n:064d}",
            service=cast.vs,
            unit=cast.harju_vs if n % 2 else cast.tartu_vs,
            opened=date(2025, 1 + n % 12, 3),
            closed=date(2025, 1 + n % 12, 25),
            gender=gender,
            age_group=age,
            crime_type=crime,
        )
        Assessment.objects.create(
            source_id=f"EV-{n}-i",
            episode=episode,
            instrument="WHO5",
            timepoint="intake",
            assessed_on=episode.opened,
            items=who5_items(intake),
        )
        if exit_ is not None:
            Assessment.objects.create(
                source_id=f"EV-{n}-e",
                episode=episode,
                instrument="WHO5",
                timepoint="exit",
                assessed_on=episode.closed,
                items=who5_items(exit_),
            )
        episodes.append(episode)
    return episodes


def vs_plan(cast, locked: bool = True, **changes) -> AnalysisPlan:
    instruments()
    values = {
        "title": "VS wellbeing 2025",
        "service": cast.vs,
        "first_period": "2025",
        "last_period": "2025",
        "instrument": Instrument.objects.get(code="WHO5"),
        "subgroups": ["gender", "crime_type"],
        "minimum_n": 10,
        "created_by": cast.ann,
        "created_at": datetime(2024, 12, 1, 9, tzinfo=UTC),
        **changes,
    }
    plan = AnalysisPlan.objects.create(**values)
    if locked:
        plan.lock(cast.ann)
    return plan


def vs_plan_pk(cast) -> int:
    """For the access table: a locked VS plan (with its data)."""
    impact_data(cast)
    return vs_plan(cast).pk


def wsc_plan_pk(cast) -> int:
    """For the access table: a locked plan of the women's support centres (no data)."""
    return vs_plan(cast, service=cast.wsc, title="WSC").pk


# -- user experience ------------------------------------------------------------------------
# Per period: (satisfaction 1–5, recommend 0–10, effort 1–7, respected) of each response.
def _answers_of(n: int, shift: int) -> list[tuple[int, int, int, str]]:
    rows = []
    for i in range(n):
        satisfaction = [5, 4, 4, 3, 5, 2, 4, 5, 1, 4][(i + shift) % 10]
        recommend = min(10, max(0, 2 * satisfaction - 1 + (i % 3)))
        effort = min(7, max(1, satisfaction + 1 + (i % 2) - (i % 5 == 0)))
        respected = "yes" if satisfaction >= 4 else ("partly" if satisfaction == 3 else "no")
        rows.append((satisfaction, recommend, effort, respected))
    return rows


UX_PERIODS = {
    # period: (first month, responses through invitations, other responses, invitations)
    "2025Q1": (1, 25, 5, 100),
    "2024Q4": (10, 12, 8, 0),
    "2024Q1": (1, 15, 5, 0),
}


def ux_data(cast) -> dict:
    """Invitations and responses of the VS client survey; returns {period: [answer tuples]}."""
    from seire.feedback import catalogue as survey_catalogue
    from seire.feedback.models import Answer, Invitation, Response, Survey

    if not Survey.objects.filter(code="vs-client").exists():
        survey_catalogue.load(read_yaml(DEFAULT_DIRECTORY / "surveys.yaml"))
    version = Survey.objects.get(code="vs-client").current_version()
    survey = version.survey
    questions = {q.code: q for q in version.questions.all()}
    made = {}
    for shift, (period, (month, invited, other, sent)) in enumerate(UX_PERIODS.items()):
        year = int(period[:4])
        rows = _answers_of(invited + other, shift)
        made[period] = rows
        for i in range(sent):
            episode = Episode.objects.create(
                source_id=f"UX-{period}-{i}",
                client_key=f"ck1_{i:064d}",
                service=cast.vs,
                unit=cast.harju_vs,
                opened=date(year, month, 1),
                closed=date(year, month + i % 3, 10),
            )
            Invitation.objects.create(
                token_hash=hashlib.sha256(f"{period}-{i}".encode()).hexdigest(),
                survey=survey,
                episode=episode,
                channel="sms",
                used_at=datetime(year, month, 20, tzinfo=UTC) if i < invited else None,
            )
        for i, (satisfaction, recommend, effort, respected) in enumerate(rows):
            response = Response.objects.create(
                survey_version=version,
                service=cast.vs,
                unit=cast.harju_vs,
                period=f"{year}M{month + i % 3:02d}",
                channel="sms" if i < invited else "link",
                language="et",
                submitted_on=date(year, month + i % 3, 21),
            )
            Answer.objects.bulk_create(
                [
                    Answer(
                        response=response, question=questions["satisfaction"], value=satisfaction
                    ),
                    Answer(response=response, question=questions["recommend"], value=recommend),
                    Answer(response=response, question=questions["effort"], value=effort),
                    Answer(response=response, question=questions["respected"], choices=[respected]),
                ]
            )
    return made


def vs_service_code(cast) -> str:
    return "VS"
