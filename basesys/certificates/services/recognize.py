"""Recognition (认定, DOMAIN.md §9): the bureau accepted the roster, the course's hours are recognised."""

from datetime import datetime

from sqlalchemy import func, update

from basesys.certificates.models import LedgerEntry, LedgerStatus
from basesys.core.audit import audit
from basesys.courses import month_figures
from basesys.courses.models import Course
from basesys.extensions import db


def recognize_course_entries(actor, course: Course, *, now: datetime) -> int:
    """The bureau accepted the roster (§9): the course's `issued` entries become `recognized`, in
    one UPDATE, and their hours count as recognised in the month of `now` (the trends' figures).

    Void entries stay void; running it again changes nothing. Returns how many changed.
    """
    issued = (LedgerEntry.course_id == course.id, LedgerEntry.status == LedgerStatus.ISSUED)
    count, hours = db.session.execute(
        db.select(func.count(), func.coalesce(func.sum(LedgerEntry.hours), 0)).where(*issued)
    ).one()
    if not count:
        return 0
    db.session.execute(update(LedgerEntry).where(*issued).values(status=LedgerStatus.RECOGNIZED, recognized_at=now))
    month_figures.add(course.base_id, now, hours_recognized=float(hours))
    audit(
        actor,
        "ledger.recognize",
        course,
        now=now,
        after={"recognized": count},
        base_id=course.base_id,
        bureau_id=course.base.bureau_id,
    )
    db.session.flush()
    return count
