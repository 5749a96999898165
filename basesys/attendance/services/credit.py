"""Credited hours from the stored attendance: the engine's inputs read from the database (§7)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from basesys.accounts.models import Trainee
from basesys.attendance.engine import CourseCredit, CourseSpec, Presence, SessionSpec, credit_course
from basesys.attendance.models import Attendance, CreditedDay
from basesys.core.bulk import one_of
from basesys.core.policy import Policy, policy_for_base
from basesys.core.time import local_date
from basesys.courses.models import Course, CourseSession, Enrollment
from basesys.courses.year import course_year
from basesys.extensions import db


def course_policy(course: Course) -> Policy:
    """The policy of the course's bureau in force in the course's year (DOMAIN §3)."""
    return policy_for_base(course.base, course_year(course))


def course_spec(course: Course, policy: Policy) -> CourseSpec:
    pass_ratio = course.pass_ratio if course.pass_ratio is not None else policy.pass_ratio
    sessions = tuple(SessionSpec(s.id, s.starts_at, s.ends_at, float(s.credit_hours)) for s in course.sessions)
    return CourseSpec(
        id=course.id,
        kind=course.kind,
        attendance_mode=course.attendance_mode,
        pass_ratio=float(pass_ratio),
        planned_hours=float(course.planned_hours or 0),
        sessions=sessions,
    )


def _attendance_rows(course: Course, trainee_ids: Iterable[int] | None = None) -> list[Attendance]:
    query = db.select(Attendance).join(CourseSession).where(CourseSession.course_id == course.id)
    if trainee_ids is not None:
        query = query.where(Attendance.trainee_id.in_(list(trainee_ids)))
    return list(db.session.scalars(query))


def presences_for(course: Course, trainee_id: int) -> dict[int, Presence]:
    """The trainee's check-in and check-out per session of the course."""
    return {
        row.session_id: Presence(row.session_id, row.check_in_at, row.check_out_at)
        for row in _attendance_rows(course, [trainee_id])
    }


def finalized_hours_by_date(
    trainee_id: int, dates: Iterable[date], exclude_course_id: int | None = None
) -> dict[date, float]:
    """Hours already finalized for the trainee on those local dates, over every course of every base."""
    return _finalized([trainee_id], dates, exclude_course_id).get(trainee_id, {})


def _finalized(trainee_ids: list[int], dates: Iterable[date], exclude_course_id: int | None) -> dict:
    dates = list(set(dates))
    if not trainee_ids or not dates:
        return {}
    query = (
        db.select(CreditedDay.trainee_id, CreditedDay.local_date, db.func.sum(CreditedDay.hours))
        .where(CreditedDay.trainee_id.in_(trainee_ids), CreditedDay.local_date.in_(dates))
        .group_by(CreditedDay.trainee_id, CreditedDay.local_date)
    )
    if exclude_course_id is not None:
        # A declaration's day has no course (NULL): `!=` alone would drop it from the cap.
        query = query.where(db.or_(CreditedDay.course_id.is_(None), CreditedDay.course_id != exclude_course_id))
    result: dict[int, dict[date, float]] = {}
    for trainee_id, day, hours in db.session.execute(query):
        result.setdefault(trainee_id, {})[day] = float(hours or 0)
    return result


def credit_for(course: Course, trainee: Trainee, policy: Policy) -> CourseCredit:
    """The trainee's credited hours on the course; finalized hours of OTHER courses count first."""
    dates = {local_date(s.starts_at) for s in course.sessions}
    return credit_course(
        course_spec(course, policy),
        presences_for(course, trainee.id),
        finalized_hours_by_date(trainee.id, dates, exclude_course_id=course.id),
        policy,
    )


@dataclass(frozen=True)
class TraineeAttendance:
    """One line of the attendance grid: the trainee, their rows per session and their credit."""

    trainee: Trainee
    rows: dict[int, Attendance]
    credit: CourseCredit


