"""Charts of the evaluation reports as Vega-Lite specs (Altair): interval plots and stacked
reliable-change bars. Drawn in the page by the vendored vega-embed (`seire/charts.js`) and as
SVG in PDFs by vl-convert (`seire.metrics.charts.to_svg`). Plain values in, no models."""

import altair as alt

from seire.metrics.charts import BRAND, CONFIG, MUTED, TEXT

CLASS_COLOURS = {"improved": "#1d6b3a", "unchanged": "#8a939c", "deteriorated": "#b3261e"}


def _finish(chart, description: str, width, height: int) -> dict:
    spec = chart.properties(width=width, height=height, description=description).to_dict()
    spec["config"] = {**spec.get("config", {}), **CONFIG}
    return spec


def interval_plot(
    rows: list[dict],
    *,
    description: str,
    axis_title: str,
    zero_line: bool = False,
    domain: tuple[float, float] | None = None,
    width: int | str = "container",
) -> dict:
    """One row per estimate: a dot at `value` with a line from `low` to `high`, labelled by
    `label` on the y axis; `tip` is its tooltip. Rows without a value are left out."""
    data = alt.Data(
        values=[
            {
                "label": row["label"],
                "value": row["value"],
                "low": row["low"] if row["low"] is not None else row["value"],
                "high": row["high"] if row["high"] is not None else row["value"],
                "tip": row.get("tip", row["label"]),
            }
            for row in rows
            if row.get("value") is not None
        ]
    )
    order = [row["label"] for row in rows if row.get("value") is not None]
    scale = alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=False, nice=True)
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("low:Q", scale=scale, title=axis_title)
    layers = [
        alt.Chart(data).mark_rule(color=BRAND, strokeWidth=2.5).encode(y=y, x=x, x2="high:Q"),
        alt.Chart(data)
        .mark_point(color=BRAND, filled=True, size=70, opacity=1)
        .encode(
            y=y, x=alt.X("value:Q", scale=scale, title=axis_title), tooltip=alt.Tooltip("tip:N")
        ),
    ]
    if zero_line:
        zero = alt.Data(values=[{"zero": 0}])
        layers.append(
            alt.Chart(zero)
            .mark_rule(color=MUTED, strokeDash=[4, 3])
            .encode(x=alt.X("zero:Q", scale=scale, title=axis_title))
        )
    height = max(40, 34 * len(order))
    return _finish(alt.layer(*layers), description, width, height)


def rci_bars(
    rows: list[dict], *, description: str, labels: dict[str, str], width="container"
) -> dict:
    """Stacked horizontal bars of the reliable-change classes: rows of {"group", "class",
    "share", "tip"} (share in percent); `labels` names the classes in the page's language."""
    data = alt.Data(
        values=[
            {
                **row,
                "class_label": labels[row["class"]],
                "order": list(CLASS_COLOURS).index(row["class"]),
            }
            for row in rows
        ]
    )
    groups = list(dict.fromkeys(row["group"] for row in rows))
    colour = alt.Color(
        "class_label:N",
        title=None,
        sort=[labels[c] for c in CLASS_COLOURS],
        scale=alt.Scale(
            domain=[labels[c] for c in CLASS_COLOURS], range=list(CLASS_COLOURS.values())
        ),
        legend=alt.Legend(orient="bottom", labelColor=TEXT),
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("share:Q", stack="zero", scale=alt.Scale(domain=[0, 100]), title="%"),
            color=colour,
            order=alt.Order("order:Q"),
            tooltip=alt.Tooltip("tip:N"),
        )
    )
    return _finish(chart, description, width, max(40, 34 * len(groups)))
