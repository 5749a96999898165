"""Copying a course to a new first date, and session patterns ("every Tuesday and Thursday
14:00–17:00 for 6 weeks", issue 13). Both build session inputs and hand them to the course services,
so every rule of §3, the one-year rule and the venue/teacher clashes apply before anything is saved."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from basesys.core.audit import audit
from basesys.core.errors import ValidationFailed
from basesys.core.time import LOCAL_TZ, local_date, to_local
from basesys.courses.models import Course, CourseSession
from basesys.courses.services.courses import build_course, update_course
from basesys.courses.services.sessions import MAX_SESSIONS, SessionInput
from basesys.courses.state import COURSE_FIELDS, course_state

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MAX_WEEKS = 53


def _shifted(course_session: CourseSession, days: timedelta) -> SessionInput:
    """The same local times on a date `days` later, with the same venue and teachers."""
    start, end = to_local(course_session.starts_at), to_local(course_session.ends_at)
    return SessionInput(
        datetime.combine(start.date() + days, start.time(), tzinfo=LOCAL_TZ),
        datetime.combine(end.date() + days, end.time(), tzinfo=LOCAL_TZ),
        course_session.title,
        float(course_session.credit_hours),
        None,
        course_session.venue_id,
        tuple(t.id for t in course_session.teachers),
    )


def _on_field(field: str, error: ValidationFailed) -> ValidationFailed:
    """A session refusal of a generated schedule, said on the one form field the admin filled."""
    messages = list(dict.fromkeys(error.fields.values())) or [error.message]
    return ValidationFailed({field: "；".join(messages)}, code=error.code, message=error.message)


def copy_course(actor, course: Course, *, first_day: date, title: str, now: datetime) -> Course:
    """A new draft course with all the fields of `course` and its sessions moved so the first falls
    on `first_day` (same weekday offsets, same local times, same venues and teachers, clash-checked).
    Refuses a shift out of one calendar year (`sessions_span_years`) and what creating refuses, on
    the `first_day` field."""
    ordered = sorted(course.sessions, key=lambda s: (s.starts_at, s.ends_at))
    days = first_day - local_date(ordered[0].starts_at) if ordered else timedelta(0)
    moved = [_shifted(s, days) for s in ordered]
    years = sorted({s.starts_at.year for s in moved})
    if len(years) > 1:
        message = (
            f"复制后的课次跨越 {years[0]} 年和 {years[-1]} 年；课程的所有课次须在同一自然年内，"
            "请另选首日或分成两个课程。"
        )
        raise ValidationFailed({"first_day": message}, code="sessions_span_years")
    values = {name: getattr(course, name) for name in COURSE_FIELDS}
    values["title"] = title.strip() if title and title.strip() else course.title
    try:
        copy = build_course(course.base, values=values, sessions=moved, now=now)
    except ValidationFailed as error:
        raise _on_field("first_day", error) from None
    after = {**course_state(copy), "copied_from": course.title, "copied_from_id": course.id}
    audit(actor, "course.copied", copy, now=now, after=after, base_id=copy.base_id, bureau_id=copy.base.bureau_id)
    return copy


@dataclass(frozen=True)
class SessionPattern:
    """Sessions on some weekdays (0 = Monday) at one local time, from a first date for a number of
    weeks or up to a last date."""

    first_day: date
    weekdays: tuple[int, ...]
    start: time
    end: time
    weeks: int | None = None
    last_day: date | None = None
    venue_id: int | None = None
    teacher_ids: tuple[int, ...] = ()
    title: str = ""


def pattern_dates(pattern: SessionPattern) -> list[date]:
    """The dates of the pattern; refuses no weekday, neither or both of weeks and last date, a last
    date before the first, more weeks than a year has, and a pattern with no date (422)."""
    problems = {}
    if not pattern.weekdays or any(not 0 <= d <= 6 for d in pattern.weekdays):
        problems["weekdays"] = "请至少选择一个星期几"
    if (pattern.weeks is None) == (pattern.last_day is None):
        problems["weeks"] = "请填写周数或结束日期（二选一）"
    elif pattern.weeks is not None and not 1 <= pattern.weeks <= MAX_WEEKS:
        problems["weeks"] = f"周数应在 1 到 {MAX_WEEKS} 之间"
    elif pattern.last_day is not None and pattern.last_day < pattern.first_day:
        problems["last_day"] = "结束日期不能早于首日"
    elif pattern.last_day is not None and (pattern.last_day - pattern.first_day).days > 7 * MAX_WEEKS:
        problems["last_day"] = "重复安排最长一年"
    if problems:
        raise ValidationFailed(problems, code="invalid_pattern")
    last = pattern.last_day or pattern.first_day + timedelta(days=7 * pattern.weeks - 1)
    count = (last - pattern.first_day).days + 1
    dates = [pattern.first_day + timedelta(days=n) for n in range(count)]
    dates = [day for day in dates if day.weekday() in pattern.weekdays]
    if not dates:
        raise ValidationFailed({"weekdays": "所选日期范围内没有所选的星期几"}, code="invalid_pattern")
    return dates


def add_pattern_sessions(actor, course: Course, *, pattern: SessionPattern, now: datetime) -> list[CourseSession]:
    """Add the pattern's sessions to the course, all checked with the course's own (midnight,
    overlap, one year, hours, locks) and the clashes before any is saved. Refuses `invalid_pattern`
    and what `update_course` refuses, naming each refused date."""
    dates = pattern_dates(pattern)
    if len(dates) + len(course.sessions) > MAX_SESSIONS:
        raise ValidationFailed({"weeks": f"一个课程最多 {MAX_SESSIONS} 个课次"}, code="too_many_sessions")
    kept = [SessionInput(s.starts_at, s.ends_at, s.title, float(s.credit_hours), s.id) for s in course.sessions]
    added = [
        SessionInput(
            datetime.combine(day, pattern.start, tzinfo=LOCAL_TZ),
            datetime.combine(day, pattern.end, tzinfo=LOCAL_TZ),
            pattern.title,
            None,
            None,
            pattern.venue_id,
            pattern.teacher_ids,
        )
        for day in dates
    ]
    before = set(course.sessions)
    try:
        update_course(actor, course, values={}, sessions=kept + added, now=now)
    except ValidationFailed as error:
        raise _named(error, len(kept), dates) from None
    return [s for s in course.sessions if s not in before]


def _named(error: ValidationFailed, offset: int, dates: list[date]) -> ValidationFailed:
    """Each refused generated session named by its date, on the pattern form's first-date field."""
    messages = []
    for key, message in error.fields.items():
        parts = key.split(".")
        index = int(parts[1]) - offset if len(parts) > 1 and parts[1].isdigit() else -1
        if 0 <= index < len(dates):
            day = dates[index]
            messages.append(f"{day.isoformat()}（{WEEKDAYS[day.weekday()]}）：{message}")
        else:
            messages.append(message)
    return ValidationFailed({"first_day": "；".join(dict.fromkeys(messages))}, code=error.code, message=error.message)
