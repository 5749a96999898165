"""The evaluation's charts as inline SVG drawn on the server (no script, no CDN), as bureau/charts.py.

Every bar carries its figure as a <title>, and each page prints the same figures in a table."""

from markupsafe import Markup, escape

WIDTH = 240
ROW = 24
LABEL = 20
VALUE = 30

TREND_WIDTH = 760
TREND_HEIGHT = 200
TREND_LEFT = 40
TREND_BOTTOM = 26
TOP = 12
MAX_SCORE = 5


def _svg(width: int, height: int, title: str, css: str) -> list[str]:
    return [
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
        f' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]


def count_bars(counts: list[int], *, title: str) -> Markup:
    """Five horizontal bars: how many answers scored 1, 2, 3, 4 and 5."""
    height = TOP + ROW * len(counts)
    span = WIDTH - LABEL - VALUE
    biggest = max(counts, default=0) or 1
    parts = _svg(WIDTH, height, title, "score-bars")
    for i, count in enumerate(counts):
        score, y = i + 1, TOP // 2 + i * ROW
        width = round(span * count / biggest, 1)
        parts.append(
            f'<g class="bar"><title>{score}: {count}</title>'
            f'<text x="{LABEL - 8}" y="{y + 17}" text-anchor="end">{score}</text>'
            f'<rect class="bar-score score-{score}" x="{LABEL}" y="{y + 4}" width="{width}" height="16" rx="2"/>'
            f'<text class="value" x="{LABEL + width + 6}" y="{y + 17}">{count}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(rows, *, title: str) -> Markup:
    """One column per course (oldest first): its overall satisfaction mean on a 0–5 scale; a course
    without answers has an empty slot."""
    baseline = TOP + TREND_HEIGHT
    height = baseline + TREND_BOTTOM
    span = TREND_WIDTH - TREND_LEFT - 10
    slot = span / max(len(rows), 1)
    bar = min(slot * 0.6, 60)
    parts = _svg(TREND_WIDTH, height, title, "trend")
    parts.append(f'<line class="axis" x1="{TREND_LEFT}" y1="{baseline}" x2="{TREND_WIDTH - 10}" y2="{baseline}"/>')
    for score in range(1, MAX_SCORE + 1):
        y = round(baseline - TREND_HEIGHT * score / MAX_SCORE, 1)
        parts.append(f'<line class="grid" x1="{TREND_LEFT}" y1="{y}" x2="{TREND_WIDTH - 10}" y2="{y}"/>')
        parts.append(f'<text class="value" x="{TREND_LEFT - 6}" y="{y + 4}" text-anchor="end">{score}</text>')
    for i, row in enumerate(rows):
        x = TREND_LEFT + i * slot + (slot - bar) / 2
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{baseline + 16}" text-anchor="middle">{i + 1}</text>')
        mean = row.means.get("overall")
        if mean is None:
            continue
        tall = round(TREND_HEIGHT * mean / MAX_SCORE, 1)
        parts.append(
            f'<g class="bar"><title>{i + 1}. {escape(row.course.title)}: {mean:.2f}</title>'
            f'<rect class="bar-overall" x="{x:.1f}" y="{baseline - tall}" width="{bar:.1f}" height="{tall}" rx="2"/>'
            f'<text class="value" x="{x + bar / 2:.1f}" y="{baseline - tall - 4}" text-anchor="middle">'
            f"{mean:.2f}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
