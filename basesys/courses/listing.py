"""Course lists for the API (GET /courses, /filings): one page in SQL, in scope, with what a course
answer shows loaded in a fixed number of statements (its base and sessions; the enrolled counts of
the page in one GROUP BY), whatever the page size (issue 11)."""

from sqlalchemy.orm import joinedload, selectinload

from basesys.accounts.scope import in_base_scope
from basesys.core.paging import Keyset, keyset_page
from basesys.courses.models import Course, CourseSession
from basesys.extensions import db

COURSE_ANSWER = (
    joinedload(Course.base),
    selectinload(Course.sessions).options(
        joinedload(CourseSession.venue), selectinload(CourseSession.teachers)
    ),  # a session answers its venue and teachers
)


def courses_in_scope(user, *conditions):
    """SELECT of the courses of the bases `user` may see (accounts.scope, in SQL)."""
    return db.select(Course).where(in_base_scope(user, Course.base_id), *conditions)


def course_page(query, order: tuple, *, limit: int, after: int | None, descending: bool) -> Keyset:
    return keyset_page(query, order, Course, limit=limit, after=after, descending=descending, options=COURSE_ANSWER)
