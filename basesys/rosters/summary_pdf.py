"""The training summary (培训情况总结, DOMAIN.md §9) as a printable PDF beside the roster's XLSX: the
course, the figures the system computed, the evaluation aggregates (§13) when there are any, and the
base's own text. The CJK TrueType font is embedded (basesys.core.pdf); the text's characters are
checked when it is saved (services.clean_summary_text), so none is dropped silently."""

import io
from datetime import datetime
from xml.sax.saxutils import escape

from flask import Response
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from basesys.core.errors import DomainError
from basesys.core.pdf import cjk_font, font_for, registered_fonts
from basesys.core.time import hhmm, local_date
from basesys.courses.models import Course
from basesys.rosters import services
from basesys.rosters.models import ROSTER_STATUSES
from basesys.rosters.rows import date_range_text

MARGIN = 18 * mm
LABEL_WIDTH = 45 * mm
VALUE_WIDTH = 129 * mm  # A4 minus margins, minus the label column
# §13's items, in the order of the questionnaire.
EVALUATION_ITEMS = {
    "content": "内容实用性",
    "teaching": "授课水平",
    "organisation": "组织管理",
    "venue": "场地与服务",
    "overall": "总体满意度",
}


def _p(text, size: float = 10.5, align=None) -> Paragraph:
    text = "" if text is None else str(text)
    font = font_for(text) or cjk_font()
    style = ParagraphStyle(f"{font}-{size}-{align}", fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK")
    if align is not None:
        style.alignment = align
    return Paragraph(escape(text) or "&nbsp;", style)


def _hours(value) -> str:
    return f"{float(value or 0):g}"


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table([[_p(cell) if not isinstance(cell, Paragraph) else cell for cell in row] for row in rows], widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
            ]
        )
    )
    return table


def _rate(part: int, whole: int) -> str:
    return f"{part}（{part / whole:.0%}）" if whole else str(part)


def _figures_table(figures: dict) -> Table:
    enrolled = figures.get("enrolled", 0)
    rows = [
        ["报名人数", str(enrolled)],
        ["参训人数（至少签到一次）", _rate(figures.get("attended", 0), enrolled)],
        ["结业人数", _rate(figures.get("completed", 0), enrolled)],
        ["发放学时（结业学员合计）", _hours(figures.get("hours_issued"))],
    ]
    return _table(rows, [LABEL_WIDTH, VALUE_WIDTH])


def _evaluation_story(evaluation: dict | None) -> list:
    story = [_p("三、质量评估", 12), Spacer(1, 2 * mm)]
    if not evaluation or not evaluation.get("responses"):
        return [*story, _p("暂无学员提交质量评估。")]
    rate = evaluation.get("response_rate")
    rate_text = f"，参评率 {float(rate):.0%}" if rate is not None else ""
    story += [_p(f"参评人数 {evaluation['responses']}{rate_text}（匿名统计，满分 5 分）。"), Spacer(1, 2 * mm)]
    rows = [["评估项目", "平均分", "各分值人数（1—5 分）"]]
    for code, label in EVALUATION_ITEMS.items():
        item = (evaluation.get("items") or {}).get(code) or {}
        mean = item.get("mean")
        counts = item.get("counts") or []
        rows.append([label, f"{float(mean):.2f}" if mean is not None else "—", " / ".join(str(n) for n in counts)])
    story.append(_table(rows, [LABEL_WIDTH, 30 * mm, VALUE_WIDTH - 30 * mm]))
    comments = [c for c in evaluation.get("comments") or [] if c]
    if comments:
        story += [Spacer(1, 2 * mm), _p("学员意见：")]
        story += [_p(f"{number}. {comment}", 10) for number, comment in enumerate(comments, 1)]
    return story


def render_summary_pdf(course: Course, state: services.RosterState, *, now: datetime) -> bytes:
    """The training summary of one finalised course as PDF bytes (A4)."""
    registered_fonts()  # the fonts `font_for` picks are drawn with: registered before any paragraph
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{course.title} 培训情况总结",
        author=course.base.name,
        initialFontName=cjk_font(),
    )
    first = state.rows[0] if state.rows else {}
    facts = [
        ["培训项目", course.title],
        ["培训基地", course.base.name],
        ["备案号", course.filing_number or ""],
        ["科目类别", course.category_label],
        ["培训起止日期", date_range_text(first) if first else ""],
        ["名单报送状态", ROSTER_STATUSES.get(state.status, state.status)],
    ]
    text = state.summary.text
    story = [
        _p("培训情况总结", 16, TA_CENTER),
        Spacer(1, 4 * mm),
        _p("一、培训项目", 12),
        Spacer(1, 2 * mm),
        _table(facts, [LABEL_WIDTH, VALUE_WIDTH]),
        Spacer(1, 4 * mm),
        _p("二、培训数据（系统统计）", 12),
        Spacer(1, 2 * mm),
        _figures_table(state.summary.figures),
        Spacer(1, 4 * mm),
        *_evaluation_story(state.summary.figures.get("evaluation")),
        Spacer(1, 4 * mm),
        _p("四、培训情况（基地填写）", 12),
        Spacer(1, 2 * mm),
        # One paragraph per line: a long text breaks across pages (a table cell could not).
        *[_p(line) for line in (text.splitlines() or ["（基地尚未填写）"])],
        Spacer(1, 6 * mm),
        _p(f"本表由系统生成于 {local_date(now).isoformat()} {hhmm(now)}。", 9),
    ]
    doc.build(story)
    return out.getvalue()


def summary_pdf_response(course: Course, now: datetime) -> Response:
    """Refuses `course_not_finalized`: the figures exist once the course is finalised."""
    if course.finalized_at is None:
        raise DomainError("course_not_finalized")
    pdf = render_summary_pdf(course, services.roster_state(course, now=now), now=now)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="roster-summary-{course.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
