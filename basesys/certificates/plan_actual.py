"""Plan against actual per course (issue 11): what the filing planned — headcount (计划培训人数),
days (培训天数) and hours (拟计算学时) — against who enrolled, attended (credited hours > 0 at
finalisation), completed (结业), got a valid certificate, and the hours issued (ledger, not void).

One statement per course page (scalar subqueries), and `plan_actual_by_course` one GROUP BY per
figure for a page of courses (never one query per row)."""

from dataclasses import dataclass

from sqlalchemy import case, func

from basesys.certificates.models import Certificate, CertificateStatus, CourseResult, LedgerEntry, LedgerStatus
from basesys.courses.models import Course, Enrollment
from basesys.extensions import db


@dataclass
class PlanActual:
    course_id: int
    planned_headcount: int
    planned_days: int
    planned_hours: float
    finalized: bool
    enrolled: int = 0
    attended: int | None = None  # known once the course is finalised (credited hours are computed then)
    completed: int | None = None
    certificates: int = 0
    hours_issued: float = 0.0

    @property
    def enrolled_share(self) -> float | None:
        """Enrolled as a share of the planned headcount (None without a plan)."""
        return self.enrolled / self.planned_headcount if self.planned_headcount else None


def _count(column, *where):
    return db.select(func.count(column)).where(*where).scalar_subquery()


def plan_actual(course: Course) -> PlanActual:
    """The figures of one course, in one statement."""
    row = db.session.execute(
        db.select(
            _count(Enrollment.id, Enrollment.course_id == course.id),
            _count(CourseResult.id, CourseResult.course_id == course.id, CourseResult.credited_hours > 0),
            _count(CourseResult.id, CourseResult.course_id == course.id, CourseResult.completed.is_(True)),
            _count(Certificate.id, Certificate.course_id == course.id, Certificate.status == CertificateStatus.VALID),
            db.select(func.coalesce(func.sum(LedgerEntry.hours), 0))
            .where(LedgerEntry.course_id == course.id, LedgerEntry.status != LedgerStatus.VOID)
            .scalar_subquery(),
        )
    ).one()
    enrolled, attended, completed, certificates, hours = row
    return PlanActual(
        course_id=course.id,
        planned_headcount=course.planned_headcount or 0,
        planned_days=course.planned_days or 0,
        planned_hours=float(course.planned_hours or 0),
        finalized=course.finalized,
        enrolled=int(enrolled),
        attended=int(attended) if course.finalized else None,
        completed=int(completed) if course.finalized else None,
        certificates=int(certificates),
        hours_issued=float(hours or 0),
    )


def plan_actual_by_course(courses: list[Course]) -> dict[int, PlanActual]:
    """The figures of a page of courses (at most a page: the ids are bound), one GROUP BY per table."""
    figures = {
        c.id: PlanActual(c.id, c.planned_headcount or 0, c.planned_days or 0, float(c.planned_hours or 0), c.finalized)
        for c in courses
    }
    if not figures:
        return figures
    ids = list(figures)
    for course_id, n in db.session.execute(
        db.select(Enrollment.course_id, func.count(Enrollment.id))
        .where(Enrollment.course_id.in_(ids))
        .group_by(Enrollment.course_id)
    ):
        figures[course_id].enrolled = int(n)
    for course_id, attended, completed in db.session.execute(
        db.select(
            CourseResult.course_id,
            func.coalesce(func.sum(case((CourseResult.credited_hours > 0, 1), else_=0)), 0),
            func.coalesce(func.sum(case((CourseResult.completed.is_(True), 1), else_=0)), 0),
        )
        .where(CourseResult.course_id.in_(ids))
        .group_by(CourseResult.course_id)
    ):
        if figures[course_id].finalized:
            figures[course_id].attended, figures[course_id].completed = int(attended), int(completed)
    for course_id, n in db.session.execute(
        db.select(Certificate.course_id, func.count(Certificate.id))
        .where(Certificate.course_id.in_(ids), Certificate.status == CertificateStatus.VALID)
        .group_by(Certificate.course_id)
    ):
        figures[course_id].certificates = int(n)
    for course_id, hours in db.session.execute(
        db.select(LedgerEntry.course_id, func.sum(LedgerEntry.hours))
        .where(LedgerEntry.course_id.in_(ids), LedgerEntry.status != LedgerStatus.VOID)
        .group_by(LedgerEntry.course_id)
    ):
        figures[course_id].hours_issued = float(hours or 0)
    for figure in figures.values():
        if figure.finalized and figure.attended is None:
            figure.attended = figure.completed = 0
    return figures


def course_panel(user, now, course: Course) -> dict:
    """The course page's "plan and actual" section (slot "course")."""
    return {"template": "certificates/panel_plan_actual.html", "figures": plan_actual(course)}
