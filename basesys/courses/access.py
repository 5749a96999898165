"""Who may see or run a course (DOMAIN.md §1): out of scope is 404, wrong role 403."""

from sqlalchemy import ColumnElement, exists

from basesys.accounts.models import User
from basesys.accounts.scope import can_manage_base, can_supervise_base, trainee_of
from basesys.core.errors import DomainError, NotFound
from basesys.courses.models import Course, Enrollment, Teacher, Venue
from basesys.courses.services.catalog import is_in_catalog
from basesys.extensions import db


def can_view_course(user: User, course: Course) -> bool:
    """Its base, its supervising bureau and those above, the sysadmin, its enrolled trainees, and
    trainees whose catalog offers it (an approved course of a base of their city)."""
    if user.role == "sysadmin":
        return True
    if user.role == "base_admin":
        return can_manage_base(user, course.base)
    if user.role == "bureau_officer":
        return can_supervise_base(user, course.base)
    if user.role == "trainee":
        trainee = trainee_of(user)
        if trainee is None:
            return False
        return is_enrolled(course.id, trainee.id) or is_in_catalog(trainee, course)
    return False


def is_enrolled(course_id: int, trainee_id: int) -> bool:
    return (
        db.session.scalar(
            db.select(Enrollment.id).where(Enrollment.course_id == course_id, Enrollment.trainee_id == trainee_id)
        )
        is not None
    )


def trainee_enrolled_at(trainee_id, base_condition) -> ColumnElement[bool]:
    """EXISTS: the trainee is on a course of a base for which `base_condition(Course.base_id)` holds
    (provided to accounts.scope, which may not import courses)."""
    return exists().where(
        Enrollment.trainee_id == trainee_id, Course.id == Enrollment.course_id, base_condition(Course.base_id)
    )


def get_course_for(user: User, course_id: int, *, roles: tuple[str, ...] | None = None) -> Course:
    """The course, or 404 when unknown or outside the user's scope; 403 when the role may not act."""
    course = db.session.get(Course, course_id)
    if course is None or not can_view_course(user, course):
        raise NotFound()
    if roles is not None and user.role not in roles:
        raise DomainError("forbidden")
    return course


def get_managed_course(user: User, course_id: int) -> Course:
    """A course the base admin runs (their own base); 404 otherwise, 403 for other roles."""
    course = get_course_for(user, course_id)
    if user.role != "base_admin":
        raise DomainError("forbidden")
    return course


def _base_record(model, user: User, record_id: int):
    record = db.session.get(model, record_id)
    if record is None or user.role != "base_admin" or record.base_id != user.base_id:
        raise NotFound()
    return record


def get_base_venue(user: User, venue_id: int) -> Venue:
    """A venue of the base admin's own base; 404 otherwise (another base's, or unknown)."""
    return _base_record(Venue, user, venue_id)


def get_base_teacher(user: User, teacher_id: int) -> Teacher:
    """A teacher of the base admin's own base; 404 otherwise."""
    return _base_record(Teacher, user, teacher_id)
