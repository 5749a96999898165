"""The certificate PDF as a reader sees it: rendered to PNG (pdftoppm), its QR code decoded (OpenCV),
its text extracted (pdftotext); the hours statement; the streamed ZIP."""

import io
import subprocess
import zipfile
from pathlib import Path

import cv2
import pytest

from basesys.certificates.pdf import (
    CertificatePage,
    NotPrintable,
    StatementLine,
    certificate_pdf,
    hours_statement_pdf,
    write_certificates_zip,
)
from basesys.certificates.services import revoke_certificate
from basesys.certificates.services.queries import certificate_pages
from basesys.core.pdf import cjk_font


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def decode_qr(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "cert.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    image = cv2.imread(str(tmp_path / "page.png"))
    assert image is not None
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def page_of(certificate) -> CertificatePage:
    return CertificatePage.of(certificate, "http://testserver")


def test_certificate_pdf_has_the_name_the_hours_and_a_qr_code_to_the_verification_page(db, finalized, tmp_path):
    certificate = finalized.certificate
    data = certificate_pdf(page_of(certificate))
    assert data.startswith(b"%PDF")
    assert decode_qr(data, tmp_path) == f"http://testserver/v/{certificate.number}?c={certificate.check_code}"
    text = pdf_text(data, tmp_path)
    for expected in (
        "李四",
        "16.0 学时",
        finalized.trainee.id_number_masked,
        certificate.number,
        certificate.check_code,
        finalized.course.title,
        "基地甲",
        finalized.course.filing_number,
        "2025-05-26 至 2025-05-27",
        "专业科目",
        "发证日期：2025-06-02",
    ):
        assert expected in text, expected
    assert finalized.trainee.id_number not in text


def test_certificate_pdf_is_a4_landscape_with_the_cjk_font_embedded(db, finalized, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate_pdf(page_of(finalized.certificate)))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.2" in info and "(A4)" in info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_lines and all(" yes " in line for line in font_lines)  # embedded (and subset)
    assert all("TrueType" in line for line in font_lines) and cjk_font()


def test_a_revoked_certificate_says_so_on_the_pdf(db, finalized, now, tmp_path):
    revoke_certificate(finalized.admin_a, finalized.certificate, reason="错误", now=now)
    text = pdf_text(certificate_pdf(page_of(finalized.certificate)), tmp_path)
    assert "本证书已于 2025-06-02 撤销" in text


def test_a_character_no_font_has_is_never_printed_missing(db, finalized):
    page = page_of(finalized.certificate)
    broken = CertificatePage(**{**page.__dict__, "name": "张𠀀"})
    with pytest.raises(NotPrintable) as error:
        certificate_pdf(broken)
    assert "𠀀" in str(error.value)


def test_a_fallback_font_draws_a_name_the_main_font_lacks(db, finalized, monkeypatch, tmp_path):
    """font_for picks another installed font for a text the main one cannot draw."""
    from basesys.certificates import pdf as module

    calls = []

    def fallback(text):
        calls.append(text)
        return cjk_font()

    monkeypatch.setattr(module, "font_for", fallback)
    certificate_pdf(page_of(finalized.certificate))
    assert "李四" in calls


def test_the_course_zip_streams_every_certificate(db, finalized, tmp_path):
    out = io.BytesIO()
    assert write_certificates_zip(certificate_pages(finalized.course, "http://testserver"), out) == 1
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.namelist() == [f"{finalized.certificate.number}.pdf"]
        assert archive.read(archive.namelist()[0]).startswith(b"%PDF")


def test_hours_statement_lists_the_entries_and_totals(tmp_path):
    from datetime import date

    data = hours_statement_pdf(
        name="李四",
        id_number_masked="3704**********1234",
        year=2025,
        required={"public": 30.0, "professional": 60.0, "total": 90.0},
        issued={"public": 4.0, "professional": 0.0, "total": 4.0},
        recognized={"public": 0.0, "professional": 16.0, "total": 16.0},
        lines=[
            StatementLine(
                "2025年专业技术人员专业科目培训班", "培训", "professional", 16.0, "已认定", "2025-0001-000001"
            )
        ],
        printed_on=date(2025, 6, 2),
    )
    text = pdf_text(data, tmp_path)
    for expected in (
        "2025 年度专业技术人员继续教育学时明细",
        "李四",
        "90.0",
        "16.0",
        "已认定",
        "2025-0001-000001",
        "专业科目培训班",
    ):
        assert expected in text, expected


def test_the_printability_check_reads_the_same_characters_reportlab_draws():
    """core.pdf reads each font's character map on its own (no full parse before a name is checked):
    exactly the characters reportlab maps once it has parsed the font to draw with it."""
    from reportlab.pdfbase import pdfmetrics

    from basesys.core import pdf

    for name in pdf.registered_fonts():
        assert pdf._coverage(name) == set(pdfmetrics.getFont(name).face.charToGlyph)
