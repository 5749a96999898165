"""Course.first_starts_at / last_ends_at: the stored sort key of the lists (issue 11), kept by every
flush that changes a course's sessions, whatever path changed them."""

from basesys.courses.models import Course, CourseSession
from basesys.courses.services import SessionInput, update_course
from tests.conftest import at
from tests.courses.conftest import sessions
from tests.statements import counted


def _stored(db, course_id):
    db.session.expire_all()
    row = db.session.execute(db.select(Course.first_starts_at, Course.last_ends_at).where(Course.id == course_id)).one()
    return tuple(row)


def test_created_course_stores_its_span(db, make_course):
    course = make_course(
        sessions=[
            (at("2025-06-11", "14:00"), at("2025-06-11", "17:00")),
            (at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
        ]
    )
    db.session.commit()
    assert _stored(db, course.id) == (at("2025-06-10", "09:00"), at("2025-06-11", "17:00"))


def test_update_add_change_and_remove_sessions_follow(db, now, new_course, tenants):
    course = new_course(("2025-06-10", "09:00", "12:00"))
    db.session.commit()
    first = course.sessions[0]
    update_course(
        tenants.admin_a,
        course,
        values={},
        sessions=[
            SessionInput(first.starts_at, first.ends_at, id=first.id),
            *sessions(("2025-06-12", "09:00", "11:15")),
        ],
        now=now,
    )
    db.session.commit()
    assert _stored(db, course.id) == (at("2025-06-10", "09:00"), at("2025-06-12", "11:15"))
    course = db.session.get(Course, course.id)
    last = course.sessions[-1]
    update_course(
        tenants.admin_a, course, values={}, sessions=[SessionInput(last.starts_at, last.ends_at, id=last.id)], now=now
    )
    db.session.commit()
    assert _stored(db, course.id) == (at("2025-06-12", "09:00"), at("2025-06-12", "11:15"))


def test_a_session_changed_or_deleted_on_its_own_moves_the_span(db, make_course):
    course = make_course(
        sessions=[
            (at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
            (at("2025-06-11", "09:00"), at("2025-06-11", "12:00")),
        ]
    )
    db.session.commit()
    session_id = course.sessions[0].id
    db.session.expire_all()
    db.session.get(CourseSession, session_id).starts_at = at("2025-06-10", "08:00")
    db.session.commit()
    assert _stored(db, course.id)[0] == at("2025-06-10", "08:00")
    db.session.delete(db.session.get(CourseSession, session_id))
    db.session.commit()
    assert _stored(db, course.id) == (at("2025-06-11", "09:00"), at("2025-06-11", "12:00"))


def test_a_course_change_without_its_sessions_loaded_reads_no_sessions(db, make_course):
    course = make_course()
    db.session.commit()
    db.session.expire_all()
    course = db.session.get(Course, course.id)
    with counted(db.engine) as statements:
        course.title = "改名"
        db.session.flush()
    assert not any("course_session" in s for s in statements)
