"""A base admin registers a two-day advanced seminar, files it; the officer returns it with a comment;
the admin fixes and resubmits; the officer approves. Then a trainee enrols from a phone.

Real chromium against the live server (which reads the real clock, so dates are relative to today).
"""

import re
from datetime import date, timedelta

from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD


def logout(page) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_load_state()


def fill_seminar(page, first_day: date) -> None:
    page.fill("#title", "数字经济高级研修班")
    page.select_option("#kind", "advanced_seminar")
    assert page.eval_on_selector("#category", "el => el.value") == "professional"  # a seminar is professional
    page.fill("#location", "枣庄职业学院报告厅")
    page.fill("#target", "全市经济系列专业技术人员")
    page.fill("#planned_headcount", "40")
    page.fill("#responsible", "王主任")
    page.fill("#contact", "李老师")
    page.fill("#contact_phone", "0632-1234567")
    page.fill("#plan", "两天研修")
    page.fill("input[name='sessions-0-day']", first_day.isoformat())
    page.fill("input[name='sessions-0-start']", "09:00")
    page.fill("input[name='sessions-0-end']", "12:00")


def test_seminar_is_filed_returned_fixed_and_approved(page, tenants, screenshot, db):
    first_day = date.today() + timedelta(days=14)

    # The base admin registers the seminar: the second day's row is added by the page's script.
    browser_login(page, tenants.admin_a.username, PASSWORD)
    page.goto("/courses/new")
    fill_seminar(page, first_day)
    page.click("[data-add-row]")
    assert page.locator("tr.session-row").count() == 2
    second = page.locator("tr.session-row").nth(1)
    assert second.locator("[data-field=day]").input_value() == (first_day + timedelta(days=1)).isoformat()
    assert second.locator("[data-field=start]").input_value() == "09:00"
    assert page.text_content("[data-total-days]") == "2"
    assert page.text_content("[data-total-hours]") == "16.0"  # 8 a day for a seminar
    screenshot(page, "course-form-seminar")
    page.click("button.primary:has-text('保存')")
    page.wait_for_load_state()
    assert "已保存" in page.content()
    assert "高级研修项目" in page.content()
    course_url = page.url
    assert re.search(r"/courses/\d+$", course_url)

    page.click("#submit-filing")
    page.wait_for_load_state()
    assert "已提交人社部门审核" in page.content()
    logout(page)

    # The officer returns it with a comment.
    browser_login(page, tenants.officer_a.username, PASSWORD)
    page.goto("/filing/")
    page.click("a.course-title:has-text('数字经济高级研修班')")
    page.wait_for_load_state()
    page.click("#return")  # without a comment first: refused on the page
    page.wait_for_load_state()
    assert "退回时必须填写审核意见" in page.content()
    page.fill("#comment", "请补充授课专家和每天的课程安排。")
    screenshot(page, "filing-review")
    page.click("#return")
    page.wait_for_load_state()
    assert "已退回基地" in page.content()
    logout(page)

    # The admin sees the comment, fixes the plan and resubmits.
    browser_login(page, tenants.admin_a.username, PASSWORD)
    page.goto(course_url)
    assert "请补充授课专家和每天的课程安排。" in page.text_content("#returned-notice")
    page.click("a:has-text('编辑')")
    page.wait_for_load_state()
    page.fill("#plan", "第一天：数字经济政策（张教授）；第二天：企业数字化转型案例（李研究员）。结业考核。")
    page.click("button.primary:has-text('保存')")
    page.wait_for_load_state()
    page.click("#submit-filing")
    page.wait_for_load_state()
    assert "已提交人社部门审核" in page.content()
    logout(page)

    # The officer approves: a filing number is assigned.
    browser_login(page, tenants.officer_a.username, PASSWORD)
    page.goto("/filing/")
    page.click("a.course-title:has-text('数字经济高级研修班')")
    page.wait_for_load_state()
    assert "修改后重新提交" in page.content()  # the history shows the round trip
    page.fill("#comment", "同意备案。")
    page.click("#approve")
    page.wait_for_load_state()
    flash = page.text_content(".flash-success")
    number = re.search(r"备\d{4}-\d{4}-\d{4}", flash).group(0)
    page.goto("/filing/?tab=decisions")
    assert number in page.content() and "请补充授课专家" in page.content()
    screenshot(page, "filing-decisions")
    logout(page)

    browser_login(page, tenants.admin_a.username, PASSWORD)
    page.goto(course_url)
    assert number in page.content() and "已备案" in page.content()
    screenshot(page, "course-approved")


def test_trainee_enrols_from_a_phone(phone_page, tenants, make_course, make_trainee, screenshot):
    from tests.conftest import at

    start = date.today() + timedelta(days=10)
    make_course(
        base=tenants.base_a,
        title="手机报名的培训班",
        sessions=[(at(start.isoformat(), "09:00"), at(start.isoformat(), "12:00"))],
    )
    trainee = make_trainee(name="手机学员", bureau_id=tenants.city_a.id)
    browser_login(phone_page, trainee.id_number, PASSWORD)
    phone_page.goto("/catalog")
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone_page.click("a:has-text('手机报名的培训班')")
    phone_page.wait_for_load_state()
    phone_page.click("#enrol")
    phone_page.wait_for_load_state()
    assert "报名成功" in phone_page.content()
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "catalog-enrolled-phone")
