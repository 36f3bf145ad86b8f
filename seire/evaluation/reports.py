"""The template context of the two reports, shared by the pages, the PDFs and `seire report`.

`impact_context(plan, lang)` and `ux_context(service, unit, period, lang)` put the report's
numbers (from `impact` / `ux`), the words for its codes, its charts (spec for the page, SVG
for the PDF) and the data snapshot — what the numbers were computed from — into one dict.
"""

from django.db.models import Max
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from seire import periods
from seire.collection import vocabulary
from seire.collection.models import Assessment, Episode
from seire.evaluation import charts, impact, ux
from seire.evaluation.models import AnalysisPlan
from seire.feedback.models import Invitation, Question, Response
from seire.metrics import charts as metric_charts

LIMITATIONS = {
    "no_comparison_group": gettext_lazy(
        "There is no comparison group: the change shown is the change of the clients who were "
        "measured twice, not the effect of the service. Without knowing how similar people "
        "fare without help, no causal claim can be made."
    ),
    "comparison_not_randomised": gettext_lazy(
        "The difference in differences compares with a comparison group that was not chosen "
        "at random: it is an estimate of the effect only if both groups would have changed "
        "alike without the service."
    ),
    "comparison_group_too_small": gettext_lazy(
        "Some episodes belong to a comparison group, but too few were measured twice to "
        "compare: the change shown is not the effect of the service."
    ),
    "regression_to_the_mean": gettext_lazy(
        "Clients usually come to us at a low point: scores tend to rise afterwards even "
        "without help (regression to the mean), so part of the change would have happened "
        "anyway."
    ),
    "low_completion": gettext_lazy(
        "Fewer than 60 % of the clients measured at intake were measured again: the results "
        "describe those who were, who may differ from those who were not."
    ),
    "attrition_imbalance": gettext_lazy(
        "Those measured again started from a different level than those who were not "
        "(standardised difference 0.2 or more): the change may be biased."
    ),
    "attrition_unchecked": gettext_lazy(
        "Too few clients in one of the two groups to check whether those measured again "
        "differ from those who were not."
    ),
    "no_reliability": gettext_lazy(
        "The instrument has no published reliability: reliable-change classes are not computed."
    ),
    "sd_from_intake": gettext_lazy(
        "No reference SD is set for the instrument: reliable change uses the SD of this "
        "population's own intake scores."
    ),
    "subgroups_suppressed": gettext_lazy(
        "Subgroups with fewer clients than the plan's minimum are not shown; while the hidden "
        "groups together are fewer than the minimum, the next smallest is hidden as well."
    ),
    "subgroups_exploratory": gettext_lazy(
        "Differences between subgroups are exploratory: many groups are compared and the "
        "intervals are not adjusted for it."
    ),
    "self_report": gettext_lazy(
        "The measures are the clients' own answers, often given to the worker who helped them."
    ),
}
RCI_LABELS = {
    "improved": gettext_lazy("improved"),
    "unchanged": gettext_lazy("unchanged"),
    "deteriorated": gettext_lazy("deteriorated"),
}
SUBGROUP_LISTS = {"gender": "gender", "age_group": "age_group", "crime_type": "crime_type"}
MEASURE_LABELS = {
    "response_rate": gettext_lazy("response rate"),
    "csat": gettext_lazy("satisfied (4–5 of 5)"),
    "promoters": gettext_lazy("promoters (9–10)"),
    "easy": gettext_lazy("found it easy (6–7 of 7)"),
}


def language(lang: str | None) -> str:
    return "et" if (lang or "et").startswith("et") else "en"


def _chart(spec: dict, lang: str, chart_id: str) -> dict:
    return {
        "id": chart_id,
        "payload": {"spec": spec, "formatLocale": metric_charts.format_locale(lang)},
        "svg": metric_charts.to_svg(spec, lang),
    }


