"""The numbers of a user-experience report: one service (and unit) over one period.

`ux_numbers(service, unit, period)` returns plain, JSON-safe numbers of the client surveys
of the service: the response rate of invitations (with the responses that came another
way), CSAT (share 4–5 of 5), NPS, customer effort (mean of 1–7 and the share 6–7), their
change against the previous period and the same period a year before (two-proportion tests,
Holm-adjusted together), the drivers of overall satisfaction (Spearman's rank correlation of
every other rated question with it, with intervals) and, where the feedback coder has run,
the frequency of themes, the sentiment trend and the verbatims the analyst chose. Figures
from fewer than `MINIMUM_N` answers are not shown.

Single-choice questions are read as ordinal, best option first (the catalogue lists them
so: yes, partly, no); "not needed" and "not applicable" answers are left out.
"""

import dataclasses
from collections import Counter

from seire import periods, stats
from seire.evaluation.impact import estimate, r, share
from seire.feedback import models as feedback
from seire.feedback.items import FeedbackItem, Sentiment
from seire.feedback.models import Answer, Invitation, Question, Response

MINIMUM_N = 10
NOT_RATED = frozenset({"na", "not_needed"})
CSAT_TOP = (4, 5)
EASY = (6, 7)
VERBATIMS = 3  # quotes per theme at most
DRIVER_MINIMUM = 20  # pairs below which a rank correlation is not shown


def _months(period: periods.Period) -> list[str]:
    return [str(m) for m in period.months()] if period.kind != "M" else [str(period)]


def _last_twelve_months(period: periods.Period) -> list[str]:
    """The twelve months ending with the period's last, oldest first."""
    month = period.months()[-1] if period.kind != "M" else period
    months = []
    for _ in range(12):
        months.append(str(month))
        month = month.previous()
    return months[::-1]


def a_year_before(period: periods.Period) -> periods.Period:
    return dataclasses.replace(period, year=period.year - 1)


def _responses(service, unit, period: periods.Period | None = None, months=None):
    """The client-survey responses of the service (under the unit) in the period's months."""
    responses = Response.objects.filter(
        service=service,
        period__in=months if months is not None else _months(period),
        survey_version__survey__kind=feedback.Survey.Kind.CLIENT,
    )
    if unit is not None:
        responses = responses.filter(unit__path__startswith=unit.path)
    return responses


def _invitations(service, unit, period: periods.Period):
    invitations = Invitation.objects.filter(
        survey__service=service,
        survey__kind=feedback.Survey.Kind.CLIENT,
        episode__closed__gte=period.start,
        episode__closed__lte=period.end,
    )
    if unit is not None:
        invitations = invitations.filter(episode__unit__path__startswith=unit.path)
    return invitations


def _answers(responses) -> dict[int, dict[str, float]]:
    """{response id: {question code: ordinal value}} of the rated questions."""
    table: dict[int, dict[str, float]] = {}
    options: dict[int, list[str]] = {}
    rows = (
        Answer.objects.filter(response__in=responses)
        .exclude(question__type__in=(Question.Type.TEXT, Question.Type.MULTIPLE))
        .filter(question__contact_if="")
        .order_by("response_id", "question_id")
        .values_list("response_id", "question_id", "question__code", "value", "choices")
    )
    for response_id, question_id, code, value, choices in rows.iterator(chunk_size=5000):
        if value is not None:
            table.setdefault(response_id, {})[code] = float(value)
            continue
        chosen = choices[0] if isinstance(choices, list) and choices else choices
        if not isinstance(chosen, str) or chosen in NOT_RATED:
            continue
        if question_id not in options:
            question = Question.objects.get(pk=question_id)
            options[question_id] = [c for c in question.codes() if c not in NOT_RATED]
        rated = options[question_id]
        if chosen in rated:
            table.setdefault(response_id, {})[code] = float(len(rated) - 1 - rated.index(chosen))
    return table


