"""Quality evaluation (DOMAIN.md §13): who may answer, the once-only anonymous answer, the aggregates.

"Credited hours" is what the hours engine credits the trainee on the course: the finalised result
(certificates' `CourseResult`, after the daily cap) once the course is finalised, else the live
credit of the stored attendance (attendance's `credit_for`, the same engine finalisation runs).
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Trainee
from basesys.attendance.services import course_policy, credit_for, trainee_credits
from basesys.certificates.models import CourseResult
from basesys.core.audit import audit
from basesys.core.errors import DomainError
from basesys.core.time import LOCAL_TZ
from basesys.courses.models import Course, Enrollment
from basesys.evaluation.models import ITEMS, SCORES, EvaluationClaim, EvaluationResponse
from basesys.extensions import db

AUDIT_TYPE = "evaluation"


@dataclass(frozen=True)
class ItemSummary:
    mean: float | None  # None without answers
    counts: list[int]  # answers scoring 1, 2, 3, 4, 5


@dataclass(frozen=True)
class CourseEvaluation:
    """The anonymous aggregate of a course's answers: never who answered."""

    course_id: int
    responses: int
    eligible: int  # enrolled trainees with credited hours: those the evaluation is offered to
    items: dict[str, ItemSummary] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def response_rate(self) -> float:
        return round(self.responses / self.eligible, 4) if self.eligible else 0.0

    def as_json(self) -> dict:
        return {
            "responses": self.responses,
            "response_rate": self.response_rate,
            "items": {name: {"mean": s.mean, "counts": list(s.counts)} for name, s in self.items.items()},
            "comments": list(self.comments),
        }


def credited_hours(course: Course, trainee: Trainee) -> float:
    """The trainee's credited hours on the course: finalised if it is, else from the attendance so far."""
    result = db.session.scalar(
        db.select(CourseResult.credited_hours).where(
            CourseResult.course_id == course.id, CourseResult.trainee_id == trainee.id
        )
    )
    if result is not None:
        return float(result)
    return credit_for(course, trainee, course_policy(course)).credited_hours


def _enrolled(course: Course, trainee: Trainee) -> bool:
    query = db.select(Enrollment.id).where(Enrollment.course_id == course.id, Enrollment.trainee_id == trainee.id)
    return db.session.scalar(query) is not None


def has_answered(course: Course, trainee: Trainee) -> bool:
    return db.session.get(EvaluationClaim, (course.id, trainee.id)) is not None


def can_evaluate(course: Course, trainee: Trainee, *, now: datetime) -> bool:
    """Enrolled, the course's last session has ended, credited hours (§13); answered or not."""
    if course.last_ends_at is None or course.last_ends_at > now:
        return False
    return _enrolled(course, trainee) and credited_hours(course, trainee) > 0


def is_offered(course: Course, trainee: Trainee, *, now: datetime) -> bool:
    """The evaluation waits for this trainee: they may answer and have not yet."""
    return not has_answered(course, trainee) and can_evaluate(course, trainee, now=now)


def submit_evaluation(trainee: Trainee, course: Course, *, scores: dict, comment: str, now: datetime) -> None:
    """Store one anonymous answer; refuses `not_attended` (no credited hours, or the last session has not
    ended) and `already_evaluated` (the claim exists: once per trainee and course, races included).
    The trainee is the actor; the audit record deliberately names no one."""
    if set(scores) != set(ITEMS) or any(scores[name] not in SCORES for name in ITEMS):
        raise DomainError("validation_failed")
    if has_answered(course, trainee):
        raise DomainError("already_evaluated")
    if not can_evaluate(course, trainee, now=now):
        raise DomainError("not_attended")
    try:  # two posts at once: the claim's primary key lets one through
        with db.session.begin_nested():
            db.session.add(EvaluationClaim(course_id=course.id, trainee_id=trainee.id))
    except IntegrityError:
        raise DomainError("already_evaluated") from None
    db.session.add(
        EvaluationResponse(
            id=secrets.token_hex(16), course_id=course.id, comment=comment.strip(), **{n: scores[n] for n in ITEMS}
        )
    )
    # The log is read by the base and its bureaus: it says that an answer came, never from whom
    # (no actor) nor what (no scores).
    record = audit(
        None,
        "evaluation.answer",
        course,
        now=now,
        object_type=AUDIT_TYPE,
        base_id=course.base_id,
        bureau_id=course.base.bureau_id,
    )
    record.actor_label = "trainee"
    db.session.flush()


