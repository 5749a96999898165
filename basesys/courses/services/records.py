"""Venues (场地) and teachers (授课教师): records a base keeps once and books for its sessions
(issue 13). Each create and edit is audited; a base only ever sees its own."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from basesys.core.audit import audit
from basesys.core.errors import ValidationFailed
from basesys.core.inputs import NAME_MESSAGE, has_invisible
from basesys.courses.models import Teacher, Venue
from basesys.extensions import db

VENUE_TEXT = {"name": 100, "address": 200}
TEACHER_TEXT = {"name": 60, "title": 60, "employer": 120}
MAX_SEATS = 100000


def _texts(values: dict, limits: dict) -> tuple[dict, dict]:
    clean, problems = {}, {}
    for name, limit in limits.items():
        value = (values.get(name) or "").strip()
        if len(value) > limit:
            problems[name] = f"最多 {limit} 个字"
        elif "\x00" in value or (name == "name" and has_invisible(value)):
            problems[name] = NAME_MESSAGE
        clean[name] = value
    if not clean["name"]:
        problems["name"] = "必填项"
    return clean, problems


def _venue_values(values: dict) -> dict:
    clean, problems = _texts(values, VENUE_TEXT)
    capacity = values.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or not 1 <= capacity <= MAX_SEATS):
        problems["capacity"] = f"容纳人数应为 1 到 {MAX_SEATS} 之间的整数，不限请留空"
    if problems:
        raise ValidationFailed(problems)
    return {**clean, "capacity": capacity}


def _venue_state(venue: Venue) -> dict:
    return {"name": venue.name, "address": venue.address, "capacity": venue.capacity}


def _teacher_state(teacher: Teacher) -> dict:
    return {"name": teacher.name, "title": teacher.title, "employer": teacher.employer}


def _scope(record) -> dict:
    return {"base_id": record.base_id, "bureau_id": record.base.bureau_id}


def _flush_unique_name(venue: Venue) -> None:
    """The unique (base, name) constraint settles two admins adding the same name at once."""
    try:
        with db.session.begin_nested():
            db.session.add(venue)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed({"name": "本基地已有同名场地"}, code="venue_name_taken") from None


def create_venue(actor, base, *, values: dict, now: datetime) -> Venue:
    """A venue of the base; refuses a missing or too long name, a bad capacity, a name the base has."""
    venue = Venue(base_id=base.id, created_at=now, updated_at=now, **_venue_values(values))
    _flush_unique_name(venue)
    audit(actor, "venue.created", venue, now=now, after=_venue_state(venue), **_scope(venue))
    db.session.flush()
    return venue


def update_venue(actor, venue: Venue, *, values: dict, now: datetime) -> Venue:
    """Change a venue's name, address or capacity (its bookings stay); refuses what create refuses."""
    before = _venue_state(venue)
    for name, value in _venue_values(values).items():
        setattr(venue, name, value)
    after = _venue_state(venue)
    if after == before:
        return venue
    venue.updated_at = now
    _flush_unique_name(venue)
    audit(actor, "venue.updated", venue, now=now, before=before, after=after, **_scope(venue))
    db.session.flush()
    return venue


def create_teacher(actor, base, *, values: dict, now: datetime) -> Teacher:
    """A teacher of the base; refuses a missing name and too long texts. Two teachers may share a
    name (two 王伟 are two people): the title and employer tell them apart."""
    clean, problems = _texts(values, TEACHER_TEXT)
    if problems:
        raise ValidationFailed(problems)
    teacher = Teacher(base=base, created_at=now, updated_at=now, **clean)
    db.session.add(teacher)
    db.session.flush()
    audit(actor, "teacher.created", teacher, now=now, after=_teacher_state(teacher), **_scope(teacher))
    db.session.flush()
    return teacher


def update_teacher(actor, teacher: Teacher, *, values: dict, now: datetime) -> Teacher:
    """Change a teacher's name, title or employer; refuses what create refuses."""
    clean, problems = _texts(values, TEACHER_TEXT)
    if problems:
        raise ValidationFailed(problems)
    before = _teacher_state(teacher)
    for name, value in clean.items():
        setattr(teacher, name, value)
    after = _teacher_state(teacher)
    if after == before:
        return teacher
    teacher.updated_at = now
    audit(actor, "teacher.updated", teacher, now=now, before=before, after=after, **_scope(teacher))
    db.session.flush()
    return teacher


def list_venues(base_id: int) -> list[Venue]:
    return list(db.session.scalars(db.select(Venue).where(Venue.base_id == base_id).order_by(Venue.name, Venue.id)))


def list_teachers(base_id: int) -> list[Teacher]:
    query = db.select(Teacher).where(Teacher.base_id == base_id).order_by(Teacher.name, Teacher.id)
    return list(db.session.scalars(query))
