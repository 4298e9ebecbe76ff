"""The steering dashboard's charts, drawn server-side by pygal as inline SVG.

pygal would reference its tooltip script on a CDN and write a config script
into every chart; both are turned off or removed, so a chart is markup and a
scoped stylesheet only, and nothing is fetched from another host. Each chart
is an ``<svg role="img">`` named by its ``<title>`` and described by a
``<desc>`` that states the figures in words; the dashboard shows the same
numbers in a data table beside it. Colours have at least 3:1 contrast with the white plot (text
4.5:1), every bar carries its value as text, and the second series of a
two-series chart is hatched as well as coloured, so colour is never the only
cue.
"""

import pygal
from django.utils.safestring import mark_safe
from pygal.style import Style

WIDTH = 640
# 7.2:1 and 6.0:1 against white: WCAG 2.2 non-text contrast asks for 3:1.
BLUE = "#1b5e7a"
RUST = "#a14a00"
TEXT = "#1a1a1a"
FONT = '-apple-system, "Segoe UI", system-ui, Roboto, "Helvetica Neue", Arial, sans-serif'
MAX_LABEL = 34


def _style(chart_id):
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground=TEXT,
        foreground_strong=TEXT,
        foreground_subtle="#595959",
        font_family=FONT,
        label_font_size=12,
        major_label_font_size=12,
        value_font_size=12,
        legend_font_size=13,
        no_data_font_size=16,
        guide_stroke_color="#8a8a8a",
        major_guide_stroke_color="#595959",
        colors=(BLUE, f"url(#{chart_id}-hatch)"),
        # Values are printed beyond the end of each bar, on white.
        value_colors=(TEXT, TEXT),
        opacity="1",
        opacity_hover="1",
        stroke_opacity="1",
        stroke_opacity_hover="1",
        stroke_width="1",
        stroke_width_hover="1",
        transition="0s",
    )


def _config(chart_id, empty=False, css_rules=(), **extra):
    # Neighbouring bars are separated by a white edge. pygal scopes its own
    # stylesheets to the chart but inlines these as given: scoped here.
    css_rules = [".rect.reactive { stroke: #ffffff; }", *css_rules]
    config = dict(
        style=_style(chart_id),
        width=WIDTH,
        # No script: pygal's default is its tooltip script on a CDN.
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        print_values_position="top",
        print_zeroes=False,
        no_data_text="No data for this period.",
        defs=[
            f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{RUST}"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="1.5"/></pattern>'
        ],
        css=["file://style.css", "file://graph.css", *(f"inline:#{chart_id} {rule}" for rule in css_rules)],
    )
    if empty:
        # Only the "no data" line: no scale of nothing.
        extra.update(
            height=90, show_x_labels=False, show_y_labels=False, show_x_guides=False, show_y_guides=False
        )
    config.update(extra)
    return config


def _accessible(chart_id, title, desc):
    """An XML filter: label the chart for assistive technology and drop what
    only pygal's script would use (config, tooltip data, tooltip box)."""

    def local_name(node):
        # Comments have no tag name; lxml, when installed, writes namespaced tags.
        return node.tag.rpartition("}")[2] if isinstance(node.tag, str) else ""

    def apply(root):
        root.set("id", chart_id)
        root.set("class", f"{root.get('class', '')} metrics-chart".strip())
        root.set("role", "img")
        # Named by the title; the description (every figure in words) is read after it.
        root.set("aria-labelledby", f"{chart_id}-title")
        root.set("aria-describedby", f"{chart_id}-desc")
        for parent in list(root.iter()):
            for child in list(parent):
                tag = local_name(child)
                if parent is not root and tag in {"title", "desc"}:
                    parent.remove(child)
                elif tag == "script" or not tag:  # comments name pygal's web pages
                    parent.remove(child)
                elif "tooltip" in child.get("class", "").split():
                    parent.remove(child)
                elif child.get("id", "").startswith("activate-serie"):
                    del child.attrib["id"]
        # Title and description first, where assistive technology looks.
        title_node = next(child for child in root if local_name(child) == "title")
        root.remove(title_node)
        title_node.text = title
        title_node.set("id", f"{chart_id}-title")
        desc_node = root.makeelement(title_node.tag.replace("title", "desc"), {"id": f"{chart_id}-desc"})
        desc_node.text = desc
        root.insert(0, title_node)
        root.insert(1, desc_node)
        return root

    return apply


def _render(chart, chart_id, title, desc):
    # The CSS pygal writes is scoped to "#chart-<uuid>": the uuid is our slug.
    chart.uuid = chart_id.removeprefix("chart-")
    chart.add_xml_filter(_accessible(chart_id, title, desc))
    # The markup comes from pygal's ElementTree serialiser: text and
    # attributes (event and partner titles included) are escaped.
    return mark_safe(chart.render(is_unicode=True))


def _short(text):
    text = str(text)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def horizontal_bars(chart_id, title, items, series="Value"):
    """One bar per ``(label, value)``, in the order given."""
    items = list(items)
    chart = pygal.HorizontalBar(
        **_config(
            chart_id,
            not items,
            # The value starts just past the end of its bar (pygal centres it there).
            css_rules=[".text-overlay text.value { text-anchor: start; }"],
            height=60 + 30 * len(items),
            margin_right=48,
            spacing=6,
        )
    )
    if items:
        # pygal draws a horizontal chart's first label at the bottom.
        chart.x_labels = [_short(label) for label, _value in reversed(items)]
        chart.add(series, [value for _label, value in reversed(items)])
        desc = "; ".join(f"{label}: {value}" for label, value in items)
    else:
        desc = "No data for this period."
    return _render(chart, chart_id, title, desc)


def _labels_fit(items):
    """Whether the column labels fit side by side unrotated (12px text is
    about 7px a character; pygal leaves about 80px for the value axis)."""
    longest = max((len(str(label)) for label, *_values in items), default=0)
    return longest * 7 < (WIDTH - 80) / max(len(items), 1)


def columns(chart_id, title, items, series=("Value",)):
    """Columns over time: ``(label, value)``, or ``(label, value_a, value_b)``
    side by side, the second series hatched, with a legend naming both."""
    items = list(items)
    two_series = len(series) > 1
    chart = pygal.Bar(
        **_config(
            chart_id,
            not items,
            height=300,
            show_legend=two_series,
            legend_at_bottom=True,
            legend_at_bottom_columns=len(series),
            x_label_rotation=0 if _labels_fit(items) else -35,
            # pygal's own estimate cuts short labels that do fit ("29 N…").
            truncate_label=-1,
            spacing=4,
        )
    )
    if items:
        chart.x_labels = [label for label, *_values in items]
        for index, name in enumerate(series):
            legend = f"{name} (hatched)" if index else name
            chart.add(legend, [values[index] for _label, *values in items])
        desc = "; ".join(
            f"{label}: " + ", ".join(f"{name} {value}" for name, value in zip(series, values, strict=False))
            for label, *values in items
        )
    else:
        desc = "No data for this period."
    return _render(chart, chart_id, title, desc)
