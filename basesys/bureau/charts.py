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
