"""The course's attendance page (issue 15): the projector offered only while a window is open or to
come today, no completion verdict before the course is finalised, the hours explained on the page."""

import re

import pytest

from basesys.attendance import services
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import at


@pytest.fixture
def week_course(make_course, tenants, enroll):
    """Sessions yesterday, this morning, this afternoon and tomorrow (today: 2025-06-02)."""
    course = make_course(
        base=tenants.base_a,
        sessions=[
            (at("2025-06-01", "09:00"), at("2025-06-01", "12:00")),
            (at("2025-06-02", "09:00"), at("2025-06-02", "12:00")),
            (at("2025-06-02", "14:00"), at("2025-06-02", "17:00")),
            (at("2025-06-03", "09:00"), at("2025-06-03", "12:00")),
        ],
    )
    enroll(course, tenants.trainee)
    return course


def offers(course, moment):
    return [services.projector_purpose(s, DEFAULT_POLICY, now=moment) for s in course.sessions]


# --- services ----------------------------------------------------------------------------------


def test_projector_is_offered_while_a_window_is_open_or_to_come_today(week_course):
    assert offers(week_course, at("2025-06-02", "08:00")) == [None, "in", "in", None]
    assert offers(week_course, at("2025-06-02", "12:10")) == [None, "out", "in", None]  # check-out open to 12:30
    assert offers(week_course, at("2025-06-02", "12:31")) == [None, None, "in", None]
    assert offers(week_course, at("2025-06-02", "17:31")) == [None, None, None, None]


def test_projector_of_an_in_only_session_ends_with_its_check_in(make_course, tenants):
    course = make_course(
        base=tenants.base_a,
        attendance_mode="in_only",
        sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))],
    )
    assert offers(course, at("2025-06-02", "09:10")) == ["in"]
    assert offers(course, at("2025-06-02", "10:00")) == [None]  # in_only closes shortly after the start


def test_projector_day_is_the_local_day_on_both_sides_of_midnight(make_course, tenants):
    """A session at 00:30 Shanghai (16:30 UTC the day before) is not 'today' at 23:50 Shanghai."""
    course = make_course(base=tenants.base_a, sessions=[(at("2025-06-03", "00:30"), at("2025-06-03", "02:00"))])
    assert offers(course, at("2025-06-02", "23:50")) == [None]  # 15:50 UTC, the local day before
    assert offers(course, at("2025-06-03", "00:05")) == ["in"]  # 16:05 UTC on 06-02, the session's local day


def test_completion_is_no_verdict_before_the_course_is_finalised(week_course, tenants, now, db):
    (line,) = services.course_attendance(week_course, DEFAULT_POLICY)
    closes = services.last_scan_close(week_course, DEFAULT_POLICY)
    assert closes == at("2025-06-03", "12:30")

    def state(moment):
        return services.completion_of(week_course, line.credit, closes=closes, now=moment)

    assert state(at("2025-06-02", "10:00")) == "running"
    assert state(at("2025-06-03", "12:31")) == "awaiting"
    week_course.finalized_at = at("2025-06-04", "09:00")
    db.session.commit()
    assert state(at("2025-06-04", "10:00")) == "not_completed"  # nothing attended: now a verdict


# --- the page ----------------------------------------------------------------------------------


def projector_marks(page_text) -> list[str]:
    return re.findall(r'data-projector="(\w+)"', page_text)


def test_page_offers_the_projector_only_for_todays_open_or_coming_windows(client, week_course, tenants, clock, login):
    login(tenants.admin_a)
    clock.set(at("2025-06-02", "12:10"))
    page = client.get(f"/attendance/courses/{week_course.id}")
    assert projector_marks(page.text) == ["over", "out", "in", "later"]
    assert "打开投影签退" in page.text and "打开投影签到" in page.text and "已结束" in page.text
    assert f"/attendance/sessions/{week_course.sessions[0].id}/projector" not in page.text
    clock.set(at("2025-06-04", "09:00"))
    later = client.get(f"/attendance/courses/{week_course.id}")
    assert projector_marks(later.text) == ["over"] * 4 and "打开投影" not in later.text


def test_home_panel_offers_no_projector_once_todays_windows_closed(client, week_course, tenants, clock, login):
    login(tenants.admin_a)
    clock.set(at("2025-06-02", "12:40"))
    home = client.get("/")
    assert projector_marks(home.text) == ["over", "in"]


def completion_cells(page_text) -> list[str]:
    return re.findall(r'data-completion="(\w+)"', page_text)


def test_page_says_in_progress_then_awaiting_then_the_verdict(
    client, running_course, tenants, clock, login, attend, db
):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, at("2025-06-02", "08:55"), at("2025-06-02", "12:00"))
    login(tenants.admin_a)
    path = f"/attendance/courses/{running_course.id}"
    running = client.get(path).text
    assert completion_cells(running) == ["running"] and "进行中" in running and "未结业" not in running
    clock.set(at("2025-06-02", "12:31"))  # the check-out window closed at 12:30
    awaiting = client.get(path).text
    assert completion_cells(awaiting) == ["awaiting"] and "待结业" in awaiting and "未结业" not in awaiting
    running_course.finalized_at = clock()
    db.session.commit()
    final = client.get(path).text
    assert completion_cells(final) == ["completed"] and "已结业" in final and "→ 结业" in final


def test_hours_are_explained_on_the_page_not_in_a_hover(client, running_course, tenants, clock, login, attend):
    attend(running_course.sessions[0], tenants.trainee, at("2025-06-02", "08:55"))
    login(tenants.admin_a)
    page = client.get(f"/attendance/courses/{running_course.id}").text
    grid = page.split('class="table attendance-grid"')[1].split("</table>")[0]
    whys = re.findall(r'<small class="why">([^<]+)</small>', grid)
    assert "08:55 签到，未签退 → 0" in whys  # the session's computation, visible text
    assert any(why.startswith("认定 0.0 学时；结业线") and "→" not in why for why in whys)  # no verdict yet
    assert 'title="' not in grid.split("</thead>")[1]  # nothing is left behind a hover
    assert "悬停" not in page


def test_a_session_not_yet_open_is_not_yet_missed(client, week_course, tenants, clock, login):
    login(tenants.admin_a)
    clock.set(at("2025-06-02", "10:00"))
    grid = client.get(f"/attendance/courses/{week_course.id}").text.split("attendance-grid")[1]
    # yesterday and this morning are missed; this afternoon and tomorrow have not started
    assert grid.count("未签到 → 0") == 2 and grid.count("未开始") == 2
