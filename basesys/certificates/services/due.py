"""Which courses are due to be finalised: the scheduler's list (§8) and the admin's home panel."""

from datetime import datetime, timedelta

from sqlalchemy import func

from basesys.attendance.services import course_policy
from basesys.certificates.services.finalize import has_ended
from basesys.courses.models import Course, CourseSession, FilingStatus
from basesys.extensions import db


def courses_due_to_finalize(*, now: datetime) -> list[Course]:
    """Approved, unfinalised courses whose last session ended at least the policy's delay ago (§8)."""
    last_end = (
        db.select(CourseSession.course_id, func.max(CourseSession.ends_at).label("ends_at"))
        .group_by(CourseSession.course_id)
        .subquery()
    )
    candidates = db.session.scalars(
        db.select(Course)
        .join(last_end, last_end.c.course_id == Course.id)
        .where(Course.filing_status == FilingStatus.APPROVED, Course.finalized_at.is_(None), last_end.c.ends_at <= now)
        .order_by(Course.id)
    ).all()
    return [c for c in candidates if now >= c.ends_at + timedelta(hours=course_policy(c).finalize_delay_hours)]


def courses_ready_to_finalize(base_id: int, *, now: datetime) -> list[Course]:
    """A base's approved courses that have ended and are not finalised yet (the admin's home panel)."""
    courses = db.session.scalars(
        db.select(Course)
        .where(Course.base_id == base_id, Course.filing_status == FilingStatus.APPROVED, Course.finalized_at.is_(None))
        .order_by(Course.id)
    ).all()
    return [c for c in courses if has_ended(c, now=now)]