def snapshot(service=None) -> dict:
    """Record counts and the day of the latest change of the data the report reads."""
    episodes = Episode.objects.all()
    responses = Response.objects.all()
    invitations = Invitation.objects.all()
    if service is not None:
        episodes = episodes.filter(service=service)
        responses = responses.filter(service=service)
        invitations = invitations.filter(survey__service=service)
    stamps = [
        episodes.aggregate(m=Max("imported_at"))["m"],
        responses.aggregate(m=Max("submitted_on"))["m"],
        Assessment.objects.filter(episode__in=episodes).aggregate(m=Max("assessed_on"))["m"],
    ]
    days = [s.date() if hasattr(s, "date") else s for s in stamps if s is not None]
    return {
        "episodes": episodes.count(),
        "assessments": Assessment.objects.filter(episode__in=episodes).count(),
        "invitations": invitations.count(),
        "responses": responses.count(),
        "last_update": max(days).isoformat() if days else None,
    }


def subgroup_label(attribute: str, code: str, lang: str) -> str:
    if code == "unknown":
        return _("not recorded")
    if attribute == "service":
        from seire.organisation.models import Service

        service = Service.objects.filter(code=code).first()
        return service.name if service else code
    return vocabulary.name(SUBGROUP_LISTS[attribute], code, lang)


# -- impact ---------------------------------------------------------------------------------
def impact_context(plan: AnalysisPlan, lang: str, numbers: dict | None = None) -> dict:
    lang = language(lang)
    numbers = impact.impact_numbers(plan) if numbers is None else numbers
    instrument = plan.instrument
    overall = numbers["overall"]
    subgroups = []
    for attribute, entries in numbers["subgroups"].items():
        label = dict(AnalysisPlan.SUBGROUPS)[attribute]
        rows = [{**e, "label": subgroup_label(attribute, e["code"], lang)} for e in entries]
        subgroups.append({"attribute": attribute, "label": label, "rows": rows})
    charts_ = {}
    if overall["shown"]:
        rows = [
            {
                "label": _("All clients"),
                **overall["change"],
                "tip": _("All clients"),
            }
        ]
        for group in subgroups:
            for row in group["rows"]:
                if row["shown"]:
                    rows.append(
                        {
                            "label": f"{group['label']}: {row['label']}",
                            **row["change"],
                            "tip": f"{group['label']}: {row['label']}",
                        }
                    )
        charts_["change"] = _chart(
            charts.interval_plot(
                rows,
                description=_("Mean change with 95 % interval, all clients and subgroups"),
                axis_title=_("mean change (points)"),
                zero_line=True,
            ),
            lang,
            "chart-change",
        )
        if overall["reliable"]:
            bars = []
            groups = [(_("All clients"), overall)] + [
                (f"{g['label']}: {row['label']}", row)
                for g in subgroups
                for row in g["rows"]
                if row["shown"] and row["reliable"]
            ]
            for name, result in groups:
                for klass in impact.RCI_CLASSES:
                    value = result["reliable"][klass]["value"] or 0
                    bars.append(
                        {
                            "group": name,
                            "class": klass,
                            "share": value,
                            "tip": f"{name}: {RCI_LABELS[klass]} {value:.0f} %",
                        }
                    )
            charts_["rci"] = _chart(
                charts.rci_bars(
                    bars,
                    description=_(
                        "Shares of clients reliably improved, unchanged and deteriorated"
                    ),
                    labels={k: str(v) for k, v in RCI_LABELS.items()},
                ),
                lang,
                "chart-rci",
            )
    first, last = periods.parse(plan.first_period), periods.parse(plan.last_period)
    return {
        "kind": "impact",
        "plan": plan,
        "instrument": instrument,
        "numbers": numbers,
        "overall": overall,
        "subgroups": subgroups,
        "cutoff_names": {
            c["code"]: c["name_et"] if lang == "et" else c["name_en"] for c in instrument.cutoffs
        },
        "rci_labels": RCI_LABELS,
        "limitations": [LIMITATIONS[code] for code in numbers["limitations"]],
        "charts": charts_,
        "snapshot": snapshot(plan.service),
        "period_label": f"{first.label(lang)} – {last.label(lang)}",
        "second_label": pgettext("timepoint", "exit")
        if plan.second_timepoint == "exit"
        else pgettext("timepoint", "follow-up"),
        "title": plan.title,
        "definitions": [
            (
                _("Instrument"),
                f"{instrument.code}, " + _("version %(v)s") % {"v": plan.instrument_version},
            ),
            (_("Scoring"), instrument.scoring),
            (_("Reliability"), instrument.reliability_reference),
            (
                _("Analysis plan"),
                _("locked %(when)s")
                % {"when": localtime(plan.locked_at).strftime("%Y-%m-%d %H:%M")}
                if plan.locked_at
                else "—",
            ),
        ],
    }


