"""Charts drawn on the server as inline SVG: a column chart of a daily series and horizontal
bars of shares. No JavaScript and no library: a dashboard needs a handful of rectangles."""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def column_chart(
    points: Sequence[tuple[str, int, str]],
    *,
    width: int = 640,
    height: int = 180,
    label: str,
    top_label: str = "",
) -> SafeString:
    """Columns for (short label, value, tooltip) points, scaled to the largest value, which
    `top_label` names at the top left."""
    if not points:
        return format_html('<p class="muted">{}</p>', "No sales yet.")
    top = max(value for _, value, _ in points) or 1
    gap = 2
    step = width / len(points)
    bar = max(step - gap, 1)
    plot = height - 20
    top_margin = 16
    bars = []
    for index, (_short, value, tip) in enumerate(points):
        tall = round((plot - top_margin) * value / top, 1)
        x = round(index * step, 1)
        bars.append((x, round(plot - tall, 1), round(bar, 1), tall, tip))
    # A date under every seventh column, counted back from the last, so labels never overlap;
    # the outer ones anchored inwards so that they are not cut off.
    last = len(points) - 1
    ticks = [
        (
            round(index * step + bar / 2, 1),
            height - 4,
            "start" if index == 0 else "end" if index == last else "middle",
            short,
        )
        for index, (short, _, _) in enumerate(points)
        if (last - index) % 7 == 0
    ]
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<line x1="0" y1="{}" x2="{}" y2="{}" class="axis"/>{}{}'
        '<text x="2" y="12" class="tick">{}</text></svg>',
        width,
        height,
        label,
        plot,
        width,
        plot,
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}</title></rect>',
            bars,
        ),
        format_html_join("", '<text x="{}" y="{}" text-anchor="{}" class="tick">{}</text>', ticks),
        top_label,
    )


def share_bars(
    rows: Sequence[tuple[str, float, str, str]], *, width: int = 640, label: str
) -> SafeString:
    """One horizontal bar per (name, percent, colour, caption) row, on a 0-100% scale."""
    if not rows:
        return format_html('<p class="muted">{}</p>', "Nothing to show.")
    line = 28
    name_width = 160
    room = width - name_width - 140
    drawn = []
    for index, (name, percent, color, caption) in enumerate(rows):
        y = index * line
        filled = round(room * min(max(percent, 0), 100) / 100, 1)
        drawn.append(
            (
                y + 18, name, name_width, y + 4, room, name_width, y + 4, filled,
                color or "#4b3fd1", caption, name_width + room + 8, y + 18, caption,
            )
        )  # fmt: skip
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        width,
        len(rows) * line,
        label,
        format_html_join(
            "",
            '<text x="0" y="{}" class="name">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="18" class="track"/>'
            '<rect x="{}" y="{}" width="{}" height="18" fill="{}" class="share">'
            "<title>{}</title></rect>"
            '<text x="{}" y="{}" class="value">{}</text>',
            drawn,
        ),
    )
