"""Scheduled finalisation (DOMAIN.md §8): courses whose last session ended `finalize_delay_hours` ago.

Each course is finalised in its own transaction, so one course that fails does not hold back the
others, and a run killed half-way keeps what it finished; the next run completes the rest.
"""

import logging
from datetime import datetime

from basesys.certificates import services
from basesys.courses.models import Course
from basesys.extensions import db

log = logging.getLogger("basesys.jobs.finalize")


def finalize_due_courses(now: datetime) -> str:
    done, failed = [], []
    for course_id in [c.id for c in services.courses_due_to_finalize(now=now)]:
        course = db.session.get(Course, course_id)
        try:
            services.finalize_course(None, course, now=now)
            db.session.commit()
            done.append(course_id)
        except Exception:  # one bad course must not stop the others; it is retried next run
            db.session.rollback()
            log.exception("finalising course %s failed", course_id)
            failed.append(course_id)
    db.session.commit()
    result = f"finalised {len(done)} course(s)"
    if done:
        result += f": {done}"
    if failed:
        result += f"; failed {failed}"
    return result
