"""The annual statement's PDF (学时证明, DOMAIN.md §15): A4 portrait, drawn from the signed payload.

Every entry of the year, the totals against the requirement, the number and check code, a QR code
to the public verification page, and the key id and signature in the footer. Texts use the embedded
TrueType fonts of core.pdf; a name with a character no font has is refused (NotPrintable), never
printed with the character dropped.
"""

import io
import json
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4

from basesys.certificates.pdf import MUTED, RED, NotPrintable, draw_text, font_of, new_canvas, wrap
from basesys.core.pdf import draw_qr, qr_matrix
from basesys.courses.models import CATEGORIES

SOURCES = {"course": "培训", "declaration": "申报"}
STATUSES = {"issued": "已发放", "recognized": "已认定"}
LEFT, RIGHT_MARGIN, BOTTOM = 56, 56, 120


def statement_url(base_url: str, number: str, code: str) -> str:
    """The public verification page the QR code points to."""
    return f"{base_url.rstrip('/')}/vs/{number}?c={code}"


@dataclass(frozen=True)
class StatementPage:
    """What the PDF prints: the signed fields, the full name (the holder's own document, like the
    certificate), the check code, the signature and the verification URL."""

    fields: dict
    name: str
    check_code: str
    signature: str
    verify_url: str
    superseded: bool

    @classmethod
    def of(cls, statement, base_url: str) -> "StatementPage":
        return cls(
            fields=json.loads(statement.payload),
            name=statement.holder_name,
            check_code=statement.check_code,
            signature=statement.signature,
            verify_url=statement_url(base_url, statement.number, statement.check_code),
            superseded=not statement.is_valid,
        )


def check_printable(page: StatementPage) -> None:
    """Refuses (NotPrintable) before anything is drawn: the name and every entry's title."""
    for text in (page.name, *(entry["title"] for entry in page.fields["entries"])):
        font_of(text)


def _totals_table(canvas, y: float, fields: dict) -> float:
    for label, x in (("", LEFT), ("公需科目", 200), ("专业科目", 300), ("合计", 400)):
        draw_text(canvas, x, y, label, 10, color=MUTED)
    rows = (("年度要求", fields["required"]), ("已取得", fields["totals"]), ("其中已认定", fields["recognized"]))
    for label, values in rows:
        y -= 18
        draw_text(canvas, LEFT, y, label, 10)
        for key, x in (("public", 200), ("professional", 300), ("total", 400)):
            draw_text(canvas, x, y, f"{float(values[key]):.1f}", 10)
    y -= 18
    met = all(float(fields["totals"][k]) >= float(fields["required"][k]) for k in ("public", "professional", "total"))
    draw_text(
        canvas,
        LEFT,
        y,
        "已完成本年度学时要求。" if met else "尚未完成本年度学时要求。",
        10,
        color=RED if not met else MUTED,
    )
    if fields.get("months_at_work") is not None:
        y -= 16
        note = f"因长期离岗，本年度在岗 {fields['months_at_work']} 个月，年度要求已按比例折算。"
        draw_text(canvas, LEFT, y, note, 9, color=MUTED)
    return y


def _entry_header(canvas, y: float, width: float) -> float:
    for label, x in (("项目", LEFT), ("来源", 330), ("类别", 372), ("学时", 430), ("状态", 476)):
        draw_text(canvas, x, y, label, 10, color=MUTED)
    y -= 6
    canvas.setStrokeColor(MUTED)
    canvas.line(LEFT, y, width - RIGHT_MARGIN, y)
    return y


def _footer(canvas, page: StatementPage, width: float) -> None:
    fields = page.fields
    qr_size = 86
    qr_x = width - RIGHT_MARGIN - qr_size
    draw_qr(canvas, qr_matrix(page.verify_url), qr_x, 24, qr_size)
    draw_text(
        canvas,
        LEFT,
        96,
        f"证明编号：{fields['number']}　　校验码：{page.check_code}　　出具日期：{fields['issued_on']}",
        10,
    )
    draw_text(canvas, LEFT, 80, f"查验：{page.verify_url}", 8, color=MUTED)
    draw_text(
        canvas,
        LEFT,
        66,
        f"Ed25519 电子签名，密钥标识 {fields['kid']}，可离线核验（flask verify-statement）。",
        8,
        color=MUTED,
    )
    signature = page.signature
    draw_text(canvas, LEFT, 52, f"签名：{signature[:44]}", 7, color=MUTED)
    draw_text(canvas, LEFT, 42, f"　　　{signature[44:]}", 7, color=MUTED)
    if page.superseded:
        draw_text(canvas, width / 2, 112, "本证明已被更新的学时证明取代", 12, color=RED, align="center")


def statement_pdf(page: StatementPage) -> bytes:
    """The statement's PDF; NotPrintable when a text has a character no installed font has."""
    check_printable(page)
    fields = page.fields
    width, height = A4
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, A4)
    canvas.setTitle(f"{fields['year']}年度继续教育学时证明 {fields['number']}")
    title = f"{fields['year']} 年度专业技术人员继续教育学时证明"
    draw_text(canvas, width / 2, height - 72, title, 18, color=RED, align="center")
    draw_text(canvas, LEFT, height - 110, f"姓名：{page.name}　　身份证号：{fields['id_number_masked']}", 11)
    y = _totals_table(canvas, height - 140, fields)
    y = _entry_header(canvas, y - 30, width)
    for entry in fields["entries"]:
        lines = wrap(entry["title"], font_of(entry["title"]), 10, 264)
        if y - 16 - 14 * len(lines) < BOTTOM + 20:
            _footer(canvas, page, width)
            canvas.showPage()
            y = _entry_header(canvas, height - 72, width)
        y -= 16
        draw_text(canvas, 330, y, SOURCES.get(entry["source"], entry["source"]), 10)
        draw_text(canvas, 372, y, CATEGORIES.get(entry["category"], entry["category"]), 10)
        draw_text(canvas, 430, y, f"{float(entry['hours']):.1f}", 10)
        draw_text(canvas, 476, y, STATUSES.get(entry["status"], entry["status"]), 10)
        for line in lines:
            draw_text(canvas, LEFT, y, line, 10)
            y -= 14
        y += 14
    if not fields["entries"]:
        draw_text(canvas, LEFT, y - 20, "本年度暂无学时记录。", 10, color=MUTED)
    _footer(canvas, page, width)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


__all__ = ["NotPrintable", "StatementPage", "statement_pdf", "statement_url"]
