"""Charts of metric values: one Vega-Lite spec (built with Altair) for each chart.

The same spec is drawn in the browser by the vendored vega-embed (`seire/static/seire/
charts.js` reads it from a `<script type="application/json">`, so the page needs no inline
script) and turned into SVG on the server by vl-convert for PDFs and for pages read without
JavaScript. Sparklines are small enough to be plain server-rendered SVG (`sparkline_svg`).

Every chart here takes plain values — a list of `ChartPoint` — and imports no models.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

import altair as alt

BRAND = "#0b4f9c"  # --c-link in seire.css
TARGET = "#1d6b3a"  # --c-success
MUTED = "#4f5863"  # --c-muted
TEXT = "#1b1f24"  # --c-text
GRID = "#e3e7ec"

# d3-format locales: Estonian and Russian write a decimal comma and group with a no-break
# space; vl-convert does not know "et-EE" by name, so the locales are spelt out here.
_COMMA = {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0€"]}
FORMAT_LOCALES = {
    "et": _COMMA,
    "ru": _COMMA,
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}

CONFIG = {
    "font": "DejaVu Sans, Verdana, sans-serif",
    "view": {"stroke": None},
    "axis": {
        "labelColor": MUTED,
        "titleColor": TEXT,
        "labelFontSize": 13,
        "titleFontSize": 13,
        "titleFontWeight": "normal",
        "domainColor": MUTED,
        "tickColor": MUTED,
        "gridColor": GRID,
    },
    "legend": {"labelColor": TEXT, "labelFontSize": 12, "titleFontSize": 12},
}


@dataclass(frozen=True)
class ChartPoint:
    """One period of a series as a chart draws it. `label` is the period in words;
    `value` is None where there is none or n is too small (`small_n`); `shown` is the value
    as the page writes it (for the tooltip)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    small_n: bool = False
    shown: str = ""


def format_locale(lang: str) -> dict:
    return FORMAT_LOCALES.get(lang, FORMAT_LOCALES["en"])


def time_series(
    points: Sequence[ChartPoint],
    *,
    description: str,
    axis_title: str,
    target: float | None = None,
    target_label: str = "",
    width: int | str = "container",
    height: int = 240,
) -> dict:
    """The Vega-Lite spec of a line over the periods, with the 95 % interval as a band where
    the points have one, a dashed line at the target, and open circles (no line) for the
    periods whose n is too small. `description` becomes the chart's accessible name."""
    rows = [
        {
            "order": i,
            "period": p.label,
            "value": None if p.small_n else p.value,
            "small": p.value if p.small_n else None,
            "low": p.low,
            "high": p.high,
            "tip": f"{p.label}: {p.shown}" if p.shown else p.label,
        }
        for i, p in enumerate(points)
    ]
    data = alt.Data(values=rows)
    labels = [p.label for p in points]
    x = alt.X("period:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=120))
    y_scale = alt.Scale(zero=False, nice=True)
    tooltip = alt.Tooltip("tip:N")  # one string: the tooltip shows it without a key
    layers = []
    if any(p.low is not None and p.high is not None for p in points):
        layers.append(
            alt.Chart(data)
            .mark_area(color=BRAND, opacity=0.15)
            .encode(x=x, y=alt.Y("low:Q", scale=y_scale, title=axis_title), y2="high:Q")
        )
    layers.append(
        alt.Chart(data)
        .mark_line(color=BRAND, strokeWidth=2.5)
        .encode(x=x, y=alt.Y("value:Q", scale=y_scale, title=axis_title))
    )
    layers.append(
        alt.Chart(data)
        .mark_point(color=BRAND, filled=True, size=55, opacity=1)
        .encode(x=x, y=alt.Y("value:Q", scale=y_scale, title=axis_title), tooltip=tooltip)
    )
    if any(p.small_n and p.value is not None for p in points):
        layers.append(
            alt.Chart(data)
            .mark_point(color=MUTED, filled=False, size=55, strokeWidth=1.5)
            .encode(x=x, y=alt.Y("small:Q", scale=y_scale, title=axis_title), tooltip=tooltip)
        )
    if target is not None:
        rule = alt.Data(values=[{"target": target, "label": target_label}])
        layers.append(
            alt.Chart(rule)
            .mark_rule(color=TARGET, strokeDash=[6, 4], strokeWidth=1.5)
            .encode(y=alt.Y("target:Q", scale=y_scale, title=axis_title))
        )
        layers.append(
            alt.Chart(rule)
            .mark_text(color=TARGET, align="left", baseline="bottom", dx=4, dy=-3, fontSize=13)
            .encode(y=alt.Y("target:Q", scale=y_scale), x=alt.value(0), text="label:N")
        )
    chart = alt.layer(*layers).properties(
        width=width, height=height, description=description, autosize={"type": "fit-x"}
    )
    spec = chart.to_dict()
    spec["config"] = {**spec.get("config", {}), **CONFIG}
    return spec


def to_svg(spec: dict, lang: str) -> str:
    """The chart drawn as SVG by vl-convert (no network: the data is in the spec). A spec
    sized to its container gets a fixed width first: there is no container on a server."""
    import vl_convert

    if spec.get("width") == "container":
        spec = {**spec, "width": 640}
    return vl_convert.vegalite_to_svg(spec, allowed_base_urls=[], format_locale=format_locale(lang))


def sparkline_svg(
    values: Sequence[float | None],
    *,
    label: str,
    target: float | None = None,
    width: int = 104,
    height: int = 28,
) -> str:
    """A small line of `values` (None leaves a gap) as inline SVG, with the last value as a
    dot and the target as a dashed line when it lies near the values. `label` is read out
    by screen readers in place of the drawing."""
    known = [v for v in values if v is not None]
    title = f"<title>{escape(label)}</title>"
    head = (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">{title}'
    )
    if not known:
        return head + "</svg>"
    low, high = min(known), max(known)
    show_target = target is not None and _near(target, low, high)
    if show_target:
        low, high = min(low, target), max(high, target)
    pad = 3
    span = (high - low) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        if high == low:
            return height / 2
        return round(height - pad - (v - low) / span * (height - 2 * pad), 1)

    parts = []
    if show_target:
        ty = y(target)
        parts.append(
            f'<line x1="0" x2="{width}" y1="{ty}" y2="{ty}" stroke="{TARGET}" '
            'stroke-width="1" stroke-dasharray="3 2"/>'
        )
    segment: list[str] = []
    segments = []
    for i, v in enumerate(values):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{round(pad + i * step, 1)},{y(v)}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) == 1:
            cx, cy = seg[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.5" fill="{BRAND}"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{BRAND}" '
                'stroke-width="1.75" stroke-linejoin="round" stroke-linecap="round"/>'
            )
    last = next((i for i in range(len(values) - 1, -1, -1) if values[i] is not None), None)
    if last is not None:
        parts.append(
            f'<circle cx="{round(pad + last * step, 1)}" cy="{y(values[last])}" r="2.75" '
            f'fill="{BRAND}"/>'
        )
    return head + "".join(parts) + "</svg>"


def _near(target: float, low: float, high: float) -> bool:
    """Whether drawing the target would still leave the values readable: it lies within
    the values' range widened by that range once on each side."""
    span = (high - low) or abs(high) or 1
    return low - span <= target <= high + span


def as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)
