"""Creating and editing courses through the services (DOMAIN.md §3, §4 change filing)."""

import pytest

from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError, ValidationFailed
from basesys.courses.models import Course
from basesys.courses.services import SessionInput, create_course, update_course
from tests.conftest import at
from tests.courses.conftest import course_values, sessions


def test_create_course_stores_sessions_totals_and_audit(db, now, tenants):
    course = create_course(
        tenants.admin_a,
        tenants.base_a,
        values=course_values(),
        sessions=sessions(
            ("2025-06-11", "14:00", "17:00"), ("2025-06-10", "08:30", "12:00"), ("2025-06-10", "13:00", "17:30")
        ),
        now=now,
    )
    db.session.commit()
    stored = db.session.get(Course, course.id)
    assert stored.filing_status == "draft"
    assert [s.credit_hours for s in stored.sessions] == [4.5, 6.0, 4.0]
    assert (stored.planned_days, stored.planned_hours) == (2, 12.0)  # June 10: 10.5 capped at 8
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "course.created"))
    assert record.object_id == course.id and record.base_id == tenants.base_a.id
    assert len(record.after["sessions"]) == 3


def test_seminar_planned_hours_are_eight_per_day(new_course):
    course = new_course(("2025-06-10", "09:00", "12:00"), ("2025-06-11", "09:00", "11:00"), kind="advanced_seminar")
    assert (course.planned_days, course.planned_hours) == (2, 16.0)


def test_seminar_must_be_professional(db, now, tenants):
    with pytest.raises(ValidationFailed) as error:
        create_course(
            tenants.admin_a,
            tenants.base_a,
            values=course_values(kind="advanced_seminar", category="public"),
            sessions=sessions(("2025-06-10", "09:00", "12:00")),
            now=now,
        )
    assert error.value.code == "seminar_must_be_professional"
    assert "category" in error.value.fields


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "  "),
        ("category", "other"),
        ("kind", "party"),
        ("delivery", "fax"),
        ("attendance_mode", "x"),
        ("pass_ratio", 1.5),
        ("capacity", 0),
        ("planned_headcount", -1),
        ("contact", "x" * 61),
    ],
)
def test_create_course_refuses_bad_fields(db, now, tenants, field, value):
    with pytest.raises(ValidationFailed) as error:
        create_course(tenants.admin_a, tenants.base_a, values=course_values(**{field: value}), sessions=[], now=now)
    assert error.value.code == "validation_failed"
    assert field in error.value.fields


def test_create_course_refuses_bad_sessions_and_stores_nothing(db, now, tenants):
    with pytest.raises(ValidationFailed) as error:
        create_course(
            tenants.admin_a,
            tenants.base_a,
            values=course_values(),
            sessions=sessions(("2025-06-10", "09:00", "12:00"), ("2025-06-10", "10:00", "11:00")),
            now=now,
        )
    assert error.value.code == "session_overlap"
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 0


def test_update_keeps_planned_totals_current(db, now, new_course, tenants):
    course = new_course(("2025-06-10", "09:00", "12:00"))
    update_course(
        tenants.admin_a,
        course,
        values={},
        sessions=[
            SessionInput(course.sessions[0].starts_at, course.sessions[0].ends_at, id=course.sessions[0].id),
            *sessions(("2025-06-12", "09:00", "11:15")),
        ],
        now=now,
    )
    db.session.commit()
    assert (course.planned_days, course.planned_hours) == (2, 7.0)
    update_course(tenants.admin_a, course, values={"kind": "advanced_seminar"}, sessions=None, now=now)
    assert (course.planned_days, course.planned_hours) == (2, 16.0)


def test_update_of_a_draft_keeps_it_draft_and_audits(db, now, new_course, tenants):
    course = new_course()
    update_course(tenants.admin_a, course, values={"title": "新名称"}, sessions=None, now=now)
    db.session.commit()
    assert course.filing_status == "draft" and course.title == "新名称"
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "course.updated"))
    assert record.before["title"] != record.after["title"]


def test_update_without_changes_writes_nothing(db, now, new_course, tenants):
    course = new_course()
    update_course(tenants.admin_a, course, values={"title": course.title}, sessions=None, now=now)
    assert db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "course.updated")) is None


def test_update_refuses_unknown_session_ids(db, now, new_course, tenants):
    course = new_course()
    with pytest.raises(ValidationFailed) as error:
        update_course(
            tenants.admin_a,
            course,
            values={},
            sessions=[SessionInput(at("2025-06-10", "09:00"), at("2025-06-10", "10:00"), id=999999)],
            now=now,
        )
    assert error.value.code == "unknown_session"


def test_update_refuses_a_finalized_course(db, now, new_course, tenants):
    course = new_course()
    course.finalized_at = now
    with pytest.raises(DomainError) as error:
        update_course(tenants.admin_a, course, values={"title": "x"}, sessions=None, now=now)
    assert error.value.code == "course_finalized"


def test_capacity_cannot_drop_below_enrolled(db, now, new_course, tenants, enroll):
    course = new_course()
    enroll(course, tenants.trainee, tenants.other_trainee)
    with pytest.raises(ValidationFailed) as error:
        update_course(tenants.admin_a, course, values={"capacity": 1}, sessions=None, now=now)
    assert error.value.code == "capacity_below_enrolled"


def test_list_course_problems_gathers_every_field_and_session_problem_at_once(db, tenants, now):
    """The services refuse at the first failing check (the API's code); the page lists them all."""
    from basesys.core.policy import policy_for_base
    from basesys.courses.services import list_course_problems

    values = course_values(title="", kind="advanced_seminar", category="public", contact="李" * 61)
    policy = policy_for_base(tenants.base_a, 2025)
    problems = list_course_problems(
        values, sessions(("2025-06-10", "09:00", "12:00", 6), ("2025-06-11", "14:00", "13:00")), policy
    )
    assert set(problems) == {"title", "contact", "category", "sessions.0.credit_hours", "sessions.1.ends_at"}
    assert problems["category"] == "高级研修项目只能是专业科目"
    assert list_course_problems(course_values(), sessions(("2025-06-10", "09:00", "12:00")), policy) == {}
