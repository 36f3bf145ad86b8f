"""Template helpers of the change-proposal pages: numbers as the backtest shows them."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import get_language

from seire import periods

register = template.Library()


def _plain(value: Decimal, places: int) -> str:
    """`value` rounded to `places` decimals, trailing zeros dropped, in the active locale."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return formats.number_format(Decimal(text), use_l10n=True)


@register.filter
def number(value, places: int = 2) -> str:
    """75.0000 → "75", 66.6667 → "66,67" (in Estonian); None → "—"."""
    if value in (None, ""):
        return "—"
    return _plain(Decimal(value), places)


@register.filter
def signed(value, places: int = 2) -> str:
    """A difference with its sign: "+2", "−1,5", "0"; None → "—"."""
    if value in (None, ""):
        return "—"
    value = Decimal(value)
    text = _plain(abs(value), places)
    if text in ("0", "0,0", "0.0"):
        return "0"
    return ("+" if value > 0 else "−") + text


@register.filter
def period_label(code: str) -> str:
    """ "2026Q1" → "2026 I kvartal" / "Q1 2026" in the active language."""
    return periods.parse(code).label((get_language() or "et")[:2])
