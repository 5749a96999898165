"""DOMAIN.md §3: all sessions of a course lie in one local calendar year, the course's year."""

from datetime import datetime, timezone

import pytest

from basesys.core.errors import ValidationFailed
from basesys.core.policy import DEFAULT_POLICY
from basesys.courses.models import Course
from basesys.courses.services import SessionInput, check_sessions, create_course, policy_for_course, update_course
from basesys.courses.year import course_year, sessions_year
from tests.conftest import at
from tests.courses.conftest import course_values, sessions
from tests.courses.test_api import SEMINAR
from tests.courses.test_views import course_form

UTC = timezone.utc


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_course_from_30_december_to_2_january_is_refused(db, tenants, now):
    spans = sessions(
        ("2025-12-30", "09:00", "12:00"), ("2025-12-31", "09:00", "12:00"), ("2026-01-02", "09:00", "12:00")
    )
    with pytest.raises(ValidationFailed) as error:
        create_course(tenants.admin_a, tenants.base_a, values=course_values(), sessions=spans, now=now)
    assert error.value.code == "sessions_span_years" and error.value.status == 422
    assert set(error.value.fields) == {"sessions.2.starts_at"}  # the row outside the first session's year
    assert "2025" in error.value.fields["sessions.2.starts_at"]
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 0


def test_the_year_is_the_local_one_on_both_sides_of_1600_utc_on_31_december():
    first = SessionInput(utc("2025-12-30T01:00"), utc("2025-12-30T04:00"))
    before = SessionInput(utc("2025-12-31T14:00"), utc("2025-12-31T15:59"))  # 22:00–23:59 on 31 Dec
    after = SessionInput(utc("2025-12-31T16:00"), utc("2025-12-31T17:00"))  # 00:00–01:00 on 1 Jan
    assert len(check_sessions([first, before], DEFAULT_POLICY)) == 2
    with pytest.raises(ValidationFailed) as error:
        check_sessions([first, after], DEFAULT_POLICY)
    assert error.value.code == "sessions_span_years" and set(error.value.fields) == {"sessions.1.starts_at"}
    assert sessions_year([after.starts_at]) == 2026 and sessions_year([before.starts_at]) == 2025


def test_the_refusal_names_the_first_session_s_year_even_when_listed_last():
    with pytest.raises(ValidationFailed) as error:
        check_sessions(sessions(("2026-01-02", "09:00", "12:00"), ("2025-12-30", "09:00", "12:00")), DEFAULT_POLICY)
    assert set(error.value.fields) == {"sessions.0.starts_at"}


def test_an_edit_adding_a_session_in_the_next_year_is_refused(db, new_course, tenants, now):
    course = new_course(("2025-12-29", "09:00", "12:00"))
    kept = [SessionInput(s.starts_at, s.ends_at, s.title, s.credit_hours, s.id) for s in course.sessions]
    with pytest.raises(ValidationFailed) as error:
        update_course(
            tenants.admin_a, course, values={}, sessions=kept + sessions(("2026-01-05", "09:00", "12:00")), now=now
        )
    assert error.value.code == "sessions_span_years"


def test_the_course_year_selects_the_policy_year(db, new_course, tenants, now):
    course = new_course(("2026-01-05", "09:00", "12:00"))
    assert course_year(course) == 2026
    assert policy_for_course(course) is not None
    course.sessions = []
    assert course_year(course) == now.year  # no sessions yet: the year it was created


def test_the_form_shows_the_year_error_on_its_row(client, login, tenants, db, clock):
    login(tenants.admin_a)
    response = client.post(
        "/courses/new", data=course_form(**{"sessions-0-day": "2025-12-30", "sessions-3-day": "2026-01-02"})
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    row = page.split('data-index="1"')[1]  # the second row shown is the one in 2026
    assert "同一自然年" in row.split("</tbody>")[0] and "row-error" in row
    assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 0


def test_the_api_refuses_a_course_across_the_new_year(client, tenants, api_headers, clock):
    body = dict(
        SEMINAR,
        sessions=[
            {"starts_at": "2025-12-31T09:00:00+08:00", "ends_at": "2025-12-31T12:00:00+08:00"},
            {"starts_at": "2025-12-31T16:00:00Z", "ends_at": "2025-12-31T19:00:00Z"},  # 1 Jan, 00:00 local
        ],
    )
    response = client.post("/api/v1/courses", json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "sessions_span_years"
    assert list(response.json["error"]["fields"]) == ["sessions.1.starts_at"]


def test_sessions_on_31_december_up_to_midnight_are_one_year(db, tenants, now):
    spans = [
        SessionInput(at("2025-12-31", "09:00"), at("2025-12-31", "12:00")),
        *sessions(("2025-01-02", "09:00", "12:00")),
    ]
    course = create_course(tenants.admin_a, tenants.base_a, values=course_values(), sessions=spans, now=now)
    assert course_year(course) == 2025
