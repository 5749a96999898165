"""Venue and teacher bookings (issue 13): a clash is a validation error naming the other course and
session, on every path (service, page, API); too small a venue is a warning; two admins saving
clashing sessions at once do not both succeed."""

import threading
from dataclasses import replace

import pytest

from basesys.core.errors import ValidationFailed
from basesys.courses.models import Course, CourseSession
from basesys.courses.services import capacity_warnings, create_course, records, update_course
from tests.conftest import at
from tests.courses.conftest import course_values, sessions

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def room(db, tenants, now):
    venue = records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "101教室", "capacity": 40}, now=now)
    db.session.commit()
    return venue


@pytest.fixture
def teacher(db, tenants, now):
    person = records.create_teacher(tenants.admin_a, tenants.base_a, values={"name": "王伟", "title": "教授"}, now=now)
    db.session.commit()
    return person


def booked(*spans, venue=None, teachers=()):
    return [
        replace(s, venue_id=venue.id if venue else None, teacher_ids=tuple(t.id for t in teachers))
        for s in sessions(*spans)
    ]


def make(tenants, now, spans, *, title="甲课程", **booking):
    return create_course(
        tenants.admin_a, tenants.base_a, values=course_values(title=title), sessions=booked(*spans, **booking), now=now
    )


def test_sessions_keep_their_venue_and_teachers(db, tenants, now, room, teacher):
    course = make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room, teachers=[teacher])
    db.session.commit()
    (only,) = course.sessions
    assert only.venue == room and only.teachers == [teacher]


def test_venue_booked_at_an_overlapping_time_is_refused_naming_the_other(db, tenants, now, room):
    make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room, title="先订的课程")
    db.session.commit()
    with pytest.raises(ValidationFailed) as error:
        make(tenants, now, [("2025-06-11", "09:00", "10:00"), ("2025-06-10", "11:00", "13:00")], venue=room)
    assert error.value.code == "venue_clash"
    assert list(error.value.fields) == ["sessions.1.venue_id"]
    message = error.value.fields["sessions.1.venue_id"]
    assert "101教室" in message and "《先订的课程》" in message and "2025-06-10 09:00–12:00" in message


def test_touching_sessions_do_not_clash(db, tenants, now, room, teacher):
    make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room, teachers=[teacher])
    db.session.commit()
    make(tenants, now, [("2025-06-10", "12:00", "14:00")], venue=room, teachers=[teacher], title="接着的")
    db.session.commit()


def test_teacher_booked_twice_is_refused_even_in_another_venue(db, tenants, now, room, teacher):
    make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room, teachers=[teacher], title="王老师的课")
    db.session.commit()
    with pytest.raises(ValidationFailed) as error:
        make(tenants, now, [("2025-06-10", "10:00", "11:00")], teachers=[teacher])
    assert error.value.code == "teacher_clash"
    assert "王伟（教授）" in error.value.fields["sessions.0.teacher_ids"]
    assert "《王老师的课》" in error.value.fields["sessions.0.teacher_ids"]


def test_another_bases_bookings_never_clash_and_its_records_are_refused(db, tenants, now, room):
    other = records.create_venue(tenants.admin_b, tenants.base_b, values={"name": "乙的教室"}, now=now)
    db.session.commit()
    with pytest.raises(ValidationFailed) as error:
        make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=other)
    assert error.value.code == "unknown_venue"
    create_course(
        tenants.admin_b,
        tenants.base_b,
        values=course_values(),
        sessions=booked(("2025-06-10", "09:00", "12:00"), venue=other),
        now=now,
    )
    make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room)
    db.session.commit()


def test_editing_a_course_does_not_clash_with_itself(db, tenants, now, room):
    course = make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room)
    db.session.commit()
    (first,) = course.sessions
    moved = replace(booked(("2025-06-10", "10:00", "12:00"), venue=room)[0], id=first.id)
    update_course(tenants.admin_a, course, values={}, sessions=[moved], now=now)
    db.session.commit()
    assert (first.starts_at, first.venue_id) == (at("2025-06-10", "10:00"), room.id)


def test_a_session_that_says_nothing_of_its_venue_keeps_it(db, tenants, now, room, teacher):
    course = make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room, teachers=[teacher])
    db.session.commit()
    (first,) = course.sessions
    kept = replace(sessions(("2025-06-10", "09:00", "11:00"))[0], id=first.id)  # venue_id / teacher_ids: KEEP
    update_course(tenants.admin_a, course, values={}, sessions=[kept], now=now)
    db.session.commit()
    assert first.venue == room and first.teachers == [teacher]


