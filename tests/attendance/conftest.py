"""Attendance fixtures: stored attendance rows and finalized days, written directly."""

import pytest

from tests.conftest import at


@pytest.fixture
def attend(db, now):
    """Write an attendance row directly: attend(course_session, trainee, check_in, check_out)."""
    from basesys.attendance.models import Attendance

    def do(course_session, trainee, check_in=None, check_out=None, manual=False):
        row = Attendance(
            session_id=course_session.id,
            trainee_id=trainee.id,
            check_in_at=check_in,
            check_out_at=check_out,
            check_in_manual=manual,
            created_at=now,
            updated_at=now,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return do


@pytest.fixture
def finalized_day(db):
    """A CreditedDay row, as finalisation of another course would write it."""
    from basesys.attendance.models import CreditedDay

    def do(trainee, course, day, hours):
        row = CreditedDay(trainee_id=trainee.id, course_id=course.id, local_date=day, hours=hours)
        db.session.add(row)
        db.session.commit()
        return row

    return do


@pytest.fixture
def running_course(make_course, tenants, enroll):
    """An approved in_out course of base A with one session 09:00–12:00 on 2025-06-02, trainee enrolled."""
    course = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
    enroll(course, tenants.trainee)
    return course
