"""Registering and editing courses and their sessions (DOMAIN.md §3); an edit is announced as
`course_changed`, so filing can make an approved course's edit a change filing (§4)."""

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.inputs import NAME_MESSAGE, has_invisible
from basesys.core.policy import Policy
from basesys.courses.models import (
    ATTENDANCE_MODES,
    CATEGORIES,
    DELIVERIES,
    KINDS,
    Course,
    CourseSession,
    Enrollment,
    FilingStatus,
)
from basesys.courses.services.bookings import Booking, book_sessions
from basesys.courses.services.sessions import (
    CheckedSession,
    SessionInput,
    check_sessions,
    plan_totals,
    policy_for_course,
    policy_for_sessions,
)
from basesys.courses.signals import course_changed
from basesys.courses.state import COURSE_FIELDS, course_state
from basesys.extensions import db

TEXT_LIMITS = {
    "title": 200,
    "location": 200,
    "target": 2000,
    "responsible": 60,
    "contact": 60,
    "contact_phone": 40,
    "plan": 20000,
}
CHOICES = {"category": CATEGORIES, "kind": KINDS, "delivery": DELIVERIES, "attendance_mode": ATTENDANCE_MODES}
DEFAULTS = {
    "delivery": "offline",
    "location": "",
    "target": "",
    "planned_headcount": 0,
    "capacity": None,
    "responsible": "",
    "contact": "",
    "contact_phone": "",
    "plan": "",
    "apply_municipal_seminar": False,
    "attendance_mode": "in_out",
    "pass_ratio": None,
}


def _clean_values(values: dict) -> dict:
    """Every course field checked and normalised; refuses with the fields at fault (422)."""
    clean, problems = {}, {}
    for name in COURSE_FIELDS:
        value = values.get(name, DEFAULTS.get(name))
        if name in TEXT_LIMITS:
            value = (value or "").strip()
            if len(value) > TEXT_LIMITS[name]:
                problems[name] = f"最多 {TEXT_LIMITS[name]} 个字"
        elif name in CHOICES and value not in CHOICES[name]:
            problems[name] = "取值无效，可选：" + "/".join(CHOICES[name])
        clean[name] = value
    if not clean["title"]:
        problems["title"] = "必填项"
    elif has_invisible(clean["title"]):
        problems["title"] = NAME_MESSAGE
    if not isinstance(clean["planned_headcount"], int) or not 0 <= clean["planned_headcount"] <= 100000:
        problems["planned_headcount"] = "应为 0 到 100000 之间的整数"
    if clean["capacity"] is not None and (not isinstance(clean["capacity"], int) or clean["capacity"] < 1):
        problems["capacity"] = "人数上限应为正整数，不限制请留空"
    ratio = clean["pass_ratio"]
    if ratio is not None and not (isinstance(ratio, (int, float)) and 0 < float(ratio) <= 1):
        problems["pass_ratio"] = "结业比例应大于 0 且不超过 1"
    clean["apply_municipal_seminar"] = bool(clean["apply_municipal_seminar"])
    if problems:
        raise ValidationFailed(problems)
    if clean["kind"] == "advanced_seminar" and clean["category"] != "professional":
        raise ValidationFailed({"category": SEMINAR_MESSAGE}, code="seminar_must_be_professional")
    return clean


SEMINAR_MESSAGE = "高级研修项目只能是专业科目"


def list_course_problems(values: dict, sessions: list[SessionInput], policy: Policy) -> dict[str, str]:
    """Every field and every §3 session problem of a course's input at once, as {field: message}
    (nothing written, no clash lookup). The services refuse at their first failing check, with the
    code the API promises; the course page shows all of them in one round (issue 15)."""
    problems: dict[str, str] = {}
    try:
        clean = _clean_values(values)
    except ValidationFailed as error:
        problems.update(error.fields)
        clean = values
    if clean.get("kind") == "advanced_seminar" and clean.get("category") != "professional":
        problems.setdefault("category", SEMINAR_MESSAGE)
    try:
        check_sessions(sessions, policy)
    except ValidationFailed as error:
        problems.update(error.fields)
    return problems


def _policy_for(base, sessions: list[SessionInput], now: datetime) -> Policy:
    return policy_for_sessions(base, (s.starts_at for s in sessions if s.starts_at is not None), now=now)


def _refresh_totals(course: Course, policy: Policy) -> None:
    """Planned days and hours follow the sessions (§3); stored for lists and the other features."""
    course.planned_days, course.planned_hours = plan_totals(course, policy)


def _scope(course: Course) -> dict:
    return {"base_id": course.base_id, "bureau_id": course.base.bureau_id}


def _new_session(item: CheckedSession, booking: Booking) -> CourseSession:
    return CourseSession(
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        title=item.title,
        credit_hours=item.credit_hours,
        venue=booking.venue,
        teachers=list(booking.teachers),
    )


