"""What a trainee sees of courses (DOMAIN.md §5): the catalog of their city and their own courses.

Each list is one page in SQL with its sessions and base eager-loaded, so a trainee with a thousand
courses behind them costs what a newcomer costs (issue 11); the catalog's scope is a subquery,
never a set of base ids loaded into Python.
"""

from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from basesys.accounts.models import Base, Bureau, Trainee
from basesys.accounts.scope import bureau_subtree
from basesys.core.paging import Keyset, keyset_page
from basesys.courses.models import Course, Enrollment, FilingStatus
from basesys.extensions import db

# What a course card shows: its dates (the sessions) and its base.
COURSE_CARD = (selectinload(Course.sessions), joinedload(Course.base))


def home_city(bureau: Bureau | None) -> Bureau | None:
    """The city bureau of a trainee's bureau (a county's parent); None when unknown."""
    while bureau is not None and bureau.level == "county" and bureau.parent is not None:
        bureau = bureau.parent
    return bureau


def catalog_bases(trainee: Trainee) -> Select | None:
    """SELECT of the bases whose courses the trainee is offered: those supervised in the trainee's
    city (its counties included); None (every base) when the trainee named no city."""
    city = home_city(trainee.bureau)
    if city is None:
        return None
    return select(Base.id).where(Base.bureau_id.in_(bureau_subtree(city.id)))


def is_in_catalog(trainee: Trainee, course: Course) -> bool:
    """An approved course of a base of the trainee's city (whatever its dates)."""
    if not course.is_approved:
        return False
    bases = catalog_bases(trainee)
    return bases is None or db.session.scalar(bases.where(Base.id == course.base_id)) is not None


def first_start():
    """A course's first session start: the catalog's and "my courses"' sort key, stored and indexed
    (courses.models._keep_schedule)."""
    return Course.first_starts_at


def _last_end():
    return Course.last_ends_at


def catalog_page(trainee: Trainee, *, now: datetime, limit: int, after: int | None = None) -> Keyset:
    """A keyset page of the approved courses of the trainee's city that have not started yet,
    soonest first; `after` is the previous page's `next` (a course id)."""
    first = first_start()
    query = db.select(Course).where(
        Course.filing_status == FilingStatus.APPROVED, Course.finalized_at.is_(None), first > now
    )
    bases = catalog_bases(trainee)
    if bases is not None:
        query = query.where(Course.base_id.in_(bases))
    return keyset_page(
        query, (first, Course.id), Course, limit=limit, after=after, descending=False, options=COURSE_CARD
    )


def _mine(trainee: Trainee):
    return (
        db.select(Course).join(Enrollment, Enrollment.course_id == Course.id).where(Enrollment.trainee_id == trainee.id)
    )


def trainee_courses_page(trainee: Trainee, *, limit: int, after: int | None = None) -> Keyset:
    """A keyset page of the courses the trainee is enrolled in, latest first (a course without
    sessions yet by the day it was created); `after` is the previous page's `next` (a course id)."""
    order = (func.coalesce(first_start(), Course.created_at), Course.id)
    return keyset_page(_mine(trainee), order, Course, limit=limit, after=after, descending=True, options=COURSE_CARD)


def upcoming_trainee_courses(trainee: Trainee, *, now: datetime, limit: int) -> list[Course]:
    """The trainee's courses that have not ended yet, soonest first, then those without sessions yet."""
    first, last_end = first_start(), _last_end()
    query = (
        _mine(trainee)
        .where(or_(last_end >= now, last_end.is_(None)))
        .options(*COURSE_CARD)
        .order_by(first.is_(None), first, Course.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