def eligible_count(course: Course) -> int:
    """Enrolled trainees with credited hours on the course (the response rate's denominator)."""
    if course.finalized:
        query = db.select(db.func.count()).where(CourseResult.course_id == course.id, CourseResult.credited_hours > 0)
        return db.session.scalar(query) or 0
    ids = list(db.session.scalars(db.select(Enrollment.trainee_id).where(Enrollment.course_id == course.id)))
    if not ids:
        return 0
    credits, _done = trainee_credits(course, course_policy(course), ids)
    return sum(1 for credit in credits.values() if credit.credited_hours > 0)


def course_summary(course: Course) -> CourseEvaluation:
    """The course's anonymous evaluation: answers, response rate, per item mean and counts of 1–5,
    the comments (in the order of the answers' random ids, never of their arrival)."""
    columns = [getattr(EvaluationResponse, name) for name in ITEMS]
    rows = db.session.execute(
        db.select(*columns, EvaluationResponse.comment)
        .where(EvaluationResponse.course_id == course.id)
        .order_by(EvaluationResponse.id)
    ).all()
    items = {}
    for index, name in enumerate(ITEMS):
        values = [row[index] for row in rows]
        counts = [values.count(score) for score in SCORES]
        mean = round(sum(values) / len(values), 2) if values else None
        items[name] = ItemSummary(mean, counts)
    comments = [row[-1] for row in rows if row[-1]]
    return CourseEvaluation(course.id, len(rows), eligible_count(course), items, comments)


@dataclass(frozen=True)
class TrendRow:
    """One course of a base's trend: its answers and the mean of each item (None without answers)."""

    course: Course
    responses: int
    response_rate: float
    means: dict[str, float | None]


def base_trend(base_id: int, year: int) -> list[TrendRow]:
    """The base's courses of the year (local date of their first session) that have ended, oldest
    first, with their answers and means: one grouped query for the answers, then each rate."""
    start = datetime(year, 1, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)
    courses = list(
        db.session.scalars(
            db.select(Course)
            .where(Course.base_id == base_id, Course.first_starts_at >= start, Course.first_starts_at < end)
            .where(Course.last_ends_at.is_not(None))
            .order_by(Course.first_starts_at, Course.id)
        )
    )
    if not courses:
        return []
    averages = [db.func.avg(getattr(EvaluationResponse, name)) for name in ITEMS]
    grouped = db.session.execute(
        db.select(EvaluationResponse.course_id, db.func.count(), *averages)
        .where(EvaluationResponse.course_id.in_([c.id for c in courses]))
        .group_by(EvaluationResponse.course_id)
    )
    answers = {row[0]: row[1:] for row in grouped}
    rows = []
    for course in courses:
        count, *means = answers.get(course.id, (0,) + (None,) * len(ITEMS))
        eligible = eligible_count(course)
        rate = round(count / eligible, 4) if eligible else 0.0
        shown = {name: (round(float(m), 2) if m is not None else None) for name, m in zip(ITEMS, means, strict=True)}
        rows.append(TrendRow(course, count, rate, shown))
    return rows


def offered_courses(trainee: Trainee, *, now: datetime) -> list[Course]:
    """The trainee's ended courses whose evaluation waits for them (credited hours, not answered)."""
    answered = db.select(EvaluationClaim.course_id).where(EvaluationClaim.trainee_id == trainee.id)
    candidates = db.session.scalars(
        db.select(Course)
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(Enrollment.trainee_id == trainee.id, Course.last_ends_at <= now, Course.id.not_in(answered))
        .order_by(Course.last_ends_at.desc(), Course.id)
    )
    candidates = list(candidates)
    if not candidates:
        return []
    finalised = dict(  # one read for the finalised ones; the live engine only for the others
        db.session.execute(
            db.select(CourseResult.course_id, CourseResult.credited_hours).where(
                CourseResult.trainee_id == trainee.id, CourseResult.course_id.in_([c.id for c in candidates])
            )
        ).all()
    )
    offered = []
    for course in candidates:
        hours = finalised[course.id] if course.id in finalised else credited_hours(course, trainee)
        if float(hours) > 0:
            offered.append(course)
    return offered