def course_attendance(
    course: Course, policy: Policy, trainee_ids: Iterable[int] | None = None
) -> list[TraineeAttendance]:
    """Every enrolled trainee (or those of `trainee_ids`) with attendance and credit, in a handful of
    queries (no N+1)."""
    query = (
        db.select(Trainee)
        .join(Enrollment, Enrollment.trainee_id == Trainee.id)
        .where(Enrollment.course_id == course.id)
        .order_by(Trainee.name, Trainee.id)
    )
    if trainee_ids is not None:
        trainee_ids = list(trainee_ids)
        query = query.where(Trainee.id.in_(trainee_ids))
    trainees = list(db.session.scalars(query))
    rows: dict[int, dict[int, Attendance]] = {}
    for row in _attendance_rows(course, trainee_ids):
        rows.setdefault(row.trainee_id, {})[row.session_id] = row
    dates = {local_date(s.starts_at) for s in course.sessions}
    finalized = _finalized([t.id for t in trainees], dates, course.id)
    spec = course_spec(course, policy)
    result = []
    for trainee in trainees:
        mine = rows.get(trainee.id, {})
        presences = {sid: Presence(sid, r.check_in_at, r.check_out_at) for sid, r in mine.items()}
        credit = credit_course(spec, presences, finalized.get(trainee.id, {}), policy)
        result.append(TraineeAttendance(trainee, mine, credit))
    return result


def trainee_credits(
    course: Course, policy: Policy, trainee_ids: list[int]
) -> tuple[dict[int, CourseCredit], set[tuple[int, date]]]:
    """The credit of each of these trainees on the course (trainee id → CourseCredit), and the
    (trainee, local date) pairs the course has already finalized, from plain rows read once for all
    of them: their attendance, and the finalized hours on the course's dates (finalisation's chunk;
    the same credit as `course_attendance`, without a model object per trainee or per row)."""
    presences: dict[int, dict[int, Presence]] = {trainee_id: {} for trainee_id in trainee_ids}
    session_ids = [s.id for s in course.sessions]
    if session_ids and trainee_ids:
        rows = db.session.execute(
            db.select(
                Attendance.trainee_id, Attendance.session_id, Attendance.check_in_at, Attendance.check_out_at
            ).where(one_of(Attendance.session_id, session_ids), one_of(Attendance.trainee_id, trainee_ids))
        )
        for trainee_id, session_id, check_in, check_out in rows:
            presences[trainee_id][session_id] = Presence(session_id, check_in, check_out)
    others, done = _finalized_days(course.id, trainee_ids, {local_date(s.starts_at) for s in course.sessions})
    spec = course_spec(course, policy)
    credits = {t: credit_course(spec, presences[t], others.get(t, {}), policy) for t in trainee_ids}
    return credits, done


def _finalized_days(course_id: int, trainee_ids: list[int], dates: set[date]) -> tuple[dict, set]:
    """Per trainee and date, the hours other courses finalized (as `_finalized`), and the pairs
    this course finalized: one read of their finalized days."""
    if not trainee_ids or not dates:
        return {}, set()
    mine = db.case((CreditedDay.course_id == course_id, 1), else_=0).label("mine")
    query = (
        db.select(CreditedDay.trainee_id, CreditedDay.local_date, mine, db.func.sum(CreditedDay.hours))
        .where(one_of(CreditedDay.trainee_id, trainee_ids), one_of(CreditedDay.local_date, dates))
        .group_by(CreditedDay.trainee_id, CreditedDay.local_date, mine)
    )
    others: dict[int, dict[date, float]] = {}
    done: set[tuple[int, date]] = set()
    for trainee_id, day, is_mine, hours in db.session.execute(query):
        if is_mine:
            done.add((trainee_id, day))
        else:
            others.setdefault(trainee_id, {})[day] = float(hours or 0)
    return others, done
