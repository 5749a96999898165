"""The printable filing form (DOMAIN.md §4), laid out like the Zaozhuang 专业培训项目计划申报表
(附件2): the form's fields, both opinions with their dates, then the sessions. The CJK TrueType font
is embedded (basesys.core.pdf), so every viewer shows the Chinese."""

import io
from datetime import date, datetime
from xml.sax.saxutils import escape

from flask import Response
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from basesys.core.hours import hours_text
from basesys.core.pdf import cjk_font, font_for
from basesys.core.time import hhmm, local_date, now_utc
from basesys.courses.models import DELIVERIES, FilingStatus
from basesys.courses.year import course_year
from basesys.filing import services
from basesys.filing.history import DECISIONS, FilingAction, last_event

PAGE_MARGIN = 18 * mm
WIDTHS = [35 * mm, 35 * mm, 22 * mm, 26 * mm, 26 * mm, 30 * mm]  # 174 mm = A4 minus margins
CELL_PADDING = 8  # points: LEFTPADDING + RIGHTPADDING of the form table
# A table row cannot break across pages (reportlab raises LayoutError: a 500), so a text taller
# than this in its cell is printed in full on an appendix page after the form, where paragraphs split.
MAX_CELL_HEIGHT = 90 * mm


def _style(text: str, size: float = 10.5, align=None, leading=None) -> ParagraphStyle:
    font = font_for(text) or cjk_font()
    style = ParagraphStyle(
        f"{font}-{size}-{align}", fontName=font, fontSize=size, leading=leading or size * 1.45, wordWrap="CJK"
    )
    if align is not None:
        style.alignment = align
    return style


def _p(text, size: float = 10, align=None) -> Paragraph:
    text = "" if text is None else str(text)
    markup = "<br/>".join(escape(line) for line in text.splitlines()) or "&nbsp;"
    return Paragraph(markup, _style(text, size, align))


class Appendix:
    """The long texts of a form, printed after it (附页) with a pointer in their cells."""

    def __init__(self):
        self.items: list[tuple[str, str]] = []

    def text(self, heading: str, text, width: float) -> str:
        """`text` if it fits a cell `width` wide, else a pointer to the appendix that prints it."""
        _w, height = _p(text).wrap(width - CELL_PADDING, A4[1])
        if height <= MAX_CELL_HEIGHT:
            return "" if text is None else str(text)
        self.items.append((heading, str(text)))
        return f"（内容较长，全文见附页“{heading}”）"

    def cell(self, heading: str, text, width: float) -> Paragraph:
        return _p(self.text(heading, text, width))

    def story(self) -> list:
        if not self.items:
            return []
        story = [PageBreak(), _p("附页", 14, TA_CENTER), Spacer(1, 3 * mm)]
        for heading, text in self.items:
            story += [_p(heading, 12), Spacer(1, 2 * mm)]
            story += [_p(line) for line in text.splitlines() or [""]]
            story.append(Spacer(1, 4 * mm))
        return story


def _label(text: str) -> Paragraph:
    return _p(text, 10, TA_CENTER)


def cn_date(day: date | None) -> str:
    return "    年    月    日" if day is None else f"{day.year}年{day.month}月{day.day}日"


def _dates(course) -> str:
    days = sorted({local_date(s.starts_at) for s in course.sessions})
    if not days:
        return ""
    if len(days) == 1:
        return cn_date(days[0])
    return f"{cn_date(days[0])}至{cn_date(days[-1])}"


def _opinion(text: str, day: date | None, who: str = "") -> Paragraph:
    signed = f"（单位盖章）    {cn_date(day)}"
    lines = [text or " ", " ", ("审核人：" + who + "    " if who else "") + signed]
    return _p("\n".join(lines))


def _bureau_opinion(course, appendix: Appendix):
    if course.filing_status not in (FilingStatus.APPROVED, FilingStatus.RETURNED):
        return _opinion("", None)
    event = last_event(course, *DECISIONS)
    if event is None:
        return _opinion("", None)
    comment = appendix.text("人社部门审核意见", (event.comment or "").strip(), sum(WIDTHS[1:]))
    return _opinion(_decision_text(event.action, comment), local_date(event.at), event.actor_name)


def _decision_text(action, comment: str) -> str:
    """The decision's words, then the officer's comment, said once: an officer who typed the
    decision's own words ("同意备案。") got "同意备案。同意备案。" (issue 15)."""
    lead = "同意备案。" if action == FilingAction.APPROVED else "退回修改："
    if comment.startswith(lead.rstrip("。：")):
        return comment
    return lead + comment


