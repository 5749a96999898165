"""The course's year (DOMAIN.md §3): every session lies in one local calendar year, and that year
selects the policy in force, the ledger year and the filing and certificate numbering.

This is the one place that answers "which year is this course". Sessions are validated to lie in
one year when they are saved (courses.services.sessions), so the first session's year is the year
of every session.
"""

from collections.abc import Iterable
from datetime import datetime

from basesys.core.time import local_date


def sessions_year(starts: Iterable[datetime]) -> int | None:
    """The local year of the first of these session starts; None without sessions."""
    first = min(starts, default=None)
    return None if first is None else local_date(first).year


def course_year(course) -> int:
    """The course's year: that of its sessions; a course without sessions yet, the year it was created."""
    year = sessions_year(s.starts_at for s in course.sessions)
    return year if year is not None else local_date(course.created_at).year
