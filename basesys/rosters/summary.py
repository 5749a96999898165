"""The training summary (培训情况总结, DOMAIN.md §9) filed with the roster: the base's text plus the
figures the system computes — enrolled, attended at least once, completed, hours issued — and the
course's evaluation summary (§13) when the evaluation feature provides one.

The figures are computed from the roster's rows (so the summary and the roster agree) and one
count of trainees with a check-in; they are stored with the rows at submission, like the rows.
"""

from dataclasses import dataclass

from sqlalchemy import func

from basesys.attendance.models import Attendance
from basesys.courses.models import Course, CourseSession, Enrollment
from basesys.extensions import db

# What the text may hold: a page of prose, not a book (the form says so before the service does).
SUMMARY_MAX_CHARS = 5000


def attended_count(course: Course) -> int:
    """Enrolled trainees with a check-in (or a manual one) at one session of the course at least."""
    return db.session.scalar(
        db.select(func.count(func.distinct(Attendance.trainee_id)))
        .join(CourseSession, CourseSession.id == Attendance.session_id)
        .join(
            Enrollment,
            (Enrollment.course_id == CourseSession.course_id) & (Enrollment.trainee_id == Attendance.trainee_id),
        )
        .where(CourseSession.course_id == course.id, Attendance.check_in_at.is_not(None))
    )


def evaluation_summary(course: Course) -> dict | None:
    """The course's evaluation aggregates (§13), or None while no evaluation feature provides them."""
    return None


def compute_figures(course: Course, rows: list[dict]) -> dict:
    """enrolled, attended, completed, hours_issued (of the completers: their ledger hours), evaluation."""
    completed = [row for row in rows if row["completed"]]
    return {
        "enrolled": len(rows),
        "attended": attended_count(course),
        "completed": len(completed),
        "hours_issued": float(sum(row["credited_hours"] for row in completed)),
        "evaluation": evaluation_summary(course),
    }


@dataclass
class Summary:
    text: str
    figures: dict

    @property
    def completion_rate(self) -> float | None:
        enrolled = self.figures.get("enrolled") or 0
        return self.figures.get("completed", 0) / enrolled if enrolled else None
