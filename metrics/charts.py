"""Small server-rendered SVG charts for the steering dashboard.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that
states the figures in words; the dashboard also shows the same numbers as a
data table beside it. Bars carry their value as text, and the two series of a
stacked chart differ by pattern as well as colour, so colour is never the only
cue. No JavaScript, nothing fetched."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 640
BAR = 22
GAP = 8
LABEL_WIDTH = 230
COLOURS = ("#1b5e7a", "#c2571a")


def _svg(chart_id, title, desc, width, height, body):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="metrics-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'id="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _short(text, length=34):
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def horizontal_bars(chart_id, title, items, unit=""):
    """One bar per ``(label, value)``, longest scale first as given."""
    items = list(items)
    if not items:
        return _svg(chart_id, title, "No data for this period.", WIDTH, 40, _empty())
    top = max(value for _label, value in items) or 1
    scale = (WIDTH - LABEL_WIDTH - 60) / top
    parts = []
    for n, (label, value) in enumerate(items):
        y = n * (BAR + GAP) + 4
        length = max(value * scale, 1 if value else 0)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR * 0.7:.0f}" text-anchor="end" class="label">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{COLOURS[0]}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + BAR * 0.7:.0f}" class="value">{value}</text>'
        )
    desc = "; ".join(f"{label}: {value}{unit}" for label, value in items)
    height = len(items) * (BAR + GAP) + 8
    return _svg(chart_id, title, desc, WIDTH, height, "".join(parts))


def columns(chart_id, title, items, series=("Value",)):
    """Columns over time: ``(label, value)`` or ``(label, value_a, value_b)``
    stacked, the second series hatched."""
    items = list(items)
    if not items:
        return _svg(chart_id, title, "No data for this period.", WIDTH, 40, _empty())
    height, bottom, left = 260, 220, 44
    totals = [sum(values) for _label, *values in items]
    top = max(totals) or 1
    slot = (WIDTH - left - 10) / len(items)
    width = max(slot * 0.7, 2)
    parts = [
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{COLOURS[1]}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>',
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 5}" y2="{bottom}" stroke="#333"/>',
        f'<text x="{left - 6}" y="{bottom}" text-anchor="end" class="value">0</text>',
        f'<text x="{left - 6}" y="24" text-anchor="end" class="value">{top}</text>',
    ]
    for n, (label, *values) in enumerate(items):
        x = left + n * slot + (slot - width) / 2
        y = bottom
        for index, value in enumerate(values):
            size = value / top * (bottom - 20)
            y -= size
            fill = COLOURS[0] if index == 0 else f"url(#{chart_id}-hatch)"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{size:.1f}" fill="{fill}"/>'
            )
        if len(items) <= 12 or n % 2 == 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{bottom + 16}" text-anchor="middle" class="tick">'
                f"{escape(label)}</text>"
            )
        parts.append(
            f'<text x="{x + width / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="value">'
            f"{sum(values)}</text>"
        )
    if len(series) > 1:
        parts.append(
            f'<rect x="{left}" y="{height - 18}" width="12" height="12" fill="{COLOURS[0]}"/>'
            f'<text x="{left + 16}" y="{height - 8}" class="tick">{escape(series[0])}</text>'
            f'<rect x="{left + 240}" y="{height - 18}" width="12" height="12" fill="url(#{chart_id}-hatch)"/>'
            f'<text x="{left + 256}" y="{height - 8}" class="tick">{escape(series[1])} (hatched)</text>'
        )
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{name} {value}" for name, value in zip(series, values, strict=False))
        for label, *values in items
    )
    return _svg(chart_id, title, desc, WIDTH, height, "".join(parts))


def _empty():
    return '<text x="8" y="24" class="label">No data for this period.</text>'
