"""Passports, the metric handbook and the data-collection guides: pages and PDFs.

Every staff member may read them (they describe definitions, not data). They are always
rendered from the current definitions and say which version, of which date, they describe.
A PDF is the same template laid out for print (`seire.pdf`), asked for with a `/pdf/` URL or
`?format=pdf`. Content follows the UI language: Estonian, otherwise English (definitions
have Estonian and English texts).
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from seire import periods
from seire.access.roles import scope_for
from seire.collection.expressions import BinOp, ExpressionError, Neg, Num, Ref, parse
from seire.collection.models import DataElement, Dataset, OptionCombo, ValidationRule
from seire.collection.validation import HISTORY, MIN_COUNT
from seire.metrics.models import Metric, MetricValue, MetricVersion
from seire.metrics.passport import (
    date_phrase,
    describe_side,
    field_label,
    language,
    plain_definition,
    source_noun,
)


def _staff(request: HttpRequest) -> None:
    """Passports and guides are for every staff member; others get 403."""
    if not scope_for(request.user).is_staff_member:
        raise PermissionDenied


def _respond(request, template: str, context: dict, pdf: bool, filename: str) -> HttpResponse:
    if pdf or request.GET.get("format") == "pdf":
        # Imported here: WeasyPrint loads Pango, which only the PDFs need.
        from seire.pdf import render_pdf

        response = HttpResponse(render_pdf(template, context, request), "application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
    return render(request, template, context)


def _local(obj, field: str) -> str:
    return getattr(obj, f"{field}_{language(None)}")


# -- passports -------------------------------------------------------------------------------
@dataclass
class Side:
    role: str
    text: str
    source: str
    date: str


@dataclass
class Passport:
    """What a passport page shows of one metric version (see DESIGN.md, the passport)."""

    metric: Metric
    version: MetricVersion | None
    versions: list
    definition: str = ""
    sides: tuple[Side, ...] = ()
    formula: str = ""
    over_units: str = ""
    over_periods: str = ""
    breakdowns: tuple[str, ...] = ()
    baseline: MetricValue | None = None

    @property
    def sources(self) -> list[str]:
        """The records behind the metric, each once: "episodes (opened in the period)"."""
        seen = [f"{s.source} ({s.date})" if s.date else s.source for s in self.sides]
        return list(dict.fromkeys(seen))

    @property
    def unit(self) -> str:
        """What the values are in: "%" for a percent, else the metric's unit."""
        if self.version and self.version.type == "percent":
            return "%"
        return _local(self.metric, "unit")

    @property
    def baseline_period(self) -> str:
        return _period_label(self.baseline.period) if self.baseline else ""

    @property
    def methodology(self) -> str:
        return _local(self.version, "methodology") if self.version else ""

    @property
    def limitations(self) -> str:
        return _local(self.version, "limitations") if self.version else ""

    @property
    def data_quality(self) -> str:
        return _local(self.version, "data_quality") if self.version else ""


def build_passport(metric: Metric, version: MetricVersion | None = None) -> Passport:
    """The passport of `version` (default: the metric's newest) with its change log."""
    lang = language(None)
    versions = sorted(metric.versions.all(), key=lambda v: v.version, reverse=True)
    for v in [*versions, version] if version else versions:
        v.definition = plain_definition(v, lang)
        v.effective_label = _period_label(v.effective_from)
    version = version or (versions[0] if versions else None)
    if version is None:
        return Passport(metric, None, versions)
    sides = [Side(_("Numerator"), *_side(version.numerator, lang))]
    if version.denominator:
        sides.append(Side(_("Denominator"), *_side(version.denominator, lang)))
    return Passport(
        metric,
        version,
        versions,
        definition=plain_definition(version, lang),
        sides=tuple(sides),
        formula=_formula(version),
        over_units=_over_units(version),
        over_periods=_over_periods(version, lang),
        breakdowns=tuple(_breakdown_label(b, lang) for b in version.breakdowns or []),
        baseline=_baseline(version),
    )


def _period_label(code: str) -> str:
    """ "2026Q1" → "2026 I kvartal" / "Q1 2026" / "I квартал 2026" (the UI language)."""
    ui = (get_language() or "et")[:2]
    try:
        return periods.parse(code).label(ui if ui in ("et", "en", "ru") else "en") if code else ""
    except periods.PeriodError:
        return code