def _codes_of(responses, kind: str) -> list[str]:
    """The codes of the questions of `kind` asked in these responses (first: most answered)."""
    counts = Counter(
        Answer.objects.filter(response__in=responses, question__type=kind).values_list(
            "question__code", flat=True
        )
    )
    return [code for code, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _scores(table, code: str | None) -> list[int]:
    if code is None:
        return []
    return [int(row[code]) for _, row in sorted(table.items()) if code in row]


def measures(service, unit, period: periods.Period) -> dict:
    """Counts and estimates of one period (no comparisons)."""
    responses = _responses(service, unit, period)
    invitations = _invitations(service, unit, period)
    sent = invitations.count()
    used = invitations.filter(used_at__isnull=False).count()
    table = _answers(responses)
    codes = {kind: (_codes_of(responses, kind) or [None])[0] for kind in Question.SCALES}
    csat = _scores(table, codes[Question.Type.SATISFACTION5])
    nps = _scores(table, codes[Question.Type.NPS10])
    effort = _scores(table, codes[Question.Type.EFFORT7])
    total = responses.count()
    result = {
        "period": str(period),
        "responses": total,
        "invitations": sent,
        "invited_responses": used,
        "other_responses": max(total - used, 0),
        "response_rate": share(used, sent) if sent >= MINIMUM_N else {"n": sent, "value": None},
        "questions": {str(kind): code for kind, code in codes.items()},
        "csat": _shown(csat, lambda s: estimate(stats.top_box_share(s, top=CSAT_TOP))),
        "csat_count": sum(1 for s in csat if s in CSAT_TOP),
        "nps": _shown(nps, lambda s: estimate(stats.nps(s))),
        "promoters": sum(1 for s in nps if s >= 9),
        "effort": _shown(effort, lambda s: estimate(stats.mean_interval(s))),
        "easy": _shown(effort, lambda s: estimate(stats.top_box_share(s, top=EASY))),
        "easy_count": sum(1 for s in effort if s in EASY),
        "counts": {"csat": len(csat), "nps": len(nps), "effort": len(effort)},
    }
    result["drivers"] = _drivers(table, codes[Question.Type.SATISFACTION5])
    return result


def _shown(scores: list[int], compute) -> dict:
    if len(scores) < MINIMUM_N:
        return {"value": None, "low": None, "high": None, "n": len(scores), "small": True}
    return compute(scores)


def _drivers(table, overall: str | None) -> list[dict]:
    """Spearman's rank correlation of every other rated question with overall satisfaction,
    strongest first; questions with fewer than DRIVER_MINIMUM pairs are left out."""
    if overall is None:
        return []
    others = sorted({code for row in table.values() for code in row} - {overall})
    drivers = []
    for code in others:
        x, y = [], []
        for _, row in sorted(table.items()):
            if code in row and overall in row:
                x.append(row[code])
                y.append(row[overall])
        if len(x) < DRIVER_MINIMUM or len(set(x)) < 2 or len(set(y)) < 2:
            continue
        rho = stats.spearman_interval(x, y)
        drivers.append({"question": code, **estimate(rho)})
    drivers.sort(
        key=lambda d: (-(abs(d["value"]) if d["value"] is not None else -1), d["question"])
    )
    return drivers


COMPARED = (
    ("response_rate", "invited_responses", "invitations"),
    ("csat", "csat_count", ("counts", "csat")),
    ("promoters", "promoters", ("counts", "nps")),
    ("easy", "easy_count", ("counts", "effort")),
)


def _n(measure: dict, key) -> int:
    return measure[key[0]][key[1]] if isinstance(key, tuple) else measure[key]


def comparisons(now: dict, then: dict, label: str) -> list[dict]:
    """Two-proportion tests of the shares of `now` against `then` (both n ≥ MINIMUM_N)."""
    tests = []
    for name, count, total in COMPARED:
        n1, n2 = _n(now, total), _n(then, total)
        if n1 < MINIMUM_N or n2 < MINIMUM_N:
            continue
        x1, x2 = now[count], then[count]
        test = stats.two_proportion_test(x1, n1, x2, n2)
        tests.append(
            {
                "measure": name,
                "against": label,
                "period": then["period"],
                "difference": r(100 * test.difference),
                "low": r(100 * test.low),
                "high": r(100 * test.high),
                "p": r(test.p_value),
                "raw_p": test.p_value,
            }
        )
    return tests


def themes(service, unit, period: periods.Period) -> dict:
    """What the feedback coder made of the period's items: theme and sentiment shares, the
    sentiment of each of the last twelve months, and the verbatims the analyst chose.

    A verbatim is an item's redacted text, marked "quote in reports" by the analyst (never
    one whose redaction failed), listed under each of its themes, at most `VERBATIMS`
    different texts per theme. Shares need `MINIMUM_N` items (a month of the trend too)."""
    items = FeedbackItem.objects.filter(response__in=_responses(service, unit, period))
    counts: Counter = Counter()
    sentiment: Counter = Counter()
    total = 0
    for item_themes, item_sentiment in items.order_by("pk").values_list("themes", "sentiment"):
        total += 1
        counts.update(sorted(set(item_themes or [])))
        sentiment[str(item_sentiment or "")] += 1
    enough = total >= MINIMUM_N
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "available": FeedbackItem.objects.filter(service=service).exists(),
        "items": total,
        "themes": [{"theme": theme, **share(count, total)} for theme, count in ranked]
        if enough
        else [],
        "sentiment": [
            {"sentiment": name, **share(count, total)} for name, count in sorted(sentiment.items())
        ]
        if enough
        else [],
        "sentiment_trend": _sentiment_trend(service, unit, period),
        "verbatims": _verbatims(items, [theme for theme, _ in ranked]),
    }


