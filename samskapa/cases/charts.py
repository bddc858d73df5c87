"""The tornado chart of a case's sensitivity, drawn server-side as SVG geometry.

One bar per outcome × parameter, from the lowest to the highest ratio its variations give,
sorted by swing (widest first), around a line at the case's own ratio and one at 1.0. The
template draws the rectangles with SVG attributes only (the CSP forbids inline styles).
"""

from django.utils.translation import gettext_lazy as _

PARAMETER_LABELS = {
    "deadweight": _("deadweight"),
    "attribution": _("attribution"),
    "drop_off": _("drop-off"),
    "proxy_value": _("proxy"),
}

WIDTH = 720
LABEL_WIDTH = 300
BAR_HEIGHT = 22
GAP = 8
TOP = 30
RIGHT = 20
MAX_BARS = 16


def tornado(results: dict) -> dict:
    rows = sorted(
        results["sensitivity"], key=lambda r: (-r["swing"], r["outcome_index"], r["parameter"])
    )[:MAX_BARS]
    base = results["sroi_ratio"]
    lows = [min(r["ratios"].values()) for r in rows] or [base]
    highs = [max(r["ratios"].values()) for r in rows] or [base]
    low = min([*lows, base, 1.0, 0.0])
    high = max([*highs, base, 1.0])
    span = (high - low) or 1.0
    plot = WIDTH - LABEL_WIDTH - RIGHT

    def x(value):
        return LABEL_WIDTH + (value - low) / span * plot

    bars = []
    for i, (row, lo, hi) in enumerate(zip(rows, lows, highs, strict=True)):
        y = TOP + i * (BAR_HEIGHT + GAP)
        left, right = x(lo), x(hi)
        bars.append(
            {
                "row": row,
                "label": f"{row['outcome'][:40]}: {PARAMETER_LABELS[row['parameter']]}",
                "parameter_label": PARAMETER_LABELS[row["parameter"]],
                "y": round(y, 1),
                "text_y": round(y + BAR_HEIGHT * 0.7, 1),
                "x": round(left, 1),
                "width": round(max(right - left, 1.0), 1),
                "low": lo,
                "high": hi,
            }
        )
    height = TOP + len(bars) * (BAR_HEIGHT + GAP) + 10
    ticks = []
    for value in _ticks(low, high):
        ticks.append({"x": round(x(value), 1), "value": value})
    return {
        "width": WIDTH,
        "height": height,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
        "base_x": round(x(base), 1),
        "one_x": round(x(1.0), 1),
        "axis_bottom": height - 10,
        "ticks": ticks,
        "tick_y": TOP - 12,
    }


def _ticks(low, high, most=6):
    """Round values from low to high, at most `most` of them."""
    import math

    span = high - low
    if span <= 0:
        return [low]
    step = 0.1
    for power in range(-1, 8):
        for factor in (1, 2, 5):
            step = factor * 10**power
            if span / step <= most - 1:
                break
        else:
            continue
        break
    first = math.ceil(low / step - 1e-9)
    return [round(k * step, 6) for k in range(first, math.floor(high / step + 1e-9) + 1)]
