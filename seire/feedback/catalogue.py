"""The `surveys` catalogue section: feedback surveys and their questions (et/en/ru).

Loading is strict and idempotent: everything is checked first (keys, types, services that
exist, options that fit the question type, skip conditions that name an earlier question and
answers it can have) and problems are located at file:line. A survey is synced by code; when
its questions changed, an unanswered latest version is rewritten in place and an answered one
is left as it is, frozen, under a NEW version that respondents get from then on.
"""

from seire.catalogue.loader import (
    Counts,
    Field,
    Problems,
    Section,
    YamlList,
    YamlMap,
    check_entries,
    check_mapping,
    register,
)
from seire.feedback.models import Question, Survey, SurveyVersion
from seire.organisation.models import Service

SLUG = r"[a-z0-9]+([_-][a-z0-9]+)*"
TYPES = tuple(Question.Type.values)
CHOICE_TYPES = (Question.Type.SINGLE, Question.Type.MULTIPLE)

FILE_FIELDS = {
    "description": Field(str, help="What the file defines (documentation; not stored)."),
    "reference": Field(str, help="Where the questions come from (documentation; not stored)."),
    "surveys": Field(list, True, "The surveys."),
}
SURVEY_FIELDS = {
    "code": Field(
        str,
        True,
        "Lowercase code, part of the public link (vs-client).",
        pattern=SLUG,
        max_length=40,
    ),
    "service": Field(str, True, "Code of the service the survey is about (VS)."),
    "kind": Field(str, True, "client or partner.", choices=("client", "partner")),
    "name_et": Field(str, True, "Name in Estonian (the form's heading).", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "name_ru": Field(str, True, "Name in Russian.", max_length=200),
    "intro_et": Field(str, help="Introduction above the questions, in Estonian."),
    "intro_en": Field(str, help="Introduction in English."),
    "intro_ru": Field(str, help="Introduction in Russian."),
    "questions": Field(list, True, "The questions, in the order asked."),
}
QUESTION_FIELDS = {
    "code": Field(str, True, "Lowercase code (satisfaction).", pattern=SLUG, max_length=40),
    "type": Field(str, True, ", ".join(TYPES) + ".", choices=TYPES),
    "required": Field(bool, help="true when the question must be answered (default false)."),
    "text_et": Field(str, True, "The question in Estonian.", max_length=300),
    "text_en": Field(str, True, "The question in English.", max_length=300),
    "text_ru": Field(str, True, "The question in Russian.", max_length=300),
    "help_et": Field(str, help="A hint under the question, in Estonian.", max_length=300),
    "help_en": Field(str, help="A hint in English.", max_length=300),
    "help_ru": Field(str, help="A hint in Russian.", max_length=300),
    "options": Field(list, help="Choices (single, multiple), or labels of scale points."),
    "show_if": Field(dict, help="Ask only when an earlier question has one of these answers."),
    "contact_if": Field(str, help="The option of a single choice that asks for contact details."),
}
OPTION_FIELDS = {
    "code": Field(str, True, 'Code of the answer (quoted: "yes", "5").', max_length=40),
    "label_et": Field(str, True, "Label in Estonian.", max_length=200),
    "label_en": Field(str, True, "Label in English.", max_length=200),
    "label_ru": Field(str, True, "Label in Russian.", max_length=200),
}
SHOW_IF_FIELDS = {
    "question": Field(str, True, "Code of an earlier question of the survey."),
    "values": Field(list, True, "Its answers (codes, quoted) that make this question asked."),
}


# -- checking -------------------------------------------------------------------------------
def _check(data: YamlMap, problems: Problems) -> list[YamlMap]:
    check_mapping(data, FILE_FIELDS, "the surveys file", problems)
    services = set(Service.objects.values_list("code", flat=True))
    surveys = check_entries(data, "surveys", SURVEY_FIELDS, "survey", problems)
    for survey in surveys:
        service = survey.get("service")
        if isinstance(service, str) and service not in services:
            problems.add(
                survey,
                "service",
                f"unknown service {service!r}: expected one of {', '.join(sorted(services))}",
            )
        earlier: dict[str, list[str]] = {}  # code → the answer codes of earlier questions
        for question in check_entries(survey, "questions", QUESTION_FIELDS, "question", problems):
            codes = _check_question(question, earlier, problems)
            if isinstance(question.get("code"), str):
                earlier[question["code"]] = codes
    return surveys


def _check_question(question: YamlMap, earlier: dict, problems: Problems) -> list[str]:
    """Check a question's options, skip condition and contact option; its answer codes."""
    kind = question.get("type")
    options = check_entries(question, "options", OPTION_FIELDS, "option", problems)
    codes = [o["code"] for o in options if isinstance(o.get("code"), str)]
    scale = Question.SCALES.get(kind)
    if kind in CHOICE_TYPES and len(options) < 2:
        problems.add(question, "options", f"a {kind} question needs at least two options")
    elif kind in (Question.Type.TEXT, Question.Type.YES_NO_NA) and options:
        problems.add(question, "options", f"a {kind} question takes no options")
    elif scale:
        points = [str(n) for n in range(scale[0], scale[1] + 1)]
        for option in options:
            if isinstance(option.get("code"), str) and option["code"] not in points:
                problems.add(
                    option,
                    "code",
                    f"{option['code']!r} is not a point of a {kind} scale: expected one of "
                    f"{', '.join(points)} (quoted)",
                )
        codes = points
    elif kind == Question.Type.YES_NO_NA:
        codes = ["yes", "no", "na"]
    _check_show_if(question, earlier, problems)
    contact_if = question.get("contact_if")
    if isinstance(contact_if, str):
        if kind != Question.Type.SINGLE:
            problems.add(question, "contact_if", "contact_if belongs to a single-choice question")
        elif contact_if not in codes:
            problems.add(
                question,
                "contact_if",
                f"unknown option {contact_if!r}: expected one of {', '.join(codes)}",
            )
    return [] if kind == Question.Type.TEXT else codes


def _check_show_if(question: YamlMap, earlier: dict, problems: Problems) -> None:
    show_if = question.get("show_if")
    if not isinstance(show_if, YamlMap):
        return
    check_mapping(show_if, SHOW_IF_FIELDS, "show_if", problems)
    target, values = show_if.get("question"), show_if.get("values")
    if not isinstance(target, str):
        return
    if target not in earlier or not earlier[target]:
        problems.add(
            show_if,
            "question",
            f"show_if names {target!r}: expected an earlier question of this survey "
            "that is not free text",
        )
    elif isinstance(values, YamlList):
        for value in values:
            if not isinstance(value, str) or value not in earlier[target]:
                problems.add(
                    show_if,
                    "values",
                    f"{value!r} is not an answer of {target!r}: expected quoted codes among "
                    f"{', '.join(earlier[target])}",
                )


# -- syncing --------------------------------------------------------------------------------
def _wanted(entry: YamlMap) -> list[dict]:
    """The questions of a file entry as the fields of their rows (defaults filled in)."""
    rows = []
    for sort, q in enumerate(entry["questions"], start=1):
        show_if = q.get("show_if") or {}
        rows.append(
            {
                "code": q["code"],
                "sort": sort,
                "type": q["type"],
                "required": q.get("required", False),
                **{f"text_{lang}": q[f"text_{lang}"] for lang in ("et", "en", "ru")},
                **{f"help_{lang}": q.get(f"help_{lang}", "") for lang in ("et", "en", "ru")},
                "options": [{key: o[key] for key in OPTION_FIELDS} for o in q.get("options", [])],
                "show_if_question": show_if.get("question", ""),
                "show_if_values": list(show_if.get("values", [])),
                "contact_if": q.get("contact_if", ""),
            }
        )
    return rows


def _rows(version: SurveyVersion) -> list[dict]:
    keys = (
        "code",
        "sort",
        "type",
        "required",
        "options",
        "show_if_question",
        "show_if_values",
        "contact_if",
        *(f"{f}_{lang}" for f in ("text", "help") for lang in ("et", "en", "ru")),
    )
    return [
        {key: getattr(q, key) for key in keys} for q in version.questions.order_by("sort", "pk")
    ]


def load(data: YamlMap) -> dict[str, Counts]:
    """Check `data` whole, then create or update the surveys and their question versions."""
    problems = Problems()
    surveys = _check(data, problems)
    problems.raise_if_any()
    counts = {"surveys": Counts(), "survey versions": Counts()}
    for entry in surveys:
        values = {
            "service": Service.objects.get(code=entry["service"]),
            "kind": entry["kind"],
            **{
                f"{f}_{lang}": entry.get(f"{f}_{lang}", "")
                for f in ("name", "intro")
                for lang in ("et", "en", "ru")
            },
            "active": True,
        }
        survey, created = Survey.objects.get_or_create(code=entry["code"], defaults=values)
        if created:
            counts["surveys"].created += 1
        elif all(getattr(survey, k) == v for k, v in values.items()):
            counts["surveys"].unchanged += 1
        else:
            for key, value in values.items():
                setattr(survey, key, value)
            survey.save()
            counts["surveys"].updated += 1
        _sync_questions(survey, _wanted(entry), counts["survey versions"])
    return counts


def _sync_questions(survey: Survey, wanted: list[dict], counts: Counts) -> None:
    latest = survey.versions.order_by("-version").first()
    if latest is not None and _rows(latest) == wanted:
        counts.unchanged += 1
        return
    if latest is not None and not latest.is_answered:
        latest.questions.all().delete()
        version = latest
        counts.updated += 1
    else:
        version = SurveyVersion.objects.create(
            survey=survey, version=latest.version + 1 if latest else 1
        )
        counts.created += 1
    for row in wanted:
        Question(version=version, **row).save()


# -- export ---------------------------------------------------------------------------------
def export() -> dict:
    """The surveys file from the database: each survey with its latest version's questions."""
    surveys = []
    for survey in Survey.objects.select_related("service").order_by("pk"):
        entry = {
            "code": survey.code,
            "service": survey.service.code,
            "kind": survey.kind,
            **{f"name_{lang}": getattr(survey, f"name_{lang}") for lang in ("et", "en", "ru")},
        }
        for lang in ("et", "en", "ru"):
            if getattr(survey, f"intro_{lang}"):
                entry[f"intro_{lang}"] = getattr(survey, f"intro_{lang}")
        latest = survey.versions.order_by("-version").first()
        entry["questions"] = [_export_question(q) for q in _rows(latest)] if latest else []
        surveys.append(entry)
    return {
        "description": "The feedback surveys with their questions in Estonian, English and "
        "Russian.",
        "surveys": surveys,
    }


def _export_question(row: dict) -> dict:
    question = {"code": row["code"], "type": row["type"]}
    if row["required"]:
        question["required"] = True
    if row["contact_if"]:
        question["contact_if"] = row["contact_if"]
    if row["show_if_question"]:
        question["show_if"] = {
            "question": row["show_if_question"],
            "values": row["show_if_values"],
        }
    for field in ("text", "help"):
        for lang in ("et", "en", "ru"):
            if row[f"{field}_{lang}"] or field == "text":
                question[f"{field}_{lang}"] = row[f"{field}_{lang}"]
    if row["options"]:
        question["options"] = row["options"]
    return question


SECTION = Section(
    load=load,
    export=export,
    header="Seire catalogue: the feedback surveys with their questions (et/en/ru).\n"
    "Exported from the database by `seire catalogue export`.",
    fields={
        "file": FILE_FIELDS,
        "surveys": SURVEY_FIELDS,
        "questions": QUESTION_FIELDS,
        "options": OPTION_FIELDS,
        "show_if": SHOW_IF_FIELDS,
    },
    after=("organisation",),
)
register("surveys", SECTION)
