"""Which enrolled trainees a chunk of finalisation takes next: those without a result, by name (as
the results list them, and so the certificates are numbered), as rows (id, name, id_number).

Ordering a course's trainees by name reads all of them (their names are on `trainee`, not on the
enrolment): for 5,000 trainees tens of ms, too much for each of 50 chunks. So the first chunk of
a run orders them once and keeps that order in the session (`Session.info`: it outlives the
commits between chunks, not the request or job); each later chunk looks at the next ids of the
order — twice a chunk's size, because the previous chunk's may not have been committed — and
takes, under the course's lock, the first `size` of them still lacking a result. Once the order
is used up, one full query looks for trainees it does not cover (enrolled meanwhile, or left by
a concurrent run): the run ends only when that query finds nobody.
"""

from dataclasses import dataclass

from basesys.accounts.models import Trainee
from basesys.certificates.models import CourseResult
from basesys.core.bulk import one_of
from basesys.courses.models import Course, Enrollment
from basesys.extensions import db

PLANS = "certificates.finalize.order"  # key of `Session.info`: course id → _Order


@dataclass
class _Order:
    ids: list[int]  # trainee ids by name, as the run's first chunk found them
    start: int = 0  # every id before it has a result


def trainees_without_result(course: Course, size: int) -> list:
    """The next `size` enrolled trainees without a result (see the module); [] when none is left."""
    orders = db.session.info.setdefault(PLANS, {})
    order = orders.get(course.id)
    while order is not None and order.start < len(order.ids):
        window = order.ids[order.start : order.start + 2 * size]
        lacking = {row.id: row for row in _lacking(course, window)}
        done = next((i for i, trainee_id in enumerate(window) if trainee_id in lacking), len(window))
        order.start += done
        taken = [lacking[trainee_id] for trainee_id in window if trainee_id in lacking][:size]
        if taken:
            return taken
    rows = _lacking(course)
    if rows:
        orders[course.id] = _Order([row.id for row in rows])
    else:
        orders.pop(course.id, None)
    return rows[:size]


def _lacking(course: Course, trainee_ids: list[int] | None = None) -> list:
    """Enrolled trainees of the course (all, or those of `trainee_ids`) without a result, by name."""
    query = (
        db.select(Trainee.id, Trainee.name, Trainee.id_number)
        .join(Enrollment, Enrollment.trainee_id == Trainee.id)
        .where(Enrollment.course_id == course.id)
        .order_by(Trainee.name, Trainee.id)
    )
    if trainee_ids is None:
        # The ids first (enrolment against results: two index-only reads), then their trainees by
        # primary key: as one join the planner hashed the province's million trainees for a course
        # of 5,000 (0.25 s, at the first and the last chunk of a run).
        has_result = db.select(CourseResult.id).where(
            CourseResult.course_id == course.id, CourseResult.trainee_id == Enrollment.trainee_id
        )
        ids = db.session.scalars(
            db.select(Enrollment.trainee_id).where(Enrollment.course_id == course.id, ~has_result.exists())
        ).all()
        if not ids:
            return []
        named = db.select(Trainee.id, Trainee.name, Trainee.id_number).where(one_of(Trainee.id, ids))
        return list(db.session.execute(named.order_by(Trainee.name, Trainee.id)))
    # A window: two lookups by index (its enrolled trainees, its results), told apart here. As an
    # anti-join the planner, with statistics older than the run's results, read the course's
    # results once per trainee: 20 s a window at bench scale 0.2.
    done = set(
        db.session.scalars(
            db.select(CourseResult.trainee_id).where(
                CourseResult.course_id == course.id, one_of(CourseResult.trainee_id, trainee_ids)
            )
        )
    )
    enrolled = db.session.execute(query.where(one_of(Enrollment.trainee_id, trainee_ids))).all()
    return [row for row in enrolled if row.id not in done]
