"""Template helpers of the evaluation reports."""

from django import template

from seire.metrics.templatetags.proposal_tags import number

register = template.Library()


@register.filter
def p_value(value) -> str:
    """A p-value as reports write it: "0,032", "< 0,0001" (never "0"); None → "—"."""
    if value in (None, ""):
        return "—"
    if float(value) < 0.0001:
        return "< " + number(0.0001, 4)
    return number(value, 4 if float(value) < 0.001 else 3)


@register.filter
def bound(value, places: int = 1) -> str:
    """An interval bound: like `number`, with a true minus sign ("−13")."""
    return number(value, places).replace("-", "\u2212")
