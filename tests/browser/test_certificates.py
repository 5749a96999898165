"""Certificates in a real browser: the base admin finalises the course from its preview, the trainee
downloads the PDF on a phone, a stranger scans its QR code and verifies it on a phone-sized page,
the bureau revokes it, and the page then says revoked."""

import subprocess
from pathlib import Path

import cv2

from basesys.certificates.models import Certificate
from basesys.extensions import db
from tests.browser.conftest import browser_login
from tests.certificates import conftest as certificate_fixtures
from tests.conftest import PASSWORD

attend, finished = certificate_fixtures.attend, certificate_fixtures.finished


def _qr_url(pdf: Path, tmp_path: Path) -> str:
    """The QR code's text, rendered at a few resolutions: OpenCV's detector misses some codes at one
    resolution that it reads at another (a make test run once read nothing at 110 dpi)."""
    for dpi in (110, 150, 200, 300):
        stem = tmp_path / f"page-{dpi}"
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(pdf), str(stem)], check=True)
        text, _points, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(f"{stem}.png"))
        if text:
            return text
    return ""


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_finalise_download_verify_on_a_phone_revoke_and_verify_again(
    page, phone_page, finished, live_server, screenshot, tmp_path
):
    finalized = finished
    db.session.commit()

    # The base admin checks the preview (who completes, and why not) and finalises.
    browser_login(page, finished.admin_a.username, PASSWORD)
    page.goto(f"/courses/{finished.course.id}/finalize")
    preview = page.inner_text("table")
    assert "李四" in preview and "王五" in preview and "未结业" in preview
    screenshot(page, "finalize-preview")
    page.check("#confirm")
    page.click("form button.primary[type=submit]")
    page.wait_for_load_state()
    assert "已结业：结业 1 人，未结业 1 人，发放证书 1 份。" in page.content()
    screenshot(page, "course-certificates")
    page.context.clear_cookies()
    db.session.commit()  # end the test's read snapshot: the live server wrote meanwhile
    certificate = db.session.scalar(db.select(Certificate))
    number, code = certificate.number, certificate.check_code

    # The trainee, on their phone, downloads the certificate.
    browser_login(phone_page, finalized.trainee.id_number, PASSWORD)
    phone_page.goto("/me/certificates")
    assert number in phone_page.content() and _no_horizontal_scroll(phone_page)
    screenshot(phone_page, "my-certificates-phone")
    # Inside WeChat (the phone's user agent) the PDF opens inline, with the hint how to save it.
    assert phone_page.is_visible("#wechat-hint")
    href = phone_page.get_attribute("text=下载 PDF", "href")
    answer = phone_page.request.get(href)  # the phone's cookies and user agent
    assert answer.ok and answer.headers["content-disposition"].startswith("inline")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(answer.body())
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "李四" in text and "16.0 学时" in text
    url = _qr_url(pdf, tmp_path)
    assert url == f"{live_server.url}/v/{number}?c={code}"
    phone_page.goto("/me/hours?year=2025")
    assert "16.0" in phone_page.content() and _no_horizontal_scroll(phone_page)
    screenshot(phone_page, "my-hours-phone")
    phone_page.context.clear_cookies()

    # A stranger scans the QR code: valid, with the masked name only, no login needed.
    phone_page.goto(url)
    verdict = phone_page.locator(".cert-verdict")
    assert verdict.get_attribute("data-status") == "valid" and "证书有效" in verdict.inner_text()
    body = phone_page.inner_text("main")
    assert "李*" in body and "李四" not in body and finalized.course.title in body and "16.0" in body
    assert _no_horizontal_scroll(phone_page)
    screenshot(phone_page, "verify-valid-phone")

    # A wrong check code is simply "not found".
    phone_page.goto(f"/v/{number}?c=AAAAAAAA")
    assert phone_page.locator(".cert-verdict").get_attribute("data-status") == "not_found"

    # The city bureau revokes it from the course's certificate list, with a reason.
    browser_login(page, finalized.officer_a.username, PASSWORD)
    page.goto(f"/courses/{finalized.course.id}/certificates")
    page.click(f"a[href^='/certificates/{number}/revoke']")
    page.wait_for_load_state()
    page.click("button[type=submit].danger")  # no reason: refused, nothing revoked
    page.wait_for_load_state()
    assert page.locator(".field.has-error").count() == 1
    page.fill("textarea[name=reason]", "经核查出勤记录不实")
    screenshot(page, "revoke-form")
    page.click("button[type=submit].danger")
    page.wait_for_load_state()
    assert f"证书 {number} 已撤销" in page.content()
    screenshot(page, "course-certificates-after-revoke")

    # The stranger's page now says revoked, with the date and the reason.
    phone_page.goto(url)
    verdict = phone_page.locator(".cert-verdict")
    assert verdict.get_attribute("data-status") == "revoked"
    assert "证书已撤销" in verdict.inner_text() and "经核查出勤记录不实" in verdict.inner_text()
    assert _no_horizontal_scroll(phone_page)
    screenshot(phone_page, "verify-revoked-phone")
