"""Enrolment (DOMAIN.md §5): the base admin enrols by ID number (creating the trainee record of
someone not registered yet), trainees enrol themselves in approved upcoming courses of their city;
`capacity`, when set, is a hard limit."""

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from basesys.accounts import services as accounts
from basesys.accounts.models import Trainee
from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.ids import validate_id_number
from basesys.core.phones import phone_problem
from basesys.core.time import local_date
from basesys.courses.models import Course, Enrollment
from basesys.extensions import db


def _scope(course: Course) -> dict:
    return {"base_id": course.base_id, "bureau_id": course.base.bureau_id}


def enrolled_ids(trainee: Trainee, course_ids) -> set[int]:
    ids = list(course_ids)
    if not ids:
        return set()
    query = db.select(Enrollment.course_id).where(Enrollment.trainee_id == trainee.id, Enrollment.course_id.in_(ids))
    return set(db.session.scalars(query))


def enrolled_count(course: Course) -> int:
    return db.session.scalar(db.select(func.count()).select_from(Enrollment).where(Enrollment.course_id == course.id))


def enrolled_counts(course_ids) -> dict[int, int]:
    ids = list(course_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Enrollment.course_id, func.count())
        .where(Enrollment.course_id.in_(ids))
        .group_by(Enrollment.course_id)
    )
    return dict(rows.all())


def list_enrollments(course: Course, who: str | None = None) -> list[Enrollment]:
    """The course's enrolments in the order they came; `who`: a part of the name or of the ID number
    (an x as X), searched within the course (bounded by its enrolments, indexed by course)."""
    query = (
        db.select(Enrollment)
        .join(Trainee, Enrollment.trainee_id == Trainee.id)
        .where(Enrollment.course_id == course.id)
        .order_by(Enrollment.created_at, Enrollment.id)
    )
    if who:
        query = query.where(
            Trainee.name.contains(who, autoescape=True) | Trainee.id_number.contains(who.upper(), autoescape=True)
        )
    return list(db.session.scalars(query))


def lock_course(course: Course) -> None:
    """Serialize enrolments of one course (PostgreSQL row lock; SQLite writers are serial anyway),
    so two last-place enrolments cannot both pass the capacity check."""
    db.session.execute(db.select(Course.id).where(Course.id == course.id).with_for_update())


def check_room(course: Course, adding: int = 1) -> None:
    if course.capacity is None:
        return
    enrolled = enrolled_count(course)
    if enrolled + adding > course.capacity:
        message = f"课程报名人数已满（上限 {course.capacity} 人，已报名 {enrolled} 人）。"
        if adding > 1:
            message = f"导入后将超过人数上限：上限 {course.capacity} 人，已报名 {enrolled} 人，本次新增 {adding} 人。"
        raise DomainError("course_full", message)


def _add(actor, course: Course, trainee: Trainee, *, source: str, now: datetime) -> Enrollment:
    if db.session.scalar(
        db.select(Enrollment.id).where(Enrollment.course_id == course.id, Enrollment.trainee_id == trainee.id)
    ):
        raise DomainError("already_enrolled")
    check_room(course)
    enrollment = Enrollment(
        course_id=course.id,
        trainee_id=trainee.id,
        source=source,
        enrolled_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
    except IntegrityError:  # the same trainee enrolled at the same moment elsewhere
        raise DomainError("already_enrolled") from None
    audit(
        actor,
        "enrollment.created",
        enrollment,
        now=now,
        after={"course_id": course.id, "trainee_id": trainee.id, "source": source},
        **_scope(course),
    )
    return enrollment


def enroll_trainee(
    actor,
    course: Course,
    *,
    id_number: str,
    name: str | None = None,
    phone: str = "",
    employer: str = "",
    series: str = "",
    title: str = "",
    now: datetime,
) -> Enrollment:
    """The base enrols one person by ID number, creating the trainee record when nobody has
    registered it (a name is then needed). Refuses `invalid_id_number`, `validation_failed` on a
    given phone that is neither a mobile nor a landline (an empty one is fine), `trainee_unknown`,
    `name_mismatch`, `already_enrolled`, `course_full`, `course_finalized`."""
    if course.finalized:
        raise DomainError("course_finalized")
    number = validate_id_number(id_number, local_date(now))
    if reason := phone_problem(phone):
        raise ValidationFailed({"phone": reason})
    name = (name or "").strip()
    lock_course(course)
    trainee = accounts.get_trainee_by_id_number(number)
    if trainee is None:
        if not name:
            raise ValidationFailed({"name": "该身份证号码尚未注册，请填写姓名"}, code="trainee_unknown")
        check_room(course)
        trainee = accounts.create_trainee_record(
            actor,
            id_number=number,
            name=name,
            phone=phone,
            employer=employer,
            series=series,
            title=title,
            bureau_id=course.base.bureau_id,
            now=now,
            base_id=course.base_id,
        )
    elif name and name != trainee.name:
        raise ValidationFailed({"name": "姓名与该身份证号码已登记的姓名不一致"}, code="name_mismatch")
    return _add(actor, course, trainee, source="admin", now=now)


def enroll_self(actor, trainee: Trainee, course: Course, *, now: datetime) -> Enrollment:
    """A trainee enrols in an approved course of their city before it starts. Refuses
    `already_enrolled`, `enrolment_closed`, `course_full`."""
    lock_course(course)
    if db.session.scalar(
        db.select(Enrollment.id).where(Enrollment.course_id == course.id, Enrollment.trainee_id == trainee.id)
    ):
        raise DomainError("already_enrolled")
    starts_at = min((s.starts_at for s in course.sessions), default=None)
    if not course.is_approved or course.finalized or starts_at is None or starts_at <= now:
        raise DomainError("enrolment_closed")
    return _add(actor, course, trainee, source="self", now=now)


def remove_enrollment(actor, enrollment: Enrollment, *, now: datetime) -> None:
    """Take a trainee off a course's list (a mistake while preparing the roster). Refuses
    `enrolment_locked` once the course has started (attendance may hang on it) or is finalised."""
    course = enrollment.course
    starts_at = min((s.starts_at for s in course.sessions), default=None)
    if course.finalized or (starts_at is not None and starts_at <= now):
        raise DomainError("enrolment_locked")
    audit(
        actor,
        "enrollment.removed",
        enrollment,
        now=now,
        before={"course_id": course.id, "trainee_id": enrollment.trainee_id, "source": enrollment.source},
        **_scope(course),
    )
    db.session.delete(enrollment)
    db.session.flush()
