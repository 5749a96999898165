"""The printable sign-in sheet (签到表, DOMAIN.md §6) of one session: the paper fallback of a hall
whose phones or network fail. A4, the course and session on top, one row per enrolled trainee
(name, masked ID, employer) with boxes to sign for 签到 and, in `in_out` mode, 签退; the base then
enters the signed sheet as a bulk 补签.

The CJK TrueType font is embedded (basesys.core.pdf). A name no installed font can draw (reportlab
would silently drop the character) is printed with □ in place of the missing characters and marked
for the trainee to write it by hand, never printed short.
"""

import io
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from basesys.accounts.models import Trainee
from basesys.core.pdf import cjk_font, font_for, missing_glyphs, registered_fonts
from basesys.core.time import hhmm, local_date
from basesys.courses.models import CourseSession

MARGIN = 15 * mm
ROW_HEIGHT = 11 * mm  # room for a signature
MISSING = "□"


def _style(font: str, size: float, align=None) -> ParagraphStyle:
    style = ParagraphStyle(f"sheet-{font}-{size}-{align}", fontName=font, fontSize=size, leading=size * 1.35)
    style.wordWrap = "CJK"
    if align is not None:
        style.alignment = align
    return style


def printable(text: str) -> tuple[str, bool]:
    """`text` with every character no installed font draws replaced by □, and whether any was."""
    text = text or ""
    if font_for(text) is not None:
        return text, False
    missing = set(missing_glyphs(text))
    return "".join(MISSING if ch in missing else ch for ch in text), True


def _p(text, size: float = 10, align=None) -> Paragraph:
    shown, _replaced = printable("" if text is None else str(text))
    return Paragraph(escape(shown) or "&nbsp;", _style(font_for(shown) or cjk_font(), size, align))


def _name_cell(trainee: Trainee) -> Paragraph:
    shown, replaced = printable(trainee.name)
    markup = escape(shown)
    if replaced:
        markup += "<br/><font size=7>（请手写姓名）</font>"
    return Paragraph(markup, _style(font_for(shown) or cjk_font(), 10.5))


def _rows(trainees: list[Trainee], in_out: bool) -> list[list]:
    head = (
        ["序号", "姓名", "身份证号", "工作单位", "签到", "签退"]
        if in_out
        else ["序号", "姓名", "身份证号", "工作单位", "签到"]
    )
    rows = [[_p(h, 10, TA_CENTER) for h in head]]
    for number, trainee in enumerate(trainees, start=1):
        row = [
            _p(str(number), 10, TA_CENTER),
            _name_cell(trainee),
            _p(trainee.id_number_masked, 9),
            _p(trainee.employer, 8),
        ]
        row += ["", ""] if in_out else [""]
        rows.append(row)
    return rows


def _when(course_session: CourseSession) -> str:
    day = local_date(course_session.starts_at)
    return f"{day.year}年{day.month}月{day.day}日 {hhmm(course_session.starts_at)}—{hhmm(course_session.ends_at)}"


def sign_in_sheet_pdf(course_session: CourseSession, trainees: list[Trainee], *, now: datetime) -> bytes:
    """The 签到表 of one session as PDF bytes (A4), one row per trainee in the given order."""
    registered_fonts()  # the fonts `font_for` picks are drawn with: registered before any paragraph
    course = course_session.course
    in_out = course.attendance_mode == "in_out"
    widths = (
        [12 * mm, 30 * mm, 40 * mm, 44 * mm, 27 * mm, 27 * mm]
        if in_out
        else [12 * mm, 34 * mm, 44 * mm, 55 * mm, 35 * mm]
    )
    table = Table(
        _rows(trainees, in_out), colWidths=widths, repeatRows=1, rowHeights=[8 * mm] + [ROW_HEIGHT] * len(trainees)
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{course.title} 签到表",
        author=course.base.name,
        initialFontName=cjk_font(),
    )
    mode = "签到、签退均须本人签字；未签退，本课次不计学时。" if in_out else "本课次只需签到。"
    story = [
        _p(f"{course.title} 签到表", 16, TA_CENTER),
        Spacer(1, 3 * mm),
        _p(f"培训基地：{course.base.name}        备案号：{course.filing_number or '—'}", 10),
        _p(f"课次：{_when(course_session)}  {course_session.title or ''}", 10),
        _p(f"学时：{float(course_session.credit_hours):g}    应到：{len(trainees)} 人", 10),
        _p(f"说明：{mode}代签无效。本表由基地录入系统（补签）后存档。", 9),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        _p(f"基地经办人签字：______________        打印时间：{local_date(now).isoformat()} {hhmm(now)}", 9),
    ]
    doc.build(story)
    return out.getvalue()