def build_course(base, *, values: dict, sessions: list[SessionInput], now: datetime) -> Course:
    """A new draft course with its sessions, added and flushed, not yet audited (create and copy
    audit it each in their words). Refuses bad fields, the §3 session rules and clashes (422)."""
    clean = _clean_values(values)
    policy = _policy_for(base, sessions, now)
    checked = check_sessions([replace(s, id=None) for s in sessions], policy)
    bookings = book_sessions(base, None, checked)
    course = Course(base=base, filing_status=FilingStatus.DRAFT, created_at=now, updated_at=now, **clean)
    course.sessions = [_new_session(item, booking) for item, booking in zip(checked, bookings, strict=True)]
    _refresh_totals(course, policy)
    db.session.add(course)
    db.session.flush()
    return course


def create_course(actor, base, *, values: dict, sessions: list[SessionInput], now: datetime) -> Course:
    """A draft course with its sessions; refuses bad fields, sessions that break a §3 rule and
    venue or teacher clashes (422)."""
    course = build_course(base, values=values, sessions=sessions, now=now)
    audit(actor, "course.created", course, now=now, after=course_state(course), **_scope(course))
    return course


def ever_approved(course: Course) -> bool:
    return course.approved_snapshot is not None or course.filing_number is not None


def is_session_locked(course: Course, course_session: CourseSession, policy: Policy, *, now: datetime) -> bool:
    """Once a course has been approved, a session whose check-in window has opened keeps its times
    and hours: attendance may already hang on it."""
    opens = course_session.starts_at - timedelta(minutes=policy.checkin_opens_minutes_before)
    return ever_approved(course) and now >= opens


def _apply_sessions(
    course: Course, checked: list[CheckedSession], bookings: list[Booking], policy: Policy, now: datetime
) -> None:
    existing = {s.id: s for s in course.sessions}
    problems: dict[str, str] = {}
    kept: list[CourseSession] = []
    for item, booking in zip(checked, bookings, strict=True):
        if item.id is None:
            kept.append(_new_session(item, booking))
            continue
        current = existing.get(item.id)
        if current is None or current in kept:
            problems[f"sessions.{item.index}.id"] = "课次不存在或不属于该课程"
            continue
        changed = (current.starts_at, current.ends_at, float(current.credit_hours)) != (
            item.starts_at,
            item.ends_at,
            float(item.credit_hours),
        )
        if changed and is_session_locked(course, current, policy, now=now):
            problems[f"sessions.{item.index}.starts_at"] = "该课次已开放签到或已结束，时间和学时不能再改"
            continue
        current.starts_at, current.ends_at, current.credit_hours = item.starts_at, item.ends_at, item.credit_hours
        current.title = item.title
        current.venue = booking.venue
        if [t.id for t in current.teachers] != [t.id for t in booking.teachers]:
            current.teachers = list(booking.teachers)
        kept.append(current)
    removed = [s for s in course.sessions if s not in kept]
    for course_session in removed:
        if is_session_locked(course, course_session, policy, now=now):
            problems["sessions"] = "已开放签到或已结束的课次不能删除"
    if problems:
        code = "unknown_session" if any(k.endswith(".id") for k in problems) else "session_locked"
        raise ValidationFailed(problems, code=code)
    course.sessions = sorted(kept, key=lambda s: (s.starts_at, s.ends_at))


def _check_capacity(course: Course, capacity: int | None) -> None:
    if capacity is None:
        return
    enrolled = db.session.scalar(
        db.select(func.count()).select_from(Enrollment).where(Enrollment.course_id == course.id)
    )
    if capacity < enrolled:
        raise ValidationFailed(
            {"capacity": f"已有 {enrolled} 人报名，人数上限不能小于 {enrolled}"}, code="capacity_below_enrolled"
        )


def update_course(actor, course: Course, *, values: dict, sessions: list[SessionInput] | None, now: datetime) -> Course:
    """Change fields and (when given) replace the sessions, then send `course_changed` (filing makes
    it a change filing, 变更备案, and refuses what it refuses). Refuses `course_finalized`,
    `session_locked`, the §3 rules and venue or teacher clashes."""
    if course.finalized:
        raise DomainError("course_finalized")
    before = course_state(course)
    current = {name: getattr(course, name) for name in COURSE_FIELDS}
    clean = _clean_values({**current, **{k: v for k, v in values.items() if k in COURSE_FIELDS}})
    _check_capacity(course, clean["capacity"])
    if sessions is not None:
        policy = _policy_for(course.base, sessions, now)
        checked = check_sessions(sessions, policy)
        bookings = book_sessions(course.base, course, checked)
    for name, value in clean.items():
        setattr(course, name, value)
    if sessions is not None:
        _apply_sessions(course, checked, bookings, policy, now)
    else:
        policy = policy_for_course(course)
    _refresh_totals(course, policy)
    try:
        db.session.flush()
    except IntegrityError:  # e.g. a removed session that attendance rows still point at (caller rolls back)
        raise ValidationFailed({"sessions": "已有考勤记录的课次不能删除"}, code="session_locked") from None
    after = course_state(course)
    if after == before:
        return course
    course.updated_at = now
    audit(actor, "course.updated", course, now=now, before=before, after=after, **_scope(course))
    course_changed.send(course, actor=actor, before=before, after=after, now=now)
    db.session.flush()
    return course