def test_changing_only_the_venue_is_audited(db, tenants, now, room):
    from basesys.core.audit import AuditRecord

    course = make(tenants, now, [("2025-06-10", "09:00", "12:00")])
    db.session.commit()
    (first,) = course.sessions
    update_course(
        tenants.admin_a,
        course,
        values={},
        sessions=[replace(booked(("2025-06-10", "09:00", "12:00"), venue=room)[0], id=first.id)],
        now=now,
    )
    db.session.commit()
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "course.updated"))
    assert record.after["sessions"][0]["venue"] == "101教室"


def test_capacity_above_the_venues_is_a_warning_not_a_refusal(db, tenants, now, room):
    course = make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room)  # planned 60, seats 40
    db.session.commit()
    assert capacity_warnings(course) == ["计划 60 人，超过场地「101教室」的容纳人数 40 人，请确认场地安排。"]
    update_course(tenants.admin_a, course, values={"planned_headcount": 30}, sessions=None, now=now)
    assert capacity_warnings(course) == []


def test_clash_through_the_api_is_422_with_the_field(client, api_headers, db, tenants, now, room):
    make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room)
    db.session.commit()
    body = {
        **course_values(title="接口课程"),
        "sessions": [
            {"starts_at": "2025-06-10T10:00:00+08:00", "ends_at": "2025-06-10T11:00:00+08:00", "venue_id": room.id}
        ],
    }
    response = client.post("/api/v1/courses", json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "venue_clash"
    del body["sessions"][0]["venue_id"]  # an API client that knows nothing of venues
    response = client.post("/api/v1/courses", json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 201 and response.json["sessions"][0]["venue_id"] is None


def test_clash_on_the_course_form_shows_on_the_row(client, login, db, tenants, now, room):
    from tests.courses.test_views import course_form

    make(tenants, now, [("2025-06-16", "09:00", "12:00")], venue=room, title="已排的课")
    db.session.commit()
    login(tenants.admin_a)
    response = client.post("/courses/new", data=course_form(**{"sessions-0-venue_id": str(room.id)}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "场地「101教室」在该时段已被《已排的课》的课次 2025-06-16 09:00–12:00占用" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 1


def test_page_warns_about_a_small_venue_after_saving(client, login, db, tenants, room):
    from tests.courses.test_views import course_form

    login(tenants.admin_a)
    response = client.post(
        "/courses/new", data=course_form(planned_headcount="80", **{"sessions-0-venue_id": str(room.id)})
    )
    assert response.status_code == 302
    assert "超过场地「101教室」的容纳人数 40 人" in client.get(response.location).get_data(as_text=True)


def test_two_admins_saving_clashing_sessions_at_once_do_not_both_succeed(app, db, tenants, now, room):
    admin_id, base_id, room_id = tenants.admin_a.id, tenants.base_a.id, room.id
    db.session.commit()  # end the test's own transaction before the threads write
    barrier, outcomes = threading.Barrier(2), []

    def run(title):
        from basesys.accounts.models import Base, User
        from basesys.core.database import lock_at_begin

        with app.app_context():
            lock_at_begin(True)
            try:
                barrier.wait(timeout=30)  # before any query: on SQLite the first BEGIN takes the write lock
                actor, base = db.session.get(User, admin_id), db.session.get(Base, base_id)
                spans = [
                    replace(s, venue_id=room_id, teacher_ids=()) for s in sessions(("2025-06-10", "09:00", "12:00"))
                ]
                create_course(actor, base, values=course_values(title=title), sessions=spans, now=now)
                db.session.commit()
                outcomes.append("saved")
            except ValidationFailed as error:
                outcomes.append(error.code)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(title,)) for title in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "venue_clash"]
    db.session.commit()
    count = db.select(db.func.count()).select_from(CourseSession).where(CourseSession.venue_id == room_id)
    assert db.session.scalar(count) == 1


def test_audit_sentence_of_sessions_names_venue_and_teachers(client, db, tenants, now, room, teacher):
    from basesys.core.audit import AuditRecord
    from basesys.core.audit_text import changes_of

    make(tenants, now, [("2025-06-10", "09:00", "12:00")], venue=room, teachers=[teacher])
    db.session.commit()
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "course.created"))
    with client.application.test_request_context():
        shown = [c for c in changes_of(record) if "课次" in str(c)]
    assert shown and "101教室" in str(shown[0]) and "王伟" in str(shown[0])
