"""Session (课次) rules of DOMAIN.md §3: credit hours, the midnight and overlap rules, planned totals.

Pages, the API, imports and the CLI all reach these through the course services, so a session that
breaks a rule is refused the same way everywhere.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from basesys.core.errors import REFUSALS, ValidationFailed
from basesys.core.hours import floor_to_half
from basesys.core.inputs import MAX_YEAR, MIN_YEAR
from basesys.core.policy import Policy, policy_for_base
from basesys.core.time import local_date
from basesys.courses.year import course_year, sessions_year

MAX_SESSIONS = 200


class _Keep:
    """A session input that does not say its venue or teachers: an existing session keeps its own,
    a new one has none (API clients that know nothing of venues keep working, issue 13)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


@dataclass(frozen=True)
class SessionInput:
    """One session as given by a form or a request; `id` names an existing session being edited."""

    starts_at: datetime | None
    ends_at: datetime | None
    title: str = ""
    credit_hours: float | None = None  # None: the default from the duration
    id: int | None = None
    venue_id: "int | None | _Keep" = KEEP
    teacher_ids: "tuple[int, ...] | _Keep" = KEEP


@dataclass(frozen=True)
class CheckedSession:
    """A session that passed every rule, with its resolved credit hours."""

    starts_at: datetime
    ends_at: datetime
    title: str
    credit_hours: float
    id: int | None
    index: int  # position in the input, for error messages
    venue_id: "int | None | _Keep" = KEEP
    teacher_ids: "tuple[int, ...] | _Keep" = KEEP


def compute_credit_hours(starts_at: datetime, ends_at: datetime, policy: Policy) -> float:
    """The duration in 学时 (`minutes_per_credit_hour` each), rounded down to 0.5 (§3)."""
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes <= 0:
        return 0.0
    return floor_to_half(minutes / policy.minutes_per_credit_hour)


def crosses_local_midnight(starts_at: datetime, ends_at: datetime) -> bool:
    """True when the session runs into the next Shanghai date; ending exactly at 24:00 does not."""
    return local_date(ends_at - timedelta(microseconds=1)) != local_date(starts_at)


def _is_half_multiple(value: float) -> bool:
    return abs(value * 2 - round(value * 2)) < 1e-9


def _message(code: str) -> str:
    refusal = REFUSALS.get(code)
    return refusal.zh if refusal else code


