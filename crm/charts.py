"""Server-rendered SVG charts for the dashboards (SPEC §8). No JavaScript and no asset from
outside: the markup is built here and styled by static/css/app.css, so an intranet page
shows the same chart as a printout. Values are escaped; labels are the caller's strings."""

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2"]


def _nice_max(value: float) -> float:
    """The top of the axis: four equal whole steps of a round size (…, 40, 50, 60, 80, …)."""
    if value <= 4:
        return 4
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * magnitude
        if step >= raw:
            break
    return math.ceil(step) * 4


def _fmt(value) -> str:
    number = float(value)
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}"


def _frame(series, title, width, height, left, right, top, plot_h) -> tuple[float, list[str]]:
    """The opening of the SVG with its title and the horizontal grid with axis labels."""
    peak = _nice_max(max((float(v) for _, values in series for v in values), default=0))
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_fmt(peak * i / 4)}</text>"
        )
    return peak, parts


def bar_chart(
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Grouped vertical bars: one group per label, one bar per series, with a legend."""
    left, right, top, bottom = 44, 8, 24, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak, parts = _frame(series, title, width, height, left, right, top, plot_h)
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    bar_w = max(min(group_w * 0.8 / max(len(series), 1), 28), 2)
    for g, label in enumerate(labels):
        x0 = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for s, (name, values) in enumerate(series):
            value = float(values[g]) if g < len(values) else 0
            h = plot_h * value / peak
            x = x0 + s * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}">'
                f"<title>{escape(label)} · {escape(name)}: {_fmt(value)}</title></rect>"
            )
        parts.append(
            f'<text class="axis" x="{left + g * group_w + group_w / 2:.1f}" '
            f'y="{top + plot_h + 14}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(_legend(series, left, height - 12))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """One polyline per series over the labels (months), with dots and a legend."""
    left, right, top, bottom = 44, 12, 24, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak, parts = _frame(series, title, width, height, left, right, top, plot_h)
    step = plot_w / max(len(labels) - 1, 1)
    for g, label in enumerate(labels):
        parts.append(
            f'<text class="axis" x="{left + g * step:.1f}" y="{top + plot_h + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for s, (name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [
            (left + g * step, top + plot_h - plot_h * float(v) / peak) for g, v in enumerate(values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for (x, y), label, value in zip(points, labels, values, strict=False):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)} · {escape(name)}: {_fmt(value)}</title></circle>"
            )
    parts.append(_legend(series, left, height - 12))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _legend(series, x: int, y: int) -> str:
    parts = []
    for s, (name, _values) in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text class="legend" x="{x + 14}" y="{y}">{escape(name)}</text>'
        )
        x += 24 + 13 * len(str(name))
    return "".join(parts)
