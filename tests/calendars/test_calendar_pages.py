"""The base admin's calendar pages: month and week, colours and legend, navigation, per course,
and the tenant walls (another base's course is 404, other roles 403)."""

import re

import pytest

from tests.conftest import at

pytestmark = pytest.mark.usefixtures("clock")  # now: Monday 2 June 2025, 09:00 in Shanghai


def test_month_calendar_shows_the_bases_sessions_coloured_by_state(client, login, tenants, make_course):
    draft = make_course(base=tenants.base_a, status="draft", title="草稿项目")
    returned = make_course(
        base=tenants.base_a,
        status="returned",
        title="退回项目",
        sessions=[(at("2025-06-20", "14:00"), at("2025-06-20", "17:00"))],
    )
    make_course(base=tenants.base_b, title="别的基地项目")
    login(tenants.admin_a)
    page = client.get("/calendar")
    assert page.status_code == 200
    html = page.text
    assert "草稿项目" in html and "退回项目" in html and "别的基地项目" not in html
    assert f'class="cal-slot draft" href="/courses/{draft.id}"' in html
    assert f'class="cal-slot returned" href="/courses/{returned.id}"' in html
    legend = html.split('id="cal-legend"')[1].split("</ul>")[0]
    assert all(label in legend for label in ("草稿", "待审核", "已备案", "已退回"))
    assert 'data-date="2025-06-10"' in html and 'data-date="2025-05-26"' in html  # whole weeks
    assert "view=month&amp;d=2025-05-01" in html and "view=month&amp;d=2025-07-01" in html


def test_week_calendar_and_its_navigation(client, login, tenants, make_course):
    make_course(
        base=tenants.base_a, title="六月十日", sessions=[(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))]
    )
    make_course(
        base=tenants.base_a, title="六月二十日", sessions=[(at("2025-06-20", "09:00"), at("2025-06-20", "12:00"))]
    )
    login(tenants.admin_a)
    html = client.get("/calendar?view=week&d=2025-06-11").text
    assert "六月十日" in html and "六月二十日" not in html
    assert len(re.findall(r'class="cal-day', html)) == 7
    assert "view=week&amp;d=2025-06-02" in html and "view=week&amp;d=2025-06-16" in html
    assert "09:00–12:00" in html  # local times


def test_session_after_local_midnight_shows_on_the_later_day(client, login, tenants, make_course):
    make_course(base=tenants.base_a, title="凌晨课", sessions=[(at("2025-06-09", "00:30"), at("2025-06-09", "02:00"))])
    login(tenants.admin_a)
    html = client.get("/calendar?view=week&d=2025-06-09").text
    day = html.split('data-date="2025-06-09"')[1].split("</section>")[0]
    assert "凌晨课" in day and "00:30–02:00" in day
    assert "凌晨课" not in client.get("/calendar?view=week&d=2025-06-08").text


@pytest.mark.parametrize("d", ["", "not-a-date", "1000-01-01", "9999-12-31", "2025-02-30", "2025-06-1"])
def test_bad_dates_fall_back_to_today(client, login, tenants, d):
    login(tenants.admin_a)
    page = client.get(f"/calendar?d={d}&view=week")
    assert page.status_code == 200
    assert 'data-date="2025-06-02"' in page.text  # this week


def test_nul_in_the_date_is_refused_not_a_500(client, login, tenants):
    login(tenants.admin_a)
    assert 400 <= client.get("/calendar?d=2025-06-01%00").status_code < 500


def test_course_calendar_opens_on_its_first_session(client, login, tenants, make_course):
    course = make_course(
        base=tenants.base_a, title="九月的课", sessions=[(at("2025-09-03", "09:00"), at("2025-09-03", "12:00"))]
    )
    make_course(
        base=tenants.base_a, title="同月别的课", sessions=[(at("2025-09-04", "09:00"), at("2025-09-04", "12:00"))]
    )
    login(tenants.admin_a)
    html = client.get(f"/courses/{course.id}/calendar").text
    assert "九月的课" in html and "同月别的课" not in html
    assert 'data-date="2025-09-03"' in html
    assert f"/courses/{course.id}/calendar?view=week&amp;d=2025-09-01" in html


def test_course_calendar_of_another_base_is_404(client, login, tenants, make_course):
    course = make_course(base=tenants.base_b)
    login(tenants.admin_a)
    assert client.get(f"/courses/{course.id}/calendar").status_code == 404
    assert client.get("/courses/2147483648/calendar").status_code == 404


@pytest.mark.parametrize("who", ["officer_a", "trainee", "sysadmin"])
def test_calendar_is_the_base_admins(client, login, tenants, make_course, who):
    course = make_course(base=tenants.base_a)
    login(getattr(tenants, who))
    assert client.get("/calendar").status_code == 403
    assert client.get(f"/courses/{course.id}/calendar").status_code in (403, 404)


def test_logged_out_visitor_is_sent_to_login(client):
    assert client.get("/calendar").status_code == 302


def test_calendar_is_in_the_admins_nav_and_course_page(client, login, tenants, make_course):
    course = make_course(base=tenants.base_a)
    login(tenants.admin_a)
    assert 'href="/calendar"' in client.get("/").text
    assert f'href="/courses/{course.id}/calendar"' in client.get(f"/courses/{course.id}").text