# -- user experience ------------------------------------------------------------------------
def ux_context(service, unit, period: str, lang: str, numbers: dict | None = None) -> dict:
    lang = language(lang)
    numbers = ux.ux_numbers(service, unit, period) if numbers is None else numbers
    current = numbers["current"]
    texts = _question_texts(service, lang)
    drivers = [{**d, "text": texts.get(d["question"], d["question"])} for d in current["drivers"]]
    tests = [{**t, "label": MEASURE_LABELS[t["measure"]]} for t in numbers["tests"]]
    charts_ = {}
    if drivers:
        charts_["drivers"] = _chart(
            charts.interval_plot(
                [{**d, "label": d["text"][:60]} for d in drivers],
                description=_("Rank correlation of each question with overall satisfaction"),
                axis_title=_("Spearman's rank correlation"),
                zero_line=True,
                domain=(-1, 1),
            ),
            lang,
            "chart-drivers",
        )
    trend = [
        metric_charts.ChartPoint(
            label=periods.parse(m["period"]).label(lang),
            value=m["csat"]["value"],
            low=m["csat"]["low"],
            high=m["csat"]["high"],
        )
        for m in numbers["trend"]
    ]
    if any(p.value is not None for p in trend):
        charts_["trend"] = _chart(
            metric_charts.time_series(
                trend,
                description=_("Satisfied clients by month, with 95 % intervals"),
                axis_title=_("satisfied (%)"),
            ),
            lang,
            "chart-trend",
        )
    p = periods.parse(numbers["period"])
    return {
        "kind": "ux",
        "service": service,
        "unit": unit,
        "numbers": numbers,
        "current": current,
        "previous": numbers["previous"],
        "last_year": numbers["last_year"],
        "tests": tests,
        "many_tests": len(tests) > 1,
        "drivers": drivers,
        "themes": _themes(numbers["themes"], lang),
        "charts": charts_,
        "snapshot": snapshot(service),
        "period_label": p.label(lang),
        "title": service.name + (f" · {unit.name}" if unit is not None else ""),
        "definitions": [
            (_("Satisfied"), _("answers 4 or 5 on the 1–5 satisfaction question")),
            (_("NPS"), _("promoters (9–10) minus detractors (0–6), in points from −100 to 100")),
            (_("Effort"), _("the mean of the 1–7 ease question (7: very easy)")),
            (
                _("Response rate"),
                _("invitations answered ÷ invitations sent after episodes closed in the period"),
            ),
        ],
    }


def _question_texts(service, lang: str) -> dict[str, str]:
    texts = {}
    for question in Question.objects.filter(version__survey__service=service).order_by(
        "version_id", "sort"
    ):
        texts[question.code] = question.text_in(lang)
    return texts


def _themes(themes: dict, lang: str) -> dict:
    """The theme and sentiment rows with their names for the page."""
    from seire.feedback.items import Sentiment

    labels = dict(Sentiment.choices)
    return {
        **themes,
        "themes": [{**t, "label": t["theme"].replace("_", " ")} for t in themes.get("themes", [])],
        "sentiment": [
            {**s, "label": labels.get(s["sentiment"], s["sentiment"])}
            for s in themes.get("sentiment", [])
        ],
        "sentiment_names": [labels[name] for name in sorted(labels)],
        "sentiment_trend": [
            {
                **m,
                "label": periods.parse(m["period"]).label(lang),
                "cells": [m["shares"][name] for name in sorted(labels)] if m["shares"] else [],
            }
            for m in themes.get("sentiment_trend", [])
        ],
        "verbatims": [
            {**v, "label": v["theme"].replace("_", " ")} for v in themes.get("verbatims", [])
        ],
    }
