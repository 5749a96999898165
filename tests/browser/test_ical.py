"""The trainee subscribes to their calendar in a real browser: the link is read from the page,
fetched over HTTP, parsed with `icalendar` (sessions, times, TZID Asia/Shanghai, VTIMEZONE); a
reset makes the old link 404. And the base admin's month calendar fits a phone."""

import pytest
from icalendar import Calendar

from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, at

pytestmark = pytest.mark.usefixtures("clock")


def test_trainee_subscribes_to_their_feed(phone_page, tenants, make_course, enroll, screenshot, live_server):
    course = make_course(
        base=tenants.base_a,
        title="浏览器订阅的课",
        sessions=[
            (at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
            (at("2025-06-11", "00:30"), at("2025-06-11", "02:00")),
        ],
    )
    make_course(base=tenants.base_a, title="未报名的课")
    enroll(course, tenants.trainee)
    page = phone_page
    browser_login(page, tenants.trainee.id_number, PASSWORD)
    page.click("#feed-create")
    page.wait_for_load_state()
    url = page.input_value("#feed-url")
    assert url.startswith(live_server.url + "/calendar/feed/") and url.endswith(".ics")
    assert page.get_attribute("#feed-webcal", "href") == "webcal://" + url.split("://", 1)[1]
    assert page.get_attribute("#feed-https", "href") == url
    screenshot(page, "ical-trainee-feed")

    response = page.request.get(url)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    events = sorted(calendar.events, key=lambda e: e.start)
    assert [str(e["SUMMARY"]) for e in events] == ["浏览器订阅的课", "浏览器订阅的课"]
    assert [(e.start, e.end) for e in events] == [
        (at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
        (at("2025-06-11", "00:30"), at("2025-06-11", "02:00")),
    ]
    assert all(e["DTSTART"].params["TZID"] == "Asia/Shanghai" for e in events)
    assert str(events[1].start.tzinfo) == "Asia/Shanghai" and events[1].start.utcoffset().total_seconds() == 8 * 3600
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]
    assert str(events[0]["URL"]) == f"{live_server.url}/catalog/{course.id}"

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#feed-reset")
    page.wait_for_load_state()
    new_url = page.input_value("#feed-url")
    assert new_url != url
    assert page.request.get(url).status == 404
    assert page.request.get(new_url).status == 200


def test_admin_month_calendar_fits_a_phone(phone_page, tenants, make_course, screenshot):
    make_course(base=tenants.base_a, title="已备案的课")
    make_course(
        base=tenants.base_a,
        status="returned",
        title="被退回的课",
        sessions=[(at("2025-06-12", "14:00"), at("2025-06-12", "17:00"))],
    )
    page = phone_page
    browser_login(page, tenants.admin_a.username, PASSWORD)
    page.goto("/calendar?d=2025-06-01")
    assert page.locator(".cal-slot.approved", has_text="已备案的课").is_visible()
    assert page.locator(".cal-slot.returned", has_text="被退回的课").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "calendar-month-phone")
    page.click("#cal-next")
    page.wait_for_load_state()
    assert "d=2025-07-01" in page.url and page.locator(".cal-slot").count() == 0


def test_admin_prints_the_enrolment_poster(page, tenants, make_course, screenshot, live_server):
    course = make_course(base=tenants.base_a, title="扫码报名的课")
    browser_login(page, tenants.admin_a.username, PASSWORD)
    page.goto("/calendar?d=2025-06-01")
    assert page.locator(".cal-slot.approved", has_text="扫码报名的课").is_visible()
    assert page.locator(".cal-day").count() == 42  # 26 May – 6 July, whole weeks
    screenshot(page, "calendar-month-desktop")
    page.goto(f"/courses/{course.id}")
    link = page.input_value("#enrol-url")
    assert link == f"{live_server.url}/catalog/{course.id}"
    screenshot(page, "course-enrol-link")
    page.click("text=打印海报")
    page.wait_for_load_state()
    assert page.locator("#poster svg.qr").is_visible() and link in page.inner_text("#poster")
    page.emulate_media(media="print")
    assert not page.locator("header").first.is_visible()
    screenshot(page, "enrol-poster-print")
