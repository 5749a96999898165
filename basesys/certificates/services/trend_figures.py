"""What finalisation adds to the trends' month figures (courses.month_figures), a chunk at a time."""

from datetime import datetime

from sqlalchemy import func, select

from basesys.certificates.models import LedgerEntry
from basesys.courses import month_figures
from basesys.courses.models import Course
from basesys.extensions import db


def count_chunk(course: Course, trainee_ids: list[int], *, now: datetime) -> None:
    """The certificates (培训人次) and ledger hours one chunk of finalisation wrote for these
    trainees, counted in the month of `now`: one SELECT of the chunk's entries (each completer's
    entry links its certificate, if one could be printed) and one upsert for the whole chunk, never
    a statement per trainee. A trainee of a chunk had no result before it, so every entry of theirs
    in the course is the chunk's."""
    certificates, hours = db.session.execute(
        select(func.count(LedgerEntry.certificate_id), func.coalesce(func.sum(LedgerEntry.hours), 0)).where(
            LedgerEntry.course_id == course.id, LedgerEntry.trainee_id.in_(trainee_ids)
        )
    ).one()
    month_figures.add(course.base_id, now, trainee_times=certificates, hours_issued=float(hours))