def _sentiment_trend(service, unit, period: periods.Period) -> list[dict]:
    """Per month of the twelve ending with the period: the share of each sentiment."""
    months = _last_twelve_months(period)
    by_month: dict[str, Counter] = {m: Counter() for m in months}
    rows = FeedbackItem.objects.filter(
        response__in=_responses(service, unit, months=months)
    ).values_list("response__period", "sentiment")
    for month, item_sentiment in rows.order_by("pk"):
        by_month[month][str(item_sentiment or "")] += 1
    trend = []
    for month in months:
        n = sum(by_month[month].values())
        trend.append(
            {
                "period": month,
                "n": n,
                "shares": {
                    name: share(by_month[month][name], n) for name in sorted(Sentiment.values)
                }
                if n >= MINIMUM_N
                else {},
            }
        )
    return trend


def _verbatims(items, ranked_themes: list[str]) -> list[dict]:
    quoted = list(
        items.filter(quoted=True, needs_review=False)
        .exclude(text="")
        .order_by("received_on", "pk")
        .values("pk", "text", "themes", "language")
    )
    verbatims = []
    for theme in ranked_themes:
        texts, seen = [], set()
        for quote in quoted:  # the earliest of each text: the same words are quoted once
            if theme in (quote["themes"] or []) and quote["text"] not in seen:
                seen.add(quote["text"])
                texts.append(quote)
        texts = texts[:VERBATIMS]
        if texts:
            verbatims.append({"theme": theme, "quotes": texts})
    return verbatims


def ux_numbers(service, unit, period: str | periods.Period) -> dict:
    """Every number of the user-experience report (see the module docstring)."""
    period = periods.parse(str(period))
    now = measures(service, unit, period)
    previous = measures(service, unit, period.previous())
    last_year = measures(service, unit, a_year_before(period))
    tests = comparisons(now, previous, "previous") + comparisons(now, last_year, "last_year")
    if tests:
        adjusted = stats.holm([t.pop("raw_p") for t in tests])
        for test, p in zip(tests, adjusted, strict=True):
            test["p_holm"] = r(p)
    trend = [measures_csat(service, unit, periods.parse(m)) for m in _last_twelve_months(period)]
    return {
        "service": service.code,
        "unit": unit.code if unit is not None else None,
        "period": str(period),
        "minimum_n": MINIMUM_N,
        "current": now,
        "previous": _brief(previous),
        "last_year": _brief(last_year),
        "tests": tests,
        "trend": trend,
        "themes": themes(service, unit, period),
    }


def _brief(measure: dict) -> dict:
    keys = ("period", "responses", "invitations", "response_rate", "csat", "nps", "effort", "easy")
    return {key: measure[key] for key in keys}


def measures_csat(service, unit, month: periods.Period) -> dict:
    """The CSAT of one month, for the trend."""
    responses = _responses(service, unit, month)
    code = (_codes_of(responses, Question.Type.SATISFACTION5) or [None])[0]
    scores = (
        list(
            Answer.objects.filter(response__in=responses, question__code=code, value__isnull=False)
            .order_by("pk")
            .values_list("value", flat=True)
        )
        if code
        else []
    )
    return {
        "period": str(month),
        "csat": _shown(scores, lambda s: estimate(stats.top_box_share(s, top=CSAT_TOP))),
    }
