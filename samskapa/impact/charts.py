"""Line charts as inline SVG, drawn on the server, and the data table that follows each one.

A chart has a line per series (broken where a figure is suppressed), the baseline and the target
as dashed lines with text labels, and axes with ticks. It is an image with a title for screen
readers (role="img", <title>, <desc>); the table after it holds the same figures. Only SVG
attributes and the static CSS: the Content Security Policy forbids inline styles and scripts.
Markup is built with format_html (escaped), not a template per point, so a dashboard with many
charts renders quickly.
"""

import math
from datetime import date
from functools import lru_cache

from django.utils.formats import date_format, get_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 110, 16, 44
LINE = "#1d4ed8"
BASELINE = "#4b5563"
TARGET = "#166534"
INK = "#1f2937"
GRID = "#d1d5db"


def number(value, separator=None) -> str:
    """A figure as people read it: at most two decimals, the locale's decimal separator."""
    if value is None:
        return "–"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", separator or get_format("DECIMAL_SEPARATOR"))


@lru_cache(maxsize=4096)
def _period_label(period: date, language: str) -> str:
    return conditional_escape(date_format(period, "SHORT_DATE_FORMAT"))


def period_label(period: date) -> str:
    """The period's first day in the locale's short format (escaped; cached, as a dashboard
    writes the same few dozen periods many times)."""
    return _period_label(period, get_language())


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values covering low..high."""
    if high == low:
        low, high = low - 1, high + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def line_chart(series, *, chart_id: str):
    """The SVG of one `dashboards.Series`: its points over time, its baseline and target."""
    shown = [p for p in series.points if not p.suppressed]
    title = _("%(name)s over time") % {"name": series.name}
    if not shown:
        return format_html(
            '<p class="chart-empty">{}</p>',
            _("No figures to show yet.")
            if not series.points
            else _("Every figure rests on fewer than 5 people and is not shown."),
        )
    values = [p.value for p in shown]
    extra = [v for v in (series.baseline, series.target) if v is not None]
    ticks = nice_ticks(min(values + extra), max(values + extra))
    low, high = ticks[0], ticks[-1]
    first, last = series.points[0].period, series.points[-1].period
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(period):
        if first == last:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (period - first).days / span

    def y(value):
        return TOP + plot_h * (1 - (value - low) / (high - low))

    # Plain f-strings below: coordinates and figures are numbers, period labels come escaped
    # from the cache, and the only text (the baseline and target labels) is escaped here.
    right = LEFT + plot_w
    bottom = TOP + plot_h
    language = get_language()
    separator = get_format("DECIMAL_SEPARATOR")
    parts = []
    # The y axis: grid lines and tick labels.
    for tick in ticks:
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{right}" y2="{ty:.1f}" stroke="{GRID}" '
            f'stroke-width="1"/><text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="{INK}">{number(tick, separator)}</text>'
        )
    # The x axis: at most 6 period labels.
    periods = [p.period for p in series.points]
    step = max(1, math.ceil(len(periods) / 6))
    parts.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}" '
        'stroke-width="1"/>'
    )
    for period in periods[::step]:
        px = x(period)
        parts.append(
            f'<line x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" y2="{bottom + 5}" stroke="{INK}"/>'
            f'<text x="{px:.1f}" y="{bottom + 20}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{_period_label(period, language)}</text>'
        )
    # Baseline and target: dashed, labelled at the right end.
    for value, colour, label in (
        (series.baseline, BASELINE, _("Baseline %(value)s")),
        (series.target, TARGET, _("Target %(value)s")),
    ):
        if value is None:
            continue
        ly = y(value)
        text = conditional_escape(label % {"value": number(value)})
        parts.append(
            f'<line x1="{LEFT}" y1="{ly:.1f}" x2="{right}" y2="{ly:.1f}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="6 4"/><text x="{right + 6}" y="{ly + 4:.1f}" '
            f'font-size="12" fill="{colour}">{text}</text>'
        )
    # The line, broken where a figure is suppressed.
    segments, current = [], []
    for point in series.points:
        if point.suppressed:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(point)
    if current:
        segments.append(current)
    for segment in segments:
        if len(segment) > 1:
            coordinates = " ".join(f"{x(p.period):.1f},{y(p.value):.1f}" for p in segment)
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{LINE}" stroke-width="2.5"/>'
            )
    if len(shown) <= 60:
        parts.append(
            "".join(
                f'<circle cx="{x(p.period):.1f}" cy="{y(p.value):.1f}" r="3" fill="{LINE}"/>'
                for p in shown
            )
        )
    description = _(
        "%(count)d figures from %(first)s to %(last)s, in %(unit)s. The table below holds them."
    ) % {
        "count": len(shown),
        "first": period_label(first),
        "last": period_label(last),
        "unit": series.unit,
    }
    return format_html(
        '<svg class="impact-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe("".join(parts)),  # noqa: S308 — each part built with format_html
    )


def data_table(series, *, caption: str):
    """The chart's figures as a table: period, value (or "fewer than 5"), people, and for an
    average across environments, how many environments it rests on."""
    fewer = _("fewer than 5")
    head = [_("Period"), _("Value (%(unit)s)") % {"unit": series.unit}, _("Number of people")]
    if series.aggregated:
        head.append(_("Test environments"))

    fewer = conditional_escape(fewer)
    separator = conditional_escape(get_format("DECIMAL_SEPARATOR"))
    language = get_language()
    rows = []
    # Plain f-strings: every piece is a number, a cached escaped label or escaped text.
    for point in series.points:
        if point.value is None:
            cells = f"<td>{fewer}</td><td>{fewer}</td>"
        else:
            people = "–" if point.respondents is None else point.respondents
            cells = f"<td>{number(point.value, separator)}</td><td>{people}</td>"
        if series.aggregated:
            cells += f"<td>{'–' if point.environments is None else point.environments}</td>"
        label = _period_label(point.period, language)
        rows.append(f'<tr><th scope="row">{label}</th>{cells}</tr>')
    body = mark_safe("".join(rows))  # noqa: S308 — built from escaped parts
    if not series.points:
        body = format_html('<tr><td colspan="{}">{}</td></tr>', len(head), _("No figures yet."))
    return format_html(
        '<table class="impact-table"><caption>{}</caption><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        caption,
        format_html_join("", '<th scope="col">{}</th>', ((h,) for h in head)),
        body,
    )
