"""Venue and teacher bookings of a base's sessions (issue 13): a venue or a teacher is in one place
at a time, so a session booking one that another course of the base holds at an overlapping time is
refused (`venue_clash`, `teacher_clash`, naming the other course and session); a course planned for
more people than a venue seats is only warned about.

The course services call `book_sessions` before they change any session, for every path (pages,
API, copy, patterns). Two admins saving clashing sessions at once: `lock_base` takes the base's row
lock first (SELECT … FOR UPDATE on PostgreSQL), so the second waits for the first to commit and then
sees its bookings. SQLite runs one writer at a time anyway.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_

from basesys.accounts.models import Base
from basesys.core.errors import ValidationFailed
from basesys.core.time import to_local
from basesys.courses.models import Course, CourseSession, Teacher, Venue, session_teacher
from basesys.courses.services.sessions import KEEP, CheckedSession
from basesys.extensions import db


@dataclass(frozen=True)
class Booking:
    """A checked session's venue and teachers, resolved and checked against the base's other courses."""

    venue: Venue | None
    teachers: tuple[Teacher, ...]


def lock_base(base: Base) -> None:
    """Serialise the base's bookings: held until the caller commits (a no-op on SQLite)."""
    db.session.execute(db.select(Base.id).where(Base.id == base.id).with_for_update())


def _span(starts_at: datetime, ends_at: datetime) -> str:
    start, end = to_local(starts_at), to_local(ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _other(course_session: CourseSession, title: str) -> str:
    topic = f"「{course_session.title}」" if course_session.title else ""
    return f"《{title}》的课次 {_span(course_session.starts_at, course_session.ends_at)}{topic}"


def _resolve(base: Base, checked: list[CheckedSession], existing: dict) -> list[tuple]:
    """(venue id, teacher ids) of each session: what it says, else what the existing session has."""
    out = []
    for item in checked:
        current = existing.get(item.id) if item.id is not None else None
        venue_id = item.venue_id if item.venue_id is not KEEP else (current.venue_id if current else None)
        teacher_ids = item.teacher_ids
        if teacher_ids is KEEP:
            teacher_ids = tuple(t.id for t in current.teachers) if current else ()
        out.append((venue_id, teacher_ids))
    return out


def _records(model, base: Base, ids: set[int]) -> dict:
    if not ids:
        return {}
    query = db.select(model).where(model.id.in_(ids), model.base_id == base.id)
    return {record.id: record for record in db.session.scalars(query)}


def _others(base: Base, course_id: int | None, starts: datetime, ends: datetime):
    where = [Course.base_id == base.id, CourseSession.starts_at < ends, CourseSession.ends_at > starts]
    if course_id is not None:
        where.append(Course.id != course_id)
    return db.select(CourseSession, Course.title).join(Course, Course.id == CourseSession.course_id).where(*where)


def _booked(base: Base, course_id, checked, venue_ids: set[int], teacher_ids: set[int]):
    """The base's other sessions in the span of `checked` holding one of these venues or teachers:
    (session, course title, its teacher ids)."""
    if not checked or not (venue_ids or teacher_ids):
        return []
    starts, ends = min(s.starts_at for s in checked), max(s.ends_at for s in checked)
    teacher_rows = db.select(session_teacher.c.session_id).where(session_teacher.c.teacher_id.in_(teacher_ids))
    holds = or_(
        and_(CourseSession.venue_id.is_not(None), CourseSession.venue_id.in_(venue_ids)),
        CourseSession.id.in_(teacher_rows),
    )
    rows = db.session.execute(_others(base, course_id, starts, ends).where(holds).order_by(CourseSession.starts_at))
    found = [(course_session, title) for course_session, title in rows]
    held: dict[int, set[int]] = {}
    if found and teacher_ids:
        pairs = db.session.execute(
            db.select(session_teacher.c.session_id, session_teacher.c.teacher_id).where(
                session_teacher.c.session_id.in_([s.id for s, _title in found]),
                session_teacher.c.teacher_id.in_(teacher_ids),
            )
        )
        for session_id, teacher_id in pairs:
            held.setdefault(session_id, set()).add(teacher_id)
    return [(s, title, held.get(s.id, set())) for s, title in found]


def _clashes(item: CheckedSession, venue: Venue | None, teachers, booked) -> dict[str, tuple]:
    problems: dict[str, tuple] = {}
    prefix = f"sessions.{item.index}"
    for other, title, other_teachers in booked:
        if not (other.starts_at < item.ends_at and other.ends_at > item.starts_at):
            continue
        if venue is not None and other.venue_id == venue.id and f"{prefix}.venue_id" not in problems:
            message = f"场地「{venue.name}」在该时段已被{_other(other, title)}占用。"
            problems[f"{prefix}.venue_id"] = ("venue_clash", message)
        for teacher in teachers:
            if teacher.id in other_teachers and f"{prefix}.teacher_ids" not in problems:
                message = f"授课教师{teacher.label}在该时段已安排在{_other(other, title)}。"
                problems[f"{prefix}.teacher_ids"] = ("teacher_clash", message)
    return problems


def book_sessions(base: Base, course: Course | None, checked: list[CheckedSession]) -> list[Booking]:
    """The venue and teachers of each checked session (in order). Refuses (422, every row at once)
    a venue or teacher of another base or unknown (`unknown_venue`, `unknown_teacher`) and a venue or
    teacher another course of the base holds at an overlapping time (`venue_clash`, `teacher_clash`)."""
    lock_base(base)
    existing = {s.id: s for s in course.sessions} if course is not None else {}
    resolved = _resolve(base, checked, existing)
    venues = _records(Venue, base, {v for v, _t in resolved if v is not None})
    teachers = _records(Teacher, base, {t for _v, ids in resolved for t in ids})
    problems: dict[str, tuple] = {}
    for item, (venue_id, teacher_ids) in zip(checked, resolved, strict=True):
        if venue_id is not None and venue_id not in venues:
            problems[f"sessions.{item.index}.venue_id"] = ("unknown_venue", "场地不存在或不属于本基地。")
        if any(t not in teachers for t in teacher_ids):
            problems[f"sessions.{item.index}.teacher_ids"] = ("unknown_teacher", "授课教师不存在或不属于本基地。")
    if not problems:
        booked = _booked(base, course.id if course is not None else None, checked, set(venues), set(teachers))
        for item, (venue_id, teacher_ids) in zip(checked, resolved, strict=True):
            chosen = [teachers[t] for t in teacher_ids]
            problems.update(_clashes(item, venues.get(venue_id), chosen, booked))
    if problems:
        first = min(problems, key=lambda k: (int(k.split(".")[1]), not k.endswith("venue_id"), k))
        raise ValidationFailed({k: message for k, (_code, message) in problems.items()}, code=problems[first][0])
    return [
        Booking(venues.get(venue_id), tuple(teachers[t] for t in teacher_ids)) for venue_id, teacher_ids in resolved
    ]


def capacity_warnings(course: Course) -> list[str]:
    """Venues of the course that seat fewer than it plans for (planned headcount or capacity):
    shown to the admin, never a refusal."""
    need = max(course.planned_headcount or 0, course.capacity or 0)
    short: dict[int, Venue] = {}
    for course_session in course.sessions:
        venue = course_session.venue
        if venue is not None and venue.capacity is not None and need > venue.capacity:
            short.setdefault(venue.id, venue)
    return [f"计划 {need} 人，超过场地「{v.name}」的容纳人数 {v.capacity} 人，请确认场地安排。" for v in short.values()]
