"""The whole QR check-in in real browsers: the admin's projector shows a code; a logged-out trainee's
phone opens the decoded URL, logs in, and lands checked in without scanning again."""

from datetime import timedelta

import cv2
import pytest

from basesys.attendance.models import Attendance
from basesys.core.time import now_utc
from tests.browser.conftest import ARTIFACTS, browser_login
from tests.conftest import PASSWORD


def decode_qr(path) -> str:
    """The QR code's text in a screenshot (OpenCV): two detectors, on the image, thresholded, half size."""
    image = cv2.imread(str(path))
    assert image is not None, path
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    _ok, binary = cv2.threshold(gray, 128, 255, cv2.THRESH_BINARY)
    half = cv2.resize(binary, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    detectors = [cv2.QRCodeDetector()]
    if hasattr(cv2, "QRCodeDetectorAruco"):  # finds codes the classic detector misses at some sizes
        detectors.append(cv2.QRCodeDetectorAruco())
    for detector in detectors:
        for candidate in (image, binary, half):
            text, _points, _raw = detector.detectAndDecode(candidate)
            if text:
                return text
    return ""


def decode_projector(page, shot) -> str:
    """Decode the whole screenshot; if OpenCV misses it there, a screenshot of the QR element alone."""
    url = decode_qr(shot)
    if not url:
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#qr").screenshot(path=str(ARTIFACTS / "projector-qr.png"))
        url = decode_qr(ARTIFACTS / "projector-qr.png")
    return url


@pytest.fixture
def live_course(make_course, tenants, enroll):
    """An approved course whose session runs now on the real clock (the live server reads it)."""
    start = now_utc() - timedelta(minutes=10)
    course = make_course(base=tenants.base_a, sessions=[(start, start + timedelta(hours=2))], title="安全生产培训")
    enroll(course, tenants.trainee)
    return course


def test_projector_qr_checks_in_a_logged_out_phone(page, phone_page, live_course, tenants, screenshot, db):
    course_session = live_course.sessions[0]
    browser_login(page, tenants.admin_a.username, PASSWORD)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"/attendance/sessions/{course_session.id}/projector")
    page.wait_for_selector("#qr svg")
    assert page.locator("#count-main").inner_text() == "0"
    url = decode_projector(page, screenshot(page, "projector-1080p"))
    assert "/q/" in url, url

    phone_page.goto(url)
    assert "/login" in phone_page.url
    phone_page.fill("input[name=username]", tenants.trainee.id_number)
    phone_page.fill("input[name=password]", PASSWORD)
    phone_page.click("button[type=submit]")
    phone_page.wait_for_selector(".scan-result")
    result = phone_page.locator(".scan-result")
    assert result.get_attribute("data-result") == "checked_in"
    assert "签到成功" in result.inner_text()
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "phone-checked-in")

    trainee_id = tenants.trainee.id
    db.session.rollback()  # end the test's read snapshot: the live server committed since
    row = db.session.scalar(db.select(Attendance).where(Attendance.session_id == course_session.id))
    assert row is not None and row.trainee_id == trainee_id and row.check_in_device

    page.wait_for_function("() => document.getElementById('count-main').textContent === '1'", timeout=10000)
    screenshot(page, "projector-after-scan")

    page.goto(f"/attendance/courses/{live_course.id}")
    assert "安全生产培训" in page.content() and "未签退" in page.content()
    screenshot(page, "attendance-course")

    phone_page.goto(url)  # scanning again on the same (now logged-in) phone
    phone_page.wait_for_selector(".scan-result")
    assert phone_page.locator(".scan-result").get_attribute("data-result") == "already_checked_in"


def test_projector_fits_a_laptop_and_switches_to_check_out(page, live_course, tenants, screenshot):
    course_session = live_course.sessions[0]
    browser_login(page, tenants.admin_a.username, PASSWORD)
    page.goto(f"/attendance/sessions/{course_session.id}/projector")
    page.click("text=签退")
    page.wait_for_selector("#qr svg")
    assert "purpose=out" in page.url and "请用手机扫码签退" in page.content()
    box = page.locator("#qr").bounding_box()
    assert box["height"] <= 800 and box["y"] + box["height"] <= 800
    assert page.evaluate("() => document.documentElement.scrollHeight") <= 800
    url = decode_projector(page, screenshot(page, "projector-laptop-checkout"))
    assert "/q/" in url and "o" in url.rsplit("/q/", 1)[1].split(".")[0]
