"""Which courses are due to be finalised: the scheduler's list (§8) and the admin's home panel."""

from datetime import datetime, timedelta

from basesys.attendance.services import course_policy
from basesys.certificates.services.finalize import has_ended
from basesys.courses.models import Course, FilingStatus
from basesys.extensions import db


def courses_due_to_finalize(*, now: datetime) -> list[Course]:
    """Approved, unfinalised courses whose last session ended at least the policy's delay ago (§8)."""
    candidates = db.session.scalars(
        db.select(Course)
        .where(
            Course.filing_status == FilingStatus.APPROVED,
            Course.finalized_at.is_(None),
            Course.last_ends_at <= now,  # stored (courses.models._keep_schedule)
        )
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