def _check_one(index: int, item: SessionInput, policy: Policy) -> tuple[CheckedSession | None, dict[str, tuple]]:
    """The checked session, or the problems as {field: (code, message)}."""
    prefix = f"sessions.{index}"
    if item.starts_at is None or item.ends_at is None:
        missing = "starts_at" if item.starts_at is None else "ends_at"
        return None, {f"{prefix}.{missing}": ("session_incomplete", _message("session_incomplete"))}
    for name, value in (("starts_at", item.starts_at), ("ends_at", item.ends_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            return None, {f"{prefix}.{name}": ("naive_datetime", _message("naive_datetime"))}
        if not MIN_YEAR <= value.year <= MAX_YEAR:  # before any arithmetic: year 1 or 9999 overflows
            return None, {f"{prefix}.{name}": ("session_out_of_range", _message("session_out_of_range"))}
    if item.ends_at <= item.starts_at:
        return None, {f"{prefix}.ends_at": ("session_ends_before_start", _message("session_ends_before_start"))}
    if crosses_local_midnight(item.starts_at, item.ends_at):
        return None, {f"{prefix}.ends_at": ("session_crosses_midnight", _message("session_crosses_midnight"))}
    computed = compute_credit_hours(item.starts_at, item.ends_at, policy)
    hours = computed if item.credit_hours is None else float(item.credit_hours)
    if hours < 0 or not _is_half_multiple(hours):
        return None, {f"{prefix}.credit_hours": ("invalid_credit_hours", _message("invalid_credit_hours"))}
    if hours > computed:
        minutes = policy.minutes_per_credit_hour
        message = f"该课次时长最多计 {computed:g} 学时（每学时 {minutes} 分钟），不能填写 {hours:g} 学时。"
        return None, {f"{prefix}.credit_hours": ("credit_hours_above_duration", message)}
    title = (item.title or "").strip()
    checked = CheckedSession(
        item.starts_at, item.ends_at, title, hours, item.id, index, item.venue_id, _teacher_ids(item.teacher_ids)
    )
    return checked, {}


def _teacher_ids(ids):
    return ids if ids is KEEP else tuple(dict.fromkeys(ids))  # each teacher once, in the order given


def check_sessions(items: list[SessionInput], policy: Policy) -> list[CheckedSession]:
    """The sessions in time order; refuses (422, every bad row at once) a missing time, an end not
    after its start, a session crossing local midnight, credit hours above the duration's, sessions
    in more than one local calendar year (`sessions_span_years`), outside the years 2000–2100
    (`session_out_of_range`: no real course is elsewhere, and year 1 or 9999 overflows UTC), overlaps."""
    if len(items) > MAX_SESSIONS:
        raise ValidationFailed({"sessions": f"一个课程最多 {MAX_SESSIONS} 个课次"}, code="too_many_sessions")
    problems: dict[str, tuple] = {}
    checked: list[CheckedSession] = []
    for index, item in enumerate(items):
        session, found = _check_one(index, item, policy)
        problems.update(found)
        if session is not None:
            checked.append(session)
    checked.sort(key=lambda s: (s.starts_at, s.ends_at))
    problems.update(_outside_the_year(checked))
    for previous, current in zip(checked, checked[1:], strict=False):
        if current.starts_at < previous.ends_at:
            message = f"与第 {previous.index + 1} 个课次的时间重叠。"
            problems.setdefault(f"sessions.{current.index}.starts_at", ("session_overlap", message))
    if problems:
        first_code = problems[min(problems, key=_problem_order)][0]
        raise ValidationFailed(
            {field: message for field, (_code, message) in problems.items()},
            code=first_code,
            message=_message(first_code),
        )
    return checked


def _outside_the_year(checked: list[CheckedSession]) -> dict[str, tuple]:
    """§3: every session lies in the local calendar year of the first; the others are refused."""
    year = sessions_year(s.starts_at for s in checked)
    message = f"课程的所有课次须在同一自然年内（{year}年），跨年的培训请分成两个课程备案。"
    return {
        f"sessions.{s.index}.starts_at": ("sessions_span_years", message)
        for s in checked
        if sessions_year([s.starts_at]) != year
    }


def _problem_order(field: str) -> tuple[int, str]:
    parts = field.split(".")
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1, field)


def plan_totals_of(kind: str, sessions: Iterable[tuple[datetime, float]], policy: Policy) -> tuple[int, float]:
    """(planned days, planned hours) of (start, credit hours) pairs: distinct local dates; each day's
    hours capped at the daily cap; an advanced seminar counts `seminar_hours_per_day` a day (§3)."""
    by_day: dict[date, float] = defaultdict(float)
    for starts_at, hours in sessions:
        by_day[local_date(starts_at)] += float(hours)
    days = len(by_day)
    if kind == "advanced_seminar":
        return days, floor_to_half(min(policy.seminar_hours_per_day, policy.daily_cap_hours) * days)
    return days, floor_to_half(sum(min(hours, policy.daily_cap_hours) for hours in by_day.values()))


def plan_totals(course, policy: Policy) -> tuple[int, float]:
    """(planned days 培训天数, planned hours 拟计算学时) of a course's current sessions (§3)."""
    return plan_totals_of(course.kind, [(s.starts_at, s.credit_hours) for s in course.sessions], policy)


def policy_for_sessions(base, starts: Iterable[datetime], *, now: datetime) -> Policy:
    """The policy of the base for the year of these sessions (DOMAIN.md §3); none yet: `now`'s year."""
    year = sessions_year(starts)
    return policy_for_base(base, year if year is not None else local_date(now).year)


def policy_for_course(course) -> Policy:
    """The policy of the course's base (its bureau) for the course's year (DOMAIN.md §3)."""
    return policy_for_base(course.base, course_year(course))
