"""A trainee without a password at the door (issue 12, DOMAIN.md §2), in real browsers: the base
admin issues a one-time login code from the trainee's row of the enrolment list, the trainee logs
in with it on a phone, must set a new password, and lands on their home page — timed; and a scan
opened before logging in still goes through after the new password."""

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from basesys.accounts.models import User
from basesys.attendance.models import Attendance
from basesys.core.time import now_utc
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD

NEW_PASSWORD = "door-pass-2025"


@pytest.fixture
def live_course(make_course, tenants, enroll):
    """An approved course whose session runs now on the real clock (the live server reads it)."""
    start = now_utc() - timedelta(minutes=10)
    course = make_course(base=tenants.base_a, sessions=[(start, start + timedelta(hours=2))], title="安全生产培训")
    enroll(course, tenants.trainee)
    return course


def issue_from_the_row(page, course, trainee) -> str:
    """The admin's click on 登录码 in the trainee's row (confirming the dialog); the code shown."""
    page.goto(f"/courses/{course.id}")
    row = page.locator("#enrolled tr", has_text=trainee.name)
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button", has_text="登录码").click()
    page.wait_for_selector("#login-code-value")
    code = page.locator("#login-code-value").inner_text().strip()
    assert len(code) == 6 and code.isdigit(), code
    assert "有效" in page.locator(".login-code-expiry").inner_text()
    return code


def log_in_with_code(phone, id_number: str, code: str) -> None:
    """On the login page: open 使用一次性登录码, type the ID number and the code."""
    phone.locator("summary", has_text="使用一次性登录码").click()
    phone.fill("#code-login input[name=id_number]", id_number)
    phone.fill("#code-login input[name=code]", code)
    phone.click("#code-login button[type=submit]")
    phone.wait_for_load_state()


def set_new_password(phone) -> None:
    assert "/account/set-password" in phone.url, phone.url
    assert "设置新密码" in phone.content()
    phone.fill("#set-password input[name=new_password]", NEW_PASSWORD)
    phone.fill("#set-password input[name=confirm]", NEW_PASSWORD)
    phone.click("#set-password button[type=submit]")
    phone.wait_for_load_state()


def test_a_trainee_without_a_password_gets_in_with_a_code(page, phone_page, live_course, tenants, screenshot, db):
    trainee = tenants.trainee
    browser_login(page, tenants.admin_a.username, PASSWORD)
    started = time.monotonic()
    code = issue_from_the_row(page, live_course, trainee)
    screenshot(page, "login-code-issued")

    phone_page.goto("/login")
    assert "忘记密码" in phone_page.content()  # whom to ask
    log_in_with_code(phone_page, trainee.id_number, code)
    phone_page.goto("/")  # anything else first: the new password is owed
    assert "/account/set-password" in phone_page.url
    screenshot(phone_page, "login-code-set-password")
    set_new_password(phone_page)
    elapsed = time.monotonic() - started

    assert urlsplit(phone_page.url).path == "/"  # the trainee's home
    assert f"您好，{trainee.name}" in phone_page.content()
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "login-code-home")
    print(f"\nlogin code: issued by the base admin → trainee on their home page in {elapsed:.1f} s")
    assert elapsed < 60

    db.session.rollback()  # the live server committed since
    user = db.session.get(User, trainee.user_id)
    assert not user.must_change_password
    phone_page.context.clear_cookies()  # the new password is the one that logs in now
    browser_login(phone_page, trainee.id_number, NEW_PASSWORD)
    assert f"您好，{trainee.name}" in phone_page.content()


def test_a_scan_opened_before_the_code_login_still_checks_in(
    page, phone_page, live_course, tenants, api_headers, screenshot, db
):
    course_session = live_course.sessions[0]
    qr = page.request.get(
        f"/api/v1/sessions/{course_session.id}/qr?purpose=in", headers=api_headers(tenants.admin_a)
    ).json()
    browser_login(page, tenants.admin_a.username, PASSWORD)
    code = issue_from_the_row(page, live_course, tenants.trainee)

    phone_page.goto(qr["url"])
    assert "/login" in phone_page.url
    log_in_with_code(phone_page, tenants.trainee.id_number, code)
    set_new_password(phone_page)
    phone_page.wait_for_selector(".scan-result")
    assert phone_page.locator(".scan-result").get_attribute("data-result") == "checked_in"
    screenshot(phone_page, "login-code-scan-checked-in")

    db.session.rollback()
    row = db.session.scalar(db.select(Attendance).where(Attendance.session_id == course_session.id))
    assert row is not None and row.trainee_id == tenants.trainee.id
