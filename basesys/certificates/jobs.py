"""Finalisation with a commit after every chunk, and the scheduled finalisation (DOMAIN.md §8).

`finalize_in_chunks` is the one place that commits between the chunks of `services.finalize_chunk`:
the page, the API and the scheduler call it, so SQLite's single write lock is held for one chunk
(`CHUNK_SIZE` trainees, ≈ 0.1–0.3 s) at a time, with a pause between chunks, and scans, logins
and edits commit in between, instead of waiting for a whole course (5,000 trainees: several
seconds, beyond the busy timeout under load). Killed half-way, the committed chunks stay and the
next run completes the rest.

The scheduled job finalises each due course on its own, so one course that fails does not hold
back the others; it is retried next run.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from basesys.certificates import services
from basesys.core.observability import FINALIZE_SECONDS
from basesys.courses.models import Course
from basesys.extensions import db

log = logging.getLogger("basesys.jobs.finalize")

# SQLite has no queue for its write lock: a writer that found it taken polls (its busy handler
# sleeps up to 100 ms between tries), so a finaliser that took the lock again at once would win
# every time. Between chunks it steps aside this long, enough for every waiting writer to try.
SQLITE_PAUSE_SECONDS = 0.1


def finalize_in_chunks(
    actor, course: Course, *, now: datetime, size: int | None = None, between_chunks: Callable[[], None] | None = None
) -> dict:
    """Finalise `course`, committing after every chunk; returns its totals (as `finalize_course`).

    Refusals (`course_not_approved`, `course_not_ended`) come from the first chunk, before anything
    is written. `between_chunks` runs after each committed chunk but the last (tests, benchmarks).
    """
    pause = SQLITE_PAUSE_SECONDS if db.engine.dialect.name == "sqlite" else 0.0
    started = time.perf_counter()
    while True:
        # `course` expired at the commit: the chunk's locking read loads it again (no other read).
        done = services.finalize_chunk(actor, course, now=now, size=size)
        totals = services.course_totals(course).as_dict() if done else None
        db.session.commit()
        if done:
            FINALIZE_SECONDS.observe(time.perf_counter() - started)
            return totals
        time.sleep(pause)
        if between_chunks is not None:
            between_chunks()


def finalize_due_courses(now: datetime) -> str:
    done, failed = [], []
    for course_id in [c.id for c in services.courses_due_to_finalize(now=now)]:
        db.session.commit()  # end the reading transaction: each chunk takes the write lock anew
        course = db.session.get(Course, course_id)
        try:
            finalize_in_chunks(None, course, now=now)
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
