"""Charts drawn on the server as inline SVG: no script, no CDN, readable on a bureau intranet."""

from markupsafe import Markup, escape

from basesys.bureau.stats import BaseFigures

WIDTH = 760
LABEL_WIDTH = 190
VALUE_WIDTH = 90
ROW = 30
TOP = 10


def _short(text: str, limit: int = 13) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value)}"


def hours_chart(rows: list[BaseFigures], *, title: str, issued_label: str, recognized_label: str) -> Markup:
    """One bar per base: hours issued, with the recognized part drawn darker inside it."""
    height = TOP * 2 + ROW * max(len(rows), 1)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    biggest = max((r.hours_issued for r in rows), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}"'
        f' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" y2="{height - TOP + 4}"/>',
    ]
    for i, row in enumerate(rows):
        y = TOP + i * ROW
        issued = round(span * row.hours_issued / biggest, 1)
        recognized = round(span * row.hours_recognized / biggest, 1)
        parts.append(
            f'<g class="bar"><title>{escape(row.name)}: {escape(issued_label)} {_number(row.hours_issued)}, '
            f"{escape(recognized_label)} {_number(row.hours_recognized)}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 19}" text-anchor="end">{escape(_short(row.name))}</text>'
            f'<rect class="bar-issued" x="{LABEL_WIDTH}" y="{y + 5}" width="{issued}" height="20" rx="2"/>'
            f'<rect class="bar-recognized" x="{LABEL_WIDTH}" y="{y + 5}" width="{recognized}" height="20" rx="2"/>'
            f'<text class="value" x="{LABEL_WIDTH + issued + 6}" y="{y + 19}">'
            f"{_number(row.hours_recognized)} / {_number(row.hours_issued)}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


COLUMN_HEIGHT = 180
AXIS_LEFT = 50
AXIS_BOTTOM = 24


def column_chart(labels: list[str], series: list[tuple[str, str, list[float]]], *, title: str) -> Markup:
    """Grouped columns, one group per label (a month), one column per series `(name, css class,
    values)`; every column carries its figure as a <title>, and the page prints them in a table."""
    height = TOP + COLUMN_HEIGHT + AXIS_BOTTOM
    span = WIDTH - AXIS_LEFT - 10
    group = span / max(len(labels), 1)
    bar = group / (len(series) + 1)
    biggest = max((v for _name, _css, values in series for v in values), default=0) or 1
    baseline = TOP + COLUMN_HEIGHT
    parts = [
        f'<svg class="chart columns" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}"'
        f' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{AXIS_LEFT}" y1="{baseline}" x2="{WIDTH - 10}" y2="{baseline}"/>',
        f'<text class="value" x="{AXIS_LEFT - 6}" y="{TOP + 10}" text-anchor="end">{_number(biggest)}</text>',
        f'<text class="value" x="{AXIS_LEFT - 6}" y="{baseline}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        x = AXIS_LEFT + i * group + bar / 2
        parts.append(f'<g class="group"><text x="{x + bar * len(series) / 2:.1f}" y="{baseline + 16}"')
        parts.append(f' text-anchor="middle">{escape(label)}</text>')
        for j, (name, css, values) in enumerate(series):
            value = values[i] if i < len(values) else 0
            tall = round(COLUMN_HEIGHT * value / biggest, 1)
            parts.append(
                f'<rect class="{escape(css)}" x="{x + j * bar:.1f}" y="{baseline - tall}" width="{bar:.1f}"'
                f' height="{tall}"><title>{escape(label)} {escape(name)}: {_number(value)}</title></rect>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