def _side(side: dict, lang: str) -> tuple[str, str, str]:
    """(the side in words, the records it counts, the date that puts them in a period)."""
    if side.get("source") == "population":
        return describe_side(side, lang), _("population"), ""
    source, date_name = side.get("source", ""), side.get("date", "")
    when = date_phrase(source, date_name, lang) if date_name else ""
    return describe_side(side, lang), source_noun(source, lang), when


def _formula(version: MetricVersion) -> str:
    return {
        "count": _("numerator"),
        "sum": _("numerator"),
        "percent": _("numerator ÷ denominator × 100"),
        "ratio": _("numerator ÷ denominator"),
        "mean": _("the mean over the records counted"),
        "median": _("the median over the records counted"),
        "rate_per_100k": _("numerator ÷ population × 100 000"),
    }.get(version.type, version.type)


def _over_units(version: MetricVersion) -> str:
    measure = (version.numerator or {}).get("measure", "count")
    if measure == "distinct":
        return _(
            "A unit's value counts the records of the unit and of every unit under it; a "
            "client seen at several units counts once at each level above them."
        )
    if version.type in ("mean", "median"):
        return _(
            "A unit's value is computed over all records of the unit and of the units under "
            "it, not averaged from the units' values."
        )
    if version.type in ("percent", "ratio", "rate_per_100k"):
        return _(
            "Numerator and denominator are added up over the unit and every unit under it "
            "first, then divided: a county's value is not an average of its units' values."
        )
    return _("A unit's value adds up the records of the unit and of every unit under it.")


def _over_periods(version: MetricVersion, lang: str) -> str:
    side = version.numerator or {}
    when = date_phrase(side.get("source", ""), side.get("date", ""), lang)
    return _(
        "Computed %(frequency)s: a record belongs to the period of its date (%(when)s). "
        "A quarter or year is computed from all its records, not from the months' values."
    ) % {"frequency": version.get_frequency_display(), "when": when}


def _breakdown_label(name: str, lang: str) -> str:
    levels = {"region": _("region"), "county": _("county"), "unit": _("unit")}
    return levels.get(name) or field_label(name, lang)


def _baseline(version: MetricVersion) -> MetricValue | None:
    """The first computed value for the whole country (the tree's root), or None."""
    return (
        MetricValue.objects.filter(version=version, breakdown="", unit__parent__isnull=True)
        .select_related("unit")
        .order_by("period")
        .first()
    )


def _metrics():
    return Metric.objects.select_related("service").prefetch_related(
        "versions__created_by", Prefetch("related", Metric.objects.order_by("code"))
    )


@require_GET
@login_required
def passport(request: HttpRequest, code: str, pdf: bool = False) -> HttpResponse:
    """The passport of a metric: its newest version, or `?version=N`."""
    _staff(request)
    metric = get_object_or_404(_metrics(), code=code)
    version = None
    if request.GET.get("version"):
        try:
            version = metric.versions.get(version=int(request.GET["version"]))
        except (ValueError, MetricVersion.DoesNotExist):
            raise Http404(_("No such version of this metric.")) from None
    sheet = build_passport(metric, version)
    return _respond(
        request,
        "metrics/docs/passport.html",
        {"passport": sheet, "today": timezone.localdate()},
        pdf,
        f"{metric.code}-passport.pdf",
    )


@require_GET
@login_required
def handbook(request: HttpRequest, pdf: bool = False) -> HttpResponse:
    """Every metric's passport, with a table of contents."""
    _staff(request)
    passports = [build_passport(m) for m in _metrics().order_by("code")]
    context = {"passports": passports, "today": timezone.localdate()}
    return _respond(request, "metrics/docs/handbook.html", context, pdf, "metric-handbook.pdf")


# -- data-collection guides ---------------------------------------------------------------
@dataclass
class RuleInWords:
    rule: ValidationRule
    text: str


def describe_expression(text: str, names: dict, lang: str) -> str:
    """An expression with element names: "New clients (Women) + New clients (Men)"."""
    try:
        tree = parse(text)
    except ExpressionError:
        return text
    return _expression(tree, names, lang)


SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷"}
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _expression(node, names: dict, lang: str) -> str:
    if isinstance(node, Num):
        value = f"{node.value.normalize():f}"
        return value.replace(".", ",") if lang == "et" else value
    if isinstance(node, Ref):
        element, columns = names.get(node.code, (node.code, {}))
        if not node.options:
            return element
        return f"{element} ({', '.join(columns.get(o, o) for o in node.options)})"
    if isinstance(node, Neg):
        operand = _expression(node.operand, names, lang)
        return f"−({operand})" if isinstance(node.operand, BinOp) else f"−{operand}"
    left = _operand(node.left, node, names, lang, right=False)
    right = _operand(node.right, node, names, lang, right=True)
    return f"{left} {SYMBOLS[node.op]} {right}"


def _operand(child, parent: BinOp, names: dict, lang: str, right: bool) -> str:
    """A side of `parent`, bracketed where the order of operations needs it."""
    text = _expression(child, names, lang)
    if not isinstance(child, BinOp):
        return text
    looser = PRECEDENCE[child.op] < PRECEDENCE[parent.op]
    same_on_right = right and PRECEDENCE[child.op] == PRECEDENCE[parent.op] and parent.op in "-/"
    return f"({text})" if looser or same_on_right else text


def _names(dataset: Dataset, lang: str) -> dict:
    """element code → (name, {option or column code: name}) for the dataset's elements."""
    names = {}
    for element in dataset.elements.all():
        columns = {}
        for combo in element.disaggregation.combos.all():
            columns[combo.code] = getattr(combo, f"name_{lang}")
            for option in combo.options.all():
                columns.setdefault(option.code, getattr(option, f"name_{lang}"))
        names[element.code] = (getattr(element, f"name_{lang}"), columns)
    return names


def rule_in_words(rule: ValidationRule, names: dict, lang: str) -> str:
    left = describe_expression(rule.left, names, lang)
    if rule.kind == ValidationRule.Kind.OUTLIER:
        return _(
            "%(left)s is compared with the unit's previous %(history)s periods: a value more "
            "than %(z)s modified z-scores from their median is flagged. Values below "
            "%(minimum)s are never flagged."
        ) % {"left": left, "history": HISTORY, "z": rule.right or "3.5", "minimum": MIN_COUNT}
    verbs = {
        "==": _("must equal"),
        "!=": _("must differ from"),
        "<=": _("must be at most"),
        "<": _("must be less than"),
        ">=": _("must be at least"),
        ">": _("must be more than"),
    }
    right = describe_expression(rule.right, names, lang)
    return f"{left} {verbs.get(rule.operator, rule.operator)} {right}"


def ordinal(n: int) -> str:
    """10 → "10th" in English, "10." in Estonian."""
    if language(None) == "et":
        return f"{n}."
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def build_guide(dataset: Dataset, today: date) -> dict:
    lang = language(None)
    names = _names(dataset, lang)
    example = periods.period_of(today, dataset.period_type).previous()
    disaggregations = {e.disaggregation_id: e.disaggregation for e in dataset.elements.all()}
    return {
        "dataset": dataset,
        "description": _local(dataset, "description"),
        "elements": dataset.elements.all(),
        "disaggregations": list(disaggregations.values()),
        "rules": [RuleInWords(r, rule_in_words(r, names, lang)) for r in dataset.rules.all()],
        "due_day": ordinal(dataset.deadline_days),
        "example": {
            "period": _period_label(str(example)),
            "due": dataset.deadline(example),
            "locks": dataset.locks_on(example),
        },
        "today": today,
    }


def _datasets():
    combos = Prefetch(
        "disaggregation__combos",
        OptionCombo.objects.prefetch_related("options", "options__category"),
    )
    elements = DataElement.objects.select_related("disaggregation").prefetch_related(
        combos, "disaggregation__categories"
    )
    return Dataset.objects.select_related("service").prefetch_related(
        Prefetch("elements", elements), "rules"
    )


@require_GET
@login_required
def guide(request: HttpRequest, code: str, pdf: bool = False) -> HttpResponse:
    """The data-collection guide of a statistics table."""
    _staff(request)
    dataset = get_object_or_404(_datasets(), code=code)
    context = build_guide(dataset, timezone.localdate())
    return _respond(request, "collection/guide.html", context, pdf, f"{dataset.code}-guide.pdf")


@require_GET
@login_required
def guide_list(request: HttpRequest) -> HttpResponse:
    """The statistics tables, each with its guide."""
    _staff(request)
    datasets = Dataset.objects.select_related("service").order_by("service__code", "code")
    return render(request, "collection/guide_list.html", {"datasets": datasets})
