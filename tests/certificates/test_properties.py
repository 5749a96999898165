"""Properties of finalisation (STYLE.md "Tests"): whatever the attendance, finalising twice changes
nothing, and the finalized hours of a trainee never exceed the daily cap on any date."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basesys.attendance.models import Attendance, CreditedDay
from basesys.certificates.models import Certificate, CourseResult, LedgerEntry
from basesys.certificates.services import finalize_course
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import at, wipe_database

SESSIONS = [
    ("2025-05-20", "08:00", "12:00"),
    ("2025-05-20", "13:00", "17:30"),
    ("2025-05-21", "20:00", "23:30"),  # evening: 12:00–15:30 UTC
    ("2025-05-22", "00:30", "04:00"),  # after local midnight: still 2025-05-21 in UTC
]

presence = st.one_of(
    st.none(),  # absent
    st.tuples(st.integers(-30, 90), st.one_of(st.none(), st.integers(-120, 30))),  # late by, left early by
)


def _rows(db):
    return [
        sorted(db.session.execute(db.select(*cols)).all())
        for cols in (
            (CourseResult.course_id, CourseResult.trainee_id, CourseResult.credited_hours, CourseResult.completed),
            (LedgerEntry.trainee_id, LedgerEntry.course_id, LedgerEntry.hours, LedgerEntry.status),
            (Certificate.number, Certificate.signature),
            (CreditedDay.trainee_id, CreditedDay.local_date, CreditedDay.course_id, CreditedDay.hours),
        )
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attendance=st.lists(st.lists(presence, min_size=4, max_size=4), min_size=2, max_size=2),
    split=st.integers(1, 3),
)
def test_finalising_twice_changes_nothing_and_the_cap_holds(
    db, now, make_course, make_trainee, enroll, attendance, split
):
    wipe_database()
    from basesys.accounts import services as accounts
    from tests.conftest import valid_id_number

    bureau = accounts.create_bureau(None, name="省", level="province", parent_id=None, now=now)
    from basesys.core.ids import make_credit_code

    base = accounts.create_base(
        None,
        name="基地",
        level="municipal",
        credit_code=make_credit_code("12370400MB0000001"),
        bureau_id=bureau.id,
        now=now,
    )
    trainees = [
        accounts.create_trainee_record(None, id_number=valid_id_number(), name=f"学员{i}", now=now) for i in range(2)
    ]
    db.session.commit()
    spans = [(at(day, start), at(day, end)) for day, start, end in SESSIONS]
    # Two overlapping-day courses of the same base: the first takes sessions [:split], the second the rest.
    first = make_course(base=base, sessions=spans[:split])
    second = make_course(base=base, sessions=spans[split:])
    for course in (first, second):
        enroll(course, *trainees)
    for trainee, marks in zip(trainees, attendance, strict=True):
        for index, mark in enumerate(marks):
            if mark is None:
                continue
            course = first if index < split else second
            course_session = course.sessions[index if index < split else index - split]
            late, early = mark
            db.session.add(
                Attendance(
                    session_id=course_session.id,
                    trainee_id=trainee.id,
                    check_in_at=course_session.starts_at + timedelta(minutes=late),
                    check_out_at=None if early is None else course_session.ends_at - timedelta(minutes=early),
                    created_at=now,
                    updated_at=now,
                )
            )
    db.session.commit()
    for course in (first, second):
        finalize_course(None, course, now=now)
    db.session.commit()
    once = _rows(db)
    for course in (first, second):
        finalize_course(None, course, now=now + timedelta(days=1))
    db.session.commit()
    assert _rows(db) == once
    per_day: dict = {}
    for trainee_id, day, _course_id, hours in once[3]:
        per_day[(trainee_id, day)] = per_day.get((trainee_id, day), 0) + hours
    assert all(total <= DEFAULT_POLICY.daily_cap_hours for total in per_day.values())
    results = {(r[0], r[1]): r for r in once[0]}
    for trainee_id, course_id, hours, _status in once[1]:
        assert results[(course_id, trainee_id)][3] is True and results[(course_id, trainee_id)][2] == hours
