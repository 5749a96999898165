"""Recognition (§9): the bureau accepted a course's roster, so its issued ledger entries count."""

from datetime import datetime

from basesys.certificates.models import LedgerEntry, LedgerStatus
from basesys.core.audit import audit
from basesys.courses.models import Course
from basesys.extensions import db


def recognize_course_entries(actor, course: Course, *, now: datetime) -> int:
    """The bureau accepted the roster (§9): the course's `issued` entries become `recognized`.

    Void entries stay void; running it again changes nothing. Returns how many changed.
    """
    entries = db.session.scalars(
        db.select(LedgerEntry).where(LedgerEntry.course_id == course.id, LedgerEntry.status == LedgerStatus.ISSUED)
    ).all()
    for entry in entries:
        entry.status, entry.recognized_at = LedgerStatus.RECOGNIZED, now
    if entries:
        audit(
            actor,
            "ledger.recognize",
            course,
            now=now,
            after={"recognized": len(entries)},
            base_id=course.base_id,
            bureau_id=course.base.bureau_id,
        )
    db.session.flush()
    return len(entries)
