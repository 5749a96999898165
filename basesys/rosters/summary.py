"""The training summary (培训情况总结, DOMAIN.md §9) filed with the roster: the base's text plus the
figures the system computes — enrolled, attended at least once, completed, hours issued — and the
course's anonymous evaluation summary (§13: evaluation.services.course_summary).

The figures are computed from the roster's rows (so the summary and the roster agree) and one
count of trainees with a check-in; the counts are stored with the rows at submission, like the
rows; the evaluation is read live.
"""

from dataclasses import dataclass

from sqlalchemy import func

from basesys.attendance.models import Attendance
from basesys.courses.models import Course, CourseSession, Enrollment
from basesys.evaluation.services import course_summary
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


def evaluation_summary(course: Course) -> dict:
    """The course's anonymous evaluation aggregates (§13), as GET …/evaluation answers them."""
    return course_summary(course).as_json()


def compute_figures(course: Course, rows: list[dict]) -> dict:
    """enrolled, attended, completed, hours_issued (of the completers: their ledger hours): what is
    stored with the rows at submission."""
    completed = [row for row in rows if row["completed"]]
    return {
        "enrolled": len(rows),
        "attended": attended_count(course),
        "completed": len(completed),
        "hours_issued": float(sum(row["credited_hours"] for row in completed)),
    }


def with_evaluation(course: Course, figures: dict) -> dict:
    """The figures with the evaluation as it stands: answers may still come after the roster is
    filed (§13 offers the evaluation after the last session, without a deadline), so it is never frozen."""
    return {**figures, "evaluation": evaluation_summary(course)}


@dataclass
class Summary:
    text: str
    figures: dict

    @property
    def completion_rate(self) -> float | None:
        enrolled = self.figures.get("enrolled") or 0
        return self.figures.get("completed", 0) / enrolled if enrolled else None
