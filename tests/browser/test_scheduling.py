"""A base admin copies a course to a new first date, then books on the copy a venue another course
holds at that time and sees the clash on the page (issue 13). Real chromium against the live server.
Dates are fixed in one future year (the copy keeps one calendar year, whatever today is)."""

from dataclasses import replace

from basesys.courses.models import Course
from basesys.courses.services import create_course, records
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, at
from tests.courses.conftest import course_values

YEAR = "2031"  # 2031-04-08 is a Tuesday


def _course(tenants, now, title, spans, venue=None):
    from basesys.courses.services import SessionInput

    items = [SessionInput(at(f"{YEAR}-{day}", start), at(f"{YEAR}-{day}", end)) for day, start, end in spans]
    if venue is not None:
        items = [replace(item, venue_id=venue.id, teacher_ids=()) for item in items]
    return create_course(tenants.admin_a, tenants.base_a, values=course_values(title=title), sessions=items, now=now)


def test_admin_copies_a_course_then_sees_a_venue_clash(page, tenants, db, now, screenshot):
    room = records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "101教室", "capacity": 80}, now=now)
    source = _course(tenants, now, "安全生产培训班", [("03-04", "09:00", "12:00"), ("03-06", "14:00", "17:00")])
    _course(tenants, now, "已排的课程", [("04-08", "10:00", "11:30")], venue=room)
    source_id, room_id, username = source.id, room.id, tenants.admin_a.username
    db.session.commit()  # and no query until the browser is done writing (SQLite's one writer)

    browser_login(page, username, PASSWORD)
    page.goto(f"/courses/{source_id}")
    with page.expect_navigation():
        page.click("#copy-course")
    page.fill("#first_day", f"{YEAR}-04-08")  # a Tuesday, as the first session (the Thursday follows)
    with page.expect_navigation():
        page.click("#copy-form button.primary")
    assert "已复制为草稿" in page.content()
    assert f"{YEAR}-04-08" in page.content() and f"{YEAR}-04-10" in page.content()
    db.session.commit()  # end the test's read snapshot: the live server wrote the copy
    copy = db.session.scalar(db.select(Course).where(Course.title == "安全生产培训班", Course.id != source_id))
    assert copy is not None and copy.filing_status == "draft"

    with page.expect_navigation():
        page.click("a.button:has-text('编辑')")
    page.select_option("select[name='sessions-0-venue_id']", str(room_id))
    with page.expect_navigation():
        page.click("button.primary:has-text('保存')")
    content = page.content()
    screenshot(page, "scheduling-venue-clash")
    assert "场地「101教室」在该时段已被《已排的课程》的课次" in content
    assert page.locator("tr.row-error").count() >= 1
    db.session.commit()
    assert all(s.venue_id is None for s in db.session.get(Course, copy.id).sessions)


def test_admin_adds_repeating_sessions_from_the_course_page(page, tenants, db, now, screenshot):
    course = _course(tenants, now, "周末研修班", [("05-03", "09:00", "12:00")])
    course_id, username = course.id, tenants.admin_a.username
    db.session.commit()  # and no query after it: on SQLite a new transaction would hold the write lock
    browser_login(page, username, PASSWORD)
    page.goto(f"/courses/{course_id}")
    page.click("details.pattern summary")
    page.fill("#pattern-form #first_day", f"{YEAR}-05-06")
    page.check("#pattern-form input[name=weekdays][value='1']")  # 周二
    page.check("#pattern-form input[name=weekdays][value='3']")  # 周四
    page.fill("#pattern-form #start", "14:00")
    page.fill("#pattern-form #end", "17:00")
    page.fill("#pattern-form #weeks", "2")
    screenshot(page, "scheduling-pattern-form")
    with page.expect_navigation(timeout=8000):
        page.press("#pattern-form #topic", "Enter")
    assert "已添加 4 个课次" in page.content()
    for day in ("05-06", "05-08", "05-13", "05-15"):
        assert f"{YEAR}-{day}" in page.content()
