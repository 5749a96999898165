"""Credited hours read from the database: engine inputs, finalized hours of other courses, the grid."""

from datetime import date

from basesys.attendance import services
from basesys.core.policy import DEFAULT_POLICY, PolicyOverride
from tests.conftest import at


def test_course_spec_uses_the_course_pass_ratio_or_the_policy(make_course):
    course = make_course(
        sessions=[
            (at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
            (at("2025-06-11", "09:00"), at("2025-06-11", "12:00"), 3.0),
        ]
    )
    spec = services.course_spec(course, DEFAULT_POLICY)
    assert spec.pass_ratio == 0.8 and spec.planned_hours == 7.0 and spec.attendance_mode == "in_out"
    assert [s.credit_hours for s in spec.sessions] == [4.0, 3.0]
    assert services.course_spec(make_course(pass_ratio=0.6), DEFAULT_POLICY).pass_ratio == 0.6


def test_presences_for_reads_only_that_trainee_and_course(make_course, tenants, enroll, attend):
    course, other = make_course(), make_course()
    enroll(course, tenants.trainee, tenants.other_trainee)
    attend(course.sessions[0], tenants.trainee, at("2025-06-10", "08:55"), at("2025-06-10", "12:01"))
    attend(course.sessions[0], tenants.other_trainee, at("2025-06-10", "09:30"))
    attend(other.sessions[0], tenants.trainee, at("2025-06-10", "08:50"))
    presences = services.presences_for(course, tenants.trainee.id)
    assert list(presences) == [course.sessions[0].id]
    assert presences[course.sessions[0].id].check_in == at("2025-06-10", "08:55")


def test_finalized_hours_by_date_sums_other_courses(make_course, tenants, finalized_day):
    a, b, c = make_course(), make_course(), make_course()
    finalized_day(tenants.trainee, a, date(2025, 6, 10), 3.0)
    finalized_day(tenants.trainee, b, date(2025, 6, 10), 2.5)
    finalized_day(tenants.trainee, c, date(2025, 6, 11), 8.0)
    finalized_day(tenants.other_trainee, a, date(2025, 6, 10), 4.0)
    got = services.finalized_hours_by_date(tenants.trainee.id, [date(2025, 6, 10), date(2025, 6, 12)])
    assert got == {date(2025, 6, 10): 5.5}
    assert services.finalized_hours_by_date(tenants.trainee.id, [date(2025, 6, 10)], exclude_course_id=a.id) == {
        date(2025, 6, 10): 2.5
    }
    assert services.finalized_hours_by_date(tenants.trainee.id, []) == {}


def test_credit_for_counts_other_courses_first_but_not_its_own(make_course, tenants, enroll, attend, finalized_day):
    day = "2025-06-10"
    course = make_course(sessions=[(at(day, "13:00"), at(day, "18:15"))])  # 7.0 h
    enroll(course, tenants.trainee)
    attend(course.sessions[0], tenants.trainee, at(day, "12:55"), at(day, "18:20"))
    morning = make_course(base=tenants.base_b)
    finalized_day(tenants.trainee, morning, date(2025, 6, 10), 4.0)
    finalized_day(tenants.trainee, course, date(2025, 6, 10), 7.0)  # its own finalisation is not "other"
    credit = services.credit_for(course, tenants.trainee, DEFAULT_POLICY)
    assert credit.credited_hours == 4.0 and credit.capped_hours == 3.0


def test_course_attendance_lists_every_enrolled_trainee(make_course, tenants, enroll, attend, make_trainee):
    course = make_course()
    absent = make_trainee(name="赵六")
    enroll(course, tenants.trainee, tenants.other_trainee, absent)
    attend(course.sessions[0], tenants.trainee, at("2025-06-10", "08:55"), at("2025-06-10", "12:01"))
    attend(course.sessions[0], tenants.other_trainee, at("2025-06-10", "09:00"))
    lines = {line.trainee.name: line for line in services.course_attendance(course, DEFAULT_POLICY)}
    assert set(lines) == {"李四", "王五", "赵六"}
    assert lines["李四"].credit.credited_hours == 4.0 and lines["李四"].credit.completed
    assert lines["王五"].credit.credited_hours == 0 and "未签退" in lines["王五"].credit.sessions[0].explanation
    assert lines["赵六"].rows == {} and not lines["赵六"].credit.completed


def test_course_policy_is_that_of_the_course_year(db, make_course, tenants):
    db.session.add(PolicyOverride(bureau_id=tenants.city_a.id, year=2026, values={"daily_cap_hours": 6}))
    db.session.commit()
    new_year = make_course(base=tenants.base_a, sessions=[(at("2026-01-01", "09:00"), at("2026-01-01", "12:00"))])
    old_year = make_course(base=tenants.base_a, sessions=[(at("2025-12-31", "09:00"), at("2025-12-31", "12:00"))])
    assert services.course_policy(new_year).daily_cap_hours == 6
    assert services.course_policy(old_year).daily_cap_hours == DEFAULT_POLICY.daily_cap_hours
