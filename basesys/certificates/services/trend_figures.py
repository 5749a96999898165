"""What finalisation adds to the trends' month figures (courses.month_figures), a chunk at a time."""

from datetime import datetime

from sqlalchemy import func, select

from basesys.certificates.models import Certificate, LedgerEntry
from basesys.courses import month_figures
from basesys.courses.models import Course
from basesys.extensions import db


def count_chunk(course: Course, trainee_ids: list[int], *, now: datetime) -> None:
    """The certificates (培训人次) and ledger hours one chunk of finalisation wrote for these
    trainees, counted in the month of `now`: one SELECT of the chunk's rows and one upsert for the
    whole chunk, never a statement per trainee. (A trainee of a chunk had no result before it, so
    every certificate and entry of theirs in the course is the chunk's.)"""
    mine = (Certificate.course_id == course.id, Certificate.trainee_id.in_(trainee_ids))
    entries = (LedgerEntry.course_id == course.id, LedgerEntry.trainee_id.in_(trainee_ids))
    certificates, hours = db.session.execute(
        select(
            select(func.count()).select_from(Certificate).where(*mine).scalar_subquery(),
            select(func.coalesce(func.sum(LedgerEntry.hours), 0)).where(*entries).scalar_subquery(),
        )
    ).one()
    month_figures.add(course.base_id, now, trainee_times=certificates, hours_issued=float(hours))
