"""签到卡 (DOMAIN.md §6 "Staff scan"): an A4 sheet of cut-out cards, one per enrolled trainee, each
with the name, the masked ID number and the QR code of the trainee's personal check-in code.

Every text is drawn with an embedded TrueType CJK font that has all of its characters (core.pdf);
a name no installed font can draw refuses the whole sheet (`CardsNotPrintable`, naming the
trainee) rather than printing a card with a character silently dropped.
"""

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from basesys.core.pdf import INK, cjk_font, draw_qr, font_for, missing_glyphs, qr_matrix, registered_fonts

MUTED = HexColor("#656d76")
RED = HexColor("#b3261e")
COLUMNS, ROWS = 2, 5  # ten cards a page, each about 95 × 55 mm
MARGIN = 28
QR_SIZE = 112  # points (≈ 40 mm): read from arm's length by a phone or laptop camera


class CardsNotPrintable(ValueError):
    """A text has a character no installed font can draw; the message says which (Chinese)."""


@dataclass(frozen=True)
class Card:
    name: str
    id_number_masked: str
    code: str  # the personal check-in code the QR code holds
    expires_on: date


def _font(text: str) -> str:
    registered_fonts()
    font = font_for(text)
    if font is None:
        raise CardsNotPrintable(
            f"「{text}」中的字符「{''.join(missing_glyphs(text))}」没有可用的字体，无法打印签到卡。"
        )
    return font


def _text(canvas: Canvas, x: float, y: float, text: str, size: float, color=INK) -> None:
    canvas.setFont(_font(text), size)
    canvas.setFillColor(color)
    canvas.drawString(x, y, text)


def _fit(text: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis to fit `width` on one line."""
    font = _font(text)
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


QUIET = 20  # points left of the QR code: its 4-module quiet zone


def _card(canvas: Canvas, card: Card, x: float, y: float, size: tuple, course_title: str, base_name: str) -> None:
    width, height = size
    canvas.setStrokeColor(MUTED)
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, width, height)
    canvas.setDash()
    pad = 12
    qr_x, qr_y = x + width - pad - QR_SIZE, y + (height - QR_SIZE) / 2
    draw_qr(canvas, qr_matrix(card.code), qr_x, qr_y, QR_SIZE)
    text_width = qr_x - QUIET - x - pad
    left, top = x + pad, y + height - pad
    _text(canvas, left, top - 10, "个人签到卡", 10, RED)
    _text(canvas, left, top - 38, _fit(card.name, 20, text_width), 20)
    _text(canvas, left, top - 56, card.id_number_masked, 10)
    _text(canvas, left, top - 76, _fit(base_name, 8, text_width), 8, MUTED)
    _text(canvas, left, top - 87, _fit(course_title, 8, text_width), 8, MUTED)
    _text(canvas, left, top - 101, f"有效期至 {card.expires_on.isoformat()}", 8, MUTED)
    _text(canvas, left, y + pad + 10, "请在签到处出示，由工作人员扫码。", 7, MUTED)
    _text(canvas, left, y + pad, "遗失请在手机首页“更新签到码”。", 7, MUTED)


def checkin_cards_pdf(cards: list[Card], *, course_title: str, base_name: str) -> bytes:
    """The A4 sheets of a course's 签到卡, in the order given; refuses CardsNotPrintable first."""
    for text in (course_title, base_name, *(c.name for c in cards)):
        _font(text)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=cjk_font())
    canvas.setTitle(f"签到卡 {course_title}")
    canvas.setAuthor(base_name)
    page_width, page_height = A4
    width = (page_width - 2 * MARGIN) / COLUMNS
    height = (page_height - 2 * MARGIN) / ROWS
    per_page = COLUMNS * ROWS
    for index, card in enumerate(cards):
        if index and index % per_page == 0:
            canvas.showPage()
        slot = index % per_page
        column, row = slot % COLUMNS, slot // COLUMNS
        x, y = MARGIN + column * width, page_height - MARGIN - (row + 1) * height
        _card(canvas, card, x, y, (width, height), course_title, base_name)
    if not cards:
        _text(canvas, MARGIN, page_height - MARGIN - 20, f"{base_name} · {course_title}：尚无报名学员。", 12)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
