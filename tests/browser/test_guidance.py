"""Guidance on the phone in a real browser (issue 12): on a phone-sized WeChat viewport an early
check-out shows the hours it will earn and records only when the trainee confirms."""

from datetime import timedelta

import pytest

from basesys.attendance import services
from basesys.attendance.models import Attendance
from basesys.core.policy import DEFAULT_POLICY
from basesys.core.time import now_utc
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD


@pytest.fixture
def halfway(make_course, tenants, enroll, db):
    """A 3-hour session (4.0 学时) on the real clock, 90 minutes in; the trainee checked in at its start."""
    start = now_utc().replace(microsecond=0) - timedelta(minutes=90)
    course = make_course(base=tenants.base_a, sessions=[(start, start + timedelta(hours=3))], title="安全生产培训")
    enroll(course, tenants.trainee)
    course_session = course.sessions[0]
    db.session.add(
        Attendance(
            session_id=course_session.id,
            trainee_id=tenants.trainee.id,
            check_in_at=start,
            created_at=start,
            updated_at=start,
        )
    )
    db.session.commit()
    return course_session


def stored_checkout(db, course_session):
    db.session.rollback()  # the live server committed since
    return db.session.scalar(db.select(Attendance.check_out_at).where(Attendance.session_id == course_session.id))


def test_early_checkout_asks_first_on_a_phone(phone_page, halfway, tenants, screenshot, db):
    browser_login(phone_page, tenants.trainee.id_number, PASSWORD)
    token = services.issue_code(halfway, "out", now=now_utc(), policy=DEFAULT_POLICY).token
    phone_page.goto(f"/q/{token}")
    confirm = phone_page.locator("[data-result=confirm_checkout]")
    confirm.wait_for()
    assert "现在提前签退吗" in confirm.inner_text()
    assert phone_page.locator("#preview-hours strong").inner_text() == "2.0"  # 4 × 90/180, the engine's figure
    assert "4.0" in phone_page.locator("#preview-hours").inner_text()
    button = phone_page.locator("#confirm-checkout")
    box = button.bounding_box()
    assert box and box["y"] + box["height"] <= 844 and box["width"] >= 300  # reachable without scrolling
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "phone-early-checkout-confirm")
    assert phone_page.locator("form[data-auto-submit]").count() == 0  # nothing posts by itself
    assert stored_checkout(db, halfway) is None

    button.click()
    phone_page.wait_for_selector(".scan-result[data-result=checked_out]")
    assert "本课次：2.0 / 4.0 学时" in phone_page.locator("#credited").inner_text()
    screenshot(phone_page, "phone-early-checkout-done")
    assert stored_checkout(db, halfway) is not None


def test_not_now_records_nothing(phone_page, halfway, tenants, db):
    browser_login(phone_page, tenants.trainee.id_number, PASSWORD)
    token = services.issue_code(halfway, "out", now=now_utc(), policy=DEFAULT_POLICY).token
    phone_page.goto(f"/q/{token}")
    phone_page.click("#not-now")
    phone_page.wait_for_load_state()
    assert "/q/" not in phone_page.url
    assert stored_checkout(db, halfway) is None