def _form_table(course, appendix: Appendix) -> Table:
    base = course.base
    wide, target_width = sum(WIDTHS[1:]), sum(WIDTHS[1:4])
    location = course.location or ""
    delivery = DELIVERIES.get(course.delivery, course.delivery)
    rows = [
        [_label("申报单位"), _p(base.name), "", "", _label("地址"), _p(base.address)],
        [_label("申请培训项目名称"), _p(course.title), "", "", "", ""],
        [
            _label("科目类别"),
            _p(course.category_label),
            _label("项目类型"),
            _p(course.kind_label),
            _label("培训形式"),
            _p(delivery),
        ],
        [
            _label("负责人"),
            _p(course.responsible),
            _label("联系人"),
            _p(course.contact),
            _label("联系电话"),
            _p(course.contact_phone),
        ],
        [_label("是否申请为市级高级研修班"), _p("是" if course.apply_municipal_seminar else "否"), "", "", "", ""],
        [_label("培训计划"), appendix.cell("培训计划", course.plan, wide), "", "", "", ""],
        [
            _label("计划培训对象"),
            appendix.cell("计划培训对象", course.target, target_width),
            "",
            "",
            _label("计划培训人数"),
            _p(course.planned_headcount),
        ],
        [
            _label("计划培训时间"),
            _p(_dates(course)),
            _label("培训天数"),
            _p(course.planned_days),
            _label("拟计算学时"),
            _p(hours_text(course.planned_hours)),
        ],
        [_label("培训地点及培训形式"), _p(f"{location}（{delivery}）" if location else delivery), "", "", "", ""],
        [
            _label("申报单位意见"),
            _opinion("同意申报。", local_date(course.submitted_at) if course.submitted_at else None),
            "",
            "",
            "",
            "",
        ],
        [_label("人社部门审核意见"), _bureau_opinion(course, appendix), "", "", "", ""],
    ]
    spans = [
        ("SPAN", (1, 0), (3, 0)),
        ("SPAN", (1, 1), (5, 1)),
        ("SPAN", (1, 4), (5, 4)),
        ("SPAN", (1, 5), (5, 5)),
        ("SPAN", (1, 6), (3, 6)),
        ("SPAN", (1, 8), (5, 8)),
        ("SPAN", (1, 9), (5, 9)),
        ("SPAN", (1, 10), (5, 10)),
    ]
    table = Table(rows, colWidths=WIDTHS, repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("MINROWHEIGHT", (0, 5), (-1, 5), 40 * mm),
                *spans,
            ]
        )
    )
    return table


def _sessions_table(course) -> Table:
    rows = [[_label("序号"), _label("日期"), _label("时间"), _label("学时"), _label("内容")]]
    for number, item in enumerate(services.sessions_of(course), start=1):
        rows.append(
            [
                _label(str(number)),
                _label(cn_date(local_date(item.starts_at))),
                _label(f"{hhmm(item.starts_at)}—{hhmm(item.ends_at)}"),
                _label(hours_text(item.credit_hours)),
                _p(item.title),
            ]
        )
    table = Table(rows, colWidths=[14 * mm, 36 * mm, 30 * mm, 16 * mm, 78 * mm], repeatRows=1)
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
    return table


def render_filing_pdf(course, *, now: datetime) -> bytes:
    """The filing form of one course as PDF bytes (A4)."""
    year = course_year(course)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{course.title} 专业培训项目计划申报表",
        author=course.base.name,
        initialFontName=cjk_font(),  # no stray non-embedded Helvetica in the file
    )
    status = course.filing_status_label + ("（补备案）" if course.filing_late else "")
    appendix = Appendix()
    story = [
        _p("附件2", 10),
        _p(f"{year}年度专业培训项目计划申报表", 16, TA_CENTER),
        Spacer(1, 3 * mm),
        _p(f"备案号：{course.filing_number or '（审核通过后生成）'}        备案状态：{status}", 10),
        Spacer(1, 2 * mm),
        _form_table(course, appendix),
        Spacer(1, 5 * mm),
        _p("课次安排", 12),
        Spacer(1, 2 * mm),
        _sessions_table(course),
        Spacer(1, 4 * mm),
        _p(
            "注：此表一式二份报主管人社部门备案。未进行备案的，不进行继续教育学时认定。"
            f"本表由系统生成于 {cn_date(local_date(now))} {hhmm(now)}。",
            9,
        ),
        *appendix.story(),
    ]
    doc.build(story)
    return out.getvalue()


def filing_pdf_response(course, now: datetime | None = None) -> Response:
    pdf = render_filing_pdf(course, now=now or now_utc())
    filename = f"filing-{course.id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})
