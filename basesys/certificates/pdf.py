"""Certificate PDFs (A4 landscape), the trainee's hours statement (A4 portrait) and a course's ZIP.

Every text is drawn with an embedded TrueType font that has all of its characters (core.pdf): a
name is never printed with a character silently dropped — such a certificate is refused instead.
PDFs are produced one at a time and streamed (the ZIP writes each entry as it is drawn), so memory
stays flat however many certificates a course has.
"""

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from basesys.core.pdf import INK, cjk_font, draw_qr, font_for, missing_glyphs, qr_matrix, registered_fonts
from basesys.core.time import local_date
from basesys.courses.models import CATEGORIES, KINDS

RED = HexColor("#b3261e")
MUTED = HexColor("#656d76")
GOLD = HexColor("#c9a227")


class NotPrintable(ValueError):
    """A text has a character no installed font can draw; the message says which (Chinese)."""


def font_of(text: str) -> str:
    registered_fonts()
    font = font_for(text)
    if font is None:
        missing = "".join(missing_glyphs(text))
        raise NotPrintable(f"「{text}」中的字符「{missing}」没有可用的字体，无法打印。")
    return font


def verification_url(base_url: str, number: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/v/{number}?c={code}"


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break a (CJK) text into lines that fit `width`, character by character."""
    lines, line = [], ""
    for char in text:
        if stringWidth(line + char, font, size) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines or [""]


VALUE_WIDTH = 390  # a value never runs into the QR code (x ≥ 596)
MAX_VALUE_LINES = 3


def fit(text: str, font: str, size: float, width: float) -> tuple[float, list[str]]:
    """The largest size (down to 9 pt) at which the text wraps into at most three lines."""
    while True:
        lines = wrap(text, font, size, width)
        if len(lines) <= MAX_VALUE_LINES or size <= 9:
            return size, lines
        size -= 1


def draw_text(canvas: Canvas, x: float, y: float, text: str, size: float, *, color=INK, align="left") -> None:
    canvas.setFont(font_of(text), size)
    canvas.setFillColor(color)
    if align == "center":
        canvas.drawCentredString(x, y, text)
    elif align == "right":
        canvas.drawRightString(x, y, text)
    else:
        canvas.drawString(x, y, text)


@dataclass(frozen=True)
class CertificatePage:
    """Everything printed on a certificate, read from the signed payload and the certificate row."""

    number: str
    check_code: str
    name: str
    id_number_masked: str
    course_title: str
    category: str
    kind: str
    hours: float
    starts_on: str
    ends_on: str
    base_name: str
    filing_number: str
    issued_on: str
    key_id: str
    verify_url: str
    revoked_on: str | None = None

    @classmethod
    def of(cls, certificate, base_url: str) -> "CertificatePage":
        signed = json.loads(certificate.payload)
        return cls(
            number=certificate.number,
            check_code=certificate.check_code,
            name=certificate.holder_name,
            id_number_masked=signed["id_number_masked"],
            course_title=signed["course_title"],
            category=signed["category"],
            kind=signed.get("kind", ""),
            hours=float(signed["hours"]),
            starts_on=signed["starts_on"],
            ends_on=signed["ends_on"],
            base_name=signed["base_name"],
            filing_number=signed["filing_number"],
            issued_on=signed["issued_on"],
            key_id=signed["kid"],
            verify_url=verification_url(base_url, certificate.number, certificate.check_code),
            revoked_on=local_date(certificate.revoked_at).isoformat() if certificate.revoked_at else None,
        )


def check_printable(page: CertificatePage) -> None:
    """Refuses (NotPrintable) before anything is drawn."""
    for text in (page.name, page.course_title, page.base_name, page.filing_number):
        font_of(text)


def _frame(canvas: Canvas, width: float, height: float) -> None:
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(6)
    canvas.rect(22, 22, width - 44, height - 44)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.2)
    canvas.rect(34, 34, width - 68, height - 68)


def draw_certificate(canvas: Canvas, page: CertificatePage) -> None:
    """One A4 landscape page with every field of DOMAIN.md §8, the issuer block (发证单位（盖章）),
    the verification QR code and, in a small footer, how to check the signature offline."""
    width, height = landscape(A4)
    _frame(canvas, width, height)
    draw_text(canvas, width / 2, height - 96, "专业技术人员继续教育培训证书", 30, color=RED, align="center")
    draw_text(canvas, width / 2, height - 118, "Certificate of Continuing Education", 11, color=MUTED, align="center")
    rows = [
        ("姓　　名", page.name),
        ("身份证号", page.id_number_masked),
        ("培训项目", page.course_title),
        # Each on its own labelled line: "专业科目 培训班" side by side left the reader guessing.
        ("科目类别", CATEGORIES.get(page.category, page.category)),
        ("培训形式", KINDS.get(page.kind, page.kind) or "—"),
        ("培训日期", f"{page.starts_on} 至 {page.ends_on}"),
        ("认定学时", f"{page.hours:.1f} 学时"),
        ("培训基地", page.base_name),
        ("备 案 号", page.filing_number or "—"),
    ]
    y = height - 160
    for label, value in rows:
        draw_text(canvas, 96, y, label, 13, color=MUTED)
        size, lines = fit(value, font_of(value), 17 if label == "姓　　名" else 14, VALUE_WIDTH)
        for line in lines:
            draw_text(canvas, 190, y, line, size)
            y -= size + 6
        y -= 6
    draw_text(canvas, 96, y - 4, "经考核合格，准予结业，学时已记入学时银行。特发此证。", 13)
    qr_size = 140
    qr_x, qr_y = width - 96 - qr_size, 206
    draw_qr(canvas, qr_matrix(page.verify_url), qr_x, qr_y, qr_size)
    draw_text(canvas, qr_x + qr_size / 2, qr_y - 16, "扫码验证证书真伪", 10, color=MUTED, align="center")
    _issuer_block(canvas, width, page)
    right = width - 96
    draw_text(canvas, right, 150, f"证书编号：{page.number}", 12, align="right")
    draw_text(canvas, right, 132, f"校验码：{page.check_code}", 12, align="right")
    draw_text(canvas, right, 114, f"发证日期：{page.issued_on}", 12, align="right")
    # The verification footer: small, below everything a reader reads.
    draw_text(canvas, 96, 62, f"查验：{page.verify_url}", 8, color=MUTED)
    draw_text(canvas, 96, 50, f"电子签名：Ed25519，密钥标识 {page.key_id}，可用公布的公钥离线核验。", 8, color=MUTED)
    if page.revoked_on:
        draw_text(canvas, width / 2, height - 140, f"本证书已于 {page.revoked_on} 撤销", 14, color=RED, align="center")
        _revoked_stamp(canvas, width, height, page.revoked_on)


def _issuer_block(canvas: Canvas, width: float, page: CertificatePage) -> None:
    """发证单位（盖章）: the base that issues the certificate, with room around it for its seal."""
    draw_text(canvas, 96, 122, "发证单位（盖章）", 13, color=MUTED)
    size, lines = fit(page.base_name, font_of(page.base_name), 14, 600 - 214)
    y = 122
    for line in lines[:2]:
        draw_text(canvas, 214, y, line, size)
        y -= size + 4


def _revoked_stamp(canvas: Canvas, width: float, height: float, revoked_on: str) -> None:
    canvas.saveState()
    canvas.translate(width / 2, height / 2)
    canvas.rotate(24)
    canvas.setFillColor(Color(0.81, 0.13, 0.18, alpha=0.35))
    text = f"已撤销 REVOKED {revoked_on}"
    canvas.setFont(font_of(text), 54)
    canvas.drawCentredString(0, 0, text)
    canvas.restoreState()


def new_canvas(target, pagesize) -> Canvas:
    """A canvas whose initial font is the embedded CJK font (not a non-embedded Helvetica)."""
    return Canvas(target, pagesize=pagesize, pageCompression=1, initialFontName=cjk_font())


def certificate_pdf(page: CertificatePage, out=None) -> bytes | None:
    """The PDF of one certificate, written to `out` (a binary file) or returned as bytes."""
    check_printable(page)
    target = out if out is not None else io.BytesIO()
    canvas = new_canvas(target, landscape(A4))
    canvas.setTitle(f"继续教育培训证书 {page.number}")
    canvas.setAuthor(page.base_name)
    draw_certificate(canvas, page)
    canvas.showPage()
    canvas.save()
    return None if out is not None else target.getvalue()


def write_certificates_zip(pages: Iterable[CertificatePage], out) -> int:
    """Stream certificates into a ZIP one by one (each entry is written as soon as it is drawn)."""
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for page in pages:
            with archive.open(f"{page.number}.pdf", "w") as entry:
                certificate_pdf(page, entry)
            count += 1
    return count


# --- hours statement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    title: str
    source_label: str  # 培训 (a course) or 申报 (a recognised declaration)
    category: str
    hours: float
    status_label: str
    certificate_number: str


def hours_statement_pdf(
    *,
    name: str,
    id_number_masked: str,
    year: int,
    required: dict,
    issued: dict,
    recognized: dict,
    lines: list[StatementLine],
    printed_on: date,
    requirement_note: str = "",
) -> bytes:
    """The year's ledger entries of both sources and totals against the annual requirement (§10);
    `requirement_note` says why the requirement is reduced (§11 long absence)."""
    width, height = A4
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, A4)
    # A printout of the ledger; the numbered, signed 学时证明 is the statements feature's (§15).
    canvas.setTitle(f"{year}年度继续教育学时明细")
    draw_text(canvas, width / 2, height - 72, f"{year} 年度专业技术人员继续教育学时明细", 18, color=RED, align="center")
    draw_text(canvas, 56, height - 110, f"姓名：{name}　　身份证号：{id_number_masked}", 11)
    y = height - 140
    header = [("", 56), ("公需科目", 200), ("专业科目", 300), ("合计", 400)]
    for label, x in header:
        draw_text(canvas, x, y, label, 10, color=MUTED)
    for label, values in (("年度要求", required), ("已发放", issued), ("已认定", recognized)):
        y -= 18
        draw_text(canvas, 56, y, label, 10)
        for key, x in (("public", 200), ("professional", 300), ("total", 400)):
            draw_text(canvas, x, y, f"{values[key]:.1f}", 10)
    if requirement_note:
        y -= 18
        draw_text(canvas, 56, y, requirement_note, 9, color=MUTED)
    y -= 34
    columns = [("项目", 56), ("来源", 262), ("类别", 300), ("学时", 360), ("状态", 410), ("证书编号", 460)]
    for label, x in columns:
        draw_text(canvas, x, y, label, 10, color=MUTED)
    y -= 6
    canvas.setStrokeColor(MUTED)
    canvas.line(56, y, width - 56, y)
    for line in lines:
        font = font_of(line.title)
        wrapped = wrap(line.title, font, 10, 200)
        if y - 18 * len(wrapped) < 80:
            canvas.showPage()
            y = height - 72
        y -= 16
        draw_text(canvas, 262, y, line.source_label, 10)
        draw_text(canvas, 300, y, CATEGORIES.get(line.category, line.category), 10)
        draw_text(canvas, 360, y, f"{line.hours:.1f}", 10)
        draw_text(canvas, 410, y, line.status_label, 10)
        draw_text(canvas, 460, y, line.certificate_number or "—", 9)
        for part in wrapped:
            draw_text(canvas, 56, y, part, 10)
            y -= 14
        y += 14
    if not lines:
        draw_text(canvas, 56, y - 20, "本年度暂无学时记录。", 10, color=MUTED)
    draw_text(
        canvas,
        56,
        56,
        f"打印日期：{printed_on.isoformat()}　“已认定”学时已经人社部门学员名单备案确认。",
        9,
        color=MUTED,
    )
    note = "本明细仅供查阅；办理调动、职称申报请使用带编号、校验码和电子签名的学时证明。"
    draw_text(canvas, 56, 42, note, 9, color=MUTED)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
