"""The credited-hours engine (DOMAIN.md §7): pure functions of sessions, attendance and policy.

No database, no Flask: the attendance page, the API and finalisation all call `credit_course`
with plain values, so every rule of §7 is tested here on examples and properties.

- per session: mode `in_only` → full credit when checked in within the window; mode `in_out` →
  presence [max(in, start), min(out, end)], full credit within the grace, else pro rata rounded
  down to 0.5; no check-out → 0.
- advanced seminar: per local day, 8 × credited / scheduled hours of that day, rounded down to
  0.5, shared out over the day's sessions so that the sessions add up to the day.
- daily cap: per local date, hours already finalized (other courses) count first; within the
  course later sessions are trimmed first; the trimmed amount is kept as `capped_hours`.
- completion: credited hours (after the cap) ≥ pass ratio × planned hours.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from basesys.core.hours import floor_to_half
from basesys.core.policy import Policy
from basesys.core.time import hhmm, local_date

EPSILON = 1e-9


@dataclass(frozen=True)
class SessionSpec:
    id: int
    starts_at: datetime
    ends_at: datetime
    credit_hours: float


@dataclass(frozen=True)
class Presence:
    session_id: int
    check_in: datetime | None
    check_out: datetime | None


@dataclass(frozen=True)
class CourseSpec:
    id: int
    kind: str
    attendance_mode: str
    pass_ratio: float
    planned_hours: float
    sessions: tuple[SessionSpec, ...]


@dataclass(frozen=True)
class SessionCredit:
    session_id: int
    local_date: date
    credited_hours: float  # after the daily cap
    capped_hours: float  # trimmed by the daily cap
    explanation: str


@dataclass(frozen=True)
class DayCredit:
    local_date: date
    credited_hours: float
    capped_hours: float
    explanation: str


@dataclass(frozen=True)
class CourseCredit:
    sessions: tuple[SessionCredit, ...]
    days: tuple[DayCredit, ...]
    credited_hours: float  # after the cap
    capped_hours: float  # trimmed by the cap
    completed: bool
    explanation: str
    basis: str = ""  # the explanation without its verdict: what a course still running can show (issue 15)

    def session(self, session_id: int) -> SessionCredit | None:
        return next((s for s in self.sessions if s.session_id == session_id), None)


def _h(value: float) -> str:
    return f"{value:.1f}"


def _n(value: float) -> str:
    """A policy number as people write it: 8, 0.8, 7.5."""
    return f"{value:g}"


def checkin_window(spec: SessionSpec, mode: str, policy: Policy) -> tuple[datetime, datetime]:
    """§6: opens before the start; closes at the end (in_out) or shortly after the start (in_only)."""
    opens = spec.starts_at - timedelta(minutes=policy.checkin_opens_minutes_before)
    if mode == "in_only":
        return opens, spec.starts_at + timedelta(minutes=policy.in_only_closes_minutes_after_start)
    return opens, spec.ends_at


def checkout_window(spec: SessionSpec, policy: Policy) -> tuple[datetime, datetime]:
    """§6: check-out is open from the start until shortly after the end."""
    return spec.starts_at, spec.ends_at + timedelta(minutes=policy.checkout_closes_minutes_after_end)


def session_raw_credit(spec: SessionSpec, presence: Presence | None, mode: str, policy: Policy) -> tuple[float, str]:
    """Hours one session earns before any daily rule, and why."""
    check_in = presence.check_in if presence else None
    check_out = presence.check_out if presence else None
    if check_in is None:
        return 0.0, "未签到 → 0"
    if mode == "in_only":
        opens, closes = checkin_window(spec, mode, policy)
        if not opens <= check_in <= closes:
            return 0.0, f"{hhmm(check_in)} 签到，不在签到时间内 → 0"
        return float(spec.credit_hours), f"{hhmm(check_in)} 签到 → {_h(spec.credit_hours)}"
    if check_out is None:
        return 0.0, f"{hhmm(check_in)} 签到，未签退 → 0"
    begin, end = max(check_in, spec.starts_at), min(check_out, spec.ends_at)
    duration = (spec.ends_at - spec.starts_at).total_seconds() / 60
    presence_minutes = (end - begin).total_seconds() / 60
    if presence_minutes <= 0:
        return 0.0, f"{hhmm(check_in)}–{hhmm(check_out)} 不在课时内 → 0"
    if presence_minutes + EPSILON >= duration - policy.full_credit_grace_minutes:
        hours = float(spec.credit_hours)
    else:
        hours = floor_to_half(spec.credit_hours * presence_minutes / duration)
    return hours, f"{hhmm(begin)}–{hhmm(end)} → {_h(hours)}"


def _seminar_shares(day_sessions: list[SessionSpec], raw: dict[int, float], policy: Policy) -> tuple[dict, float]:
    """§7 "按每天8学时折算": the day's value, shared so that the sessions add up to it exactly.

    Each session gets floor(8 × cumulative / scheduled) − floor(8 × previous cumulative / scheduled):
    every share is a multiple of 0.5, never negative, and the shares telescope to the day's value.
    """
    scheduled = sum(float(s.credit_hours) for s in day_sessions)
    shares, previous, cumulative = {}, 0.0, 0.0
    for s in day_sessions:
        cumulative += raw[s.id]
        value = floor_to_half(policy.seminar_hours_per_day * cumulative / scheduled) if scheduled > 0 else 0.0
        shares[s.id] = value - previous
        previous = value
    return shares, previous


@functools.lru_cache(maxsize=256)
def _schedule(course: CourseSpec) -> tuple[tuple[date, tuple[SessionSpec, ...]], ...]:
    """The course's sessions by local day, days and sessions in order: the same for every trainee
    (finalising 5,000 trainees asks for it 5,000 times)."""
    by_day: dict[date, list[SessionSpec]] = {}
    for s in sorted(course.sessions, key=lambda s: (s.starts_at, s.id)):
        by_day.setdefault(local_date(s.starts_at), []).append(s)
    return tuple((day, tuple(by_day[day])) for day in sorted(by_day))


def credit_course(
    course: CourseSpec, presences: Mapping[int, Presence], already_finalized: Mapping[date, float], policy: Policy
) -> CourseCredit:
    """Credited and capped hours of one trainee on one course, per session and per local day."""
    raw: dict[int, float] = {}
    notes: dict[int, str] = {}
    for s in course.sessions:
        raw[s.id], notes[s.id] = session_raw_credit(s, presences.get(s.id), course.attendance_mode, policy)

    cap = policy.daily_cap_hours
    session_credits: list[SessionCredit] = []
    day_credits: list[DayCredit] = []
    for day, day_sessions in _schedule(course):
        earned = raw
        day_note = ""
        if course.kind == "advanced_seminar":
            earned, day_value = _seminar_shares(day_sessions, raw, policy)
            scheduled = sum(float(s.credit_hours) for s in day_sessions)
            attended = sum(raw[s.id] for s in day_sessions)
            per_day = _n(policy.seminar_hours_per_day)
            day_note = f"按每天 {per_day} 学时折算：{_h(attended)}/{_h(scheduled)} → {_h(day_value)}；"
            for s in day_sessions:
                notes[s.id] += f"；折算 → {_h(earned[s.id])}"
        finalized = float(already_finalized.get(day, 0.0) or 0.0)
        available = max(0.0, cap - finalized)
        day_credited = day_capped = 0.0
        # Earlier sessions take the room first, so later sessions are the ones trimmed.
        for s in day_sessions:
            given = min(earned[s.id], available)
            available -= given
            trimmed = earned[s.id] - given
            note = notes[s.id]
            if trimmed > EPSILON:
                note += f"；已达每日 {_n(cap)} 学时上限，核减 {_h(trimmed)}"
            session_credits.append(SessionCredit(s.id, day, given, trimmed, note))
            day_credited += given
            day_capped += trimmed
        if finalized > EPSILON:
            day_note += f"其他项目已认定 {_h(finalized)}；"
        day_note += f"本项目 {_h(day_credited)}"
        if day_capped > EPSILON:
            day_note += f"（已达每日 {_n(cap)} 学时上限，核减 {_h(day_capped)}）"
        day_credits.append(DayCredit(day, day_credited, day_capped, day_note))

    credited = sum(d.credited_hours for d in day_credits)
    capped = sum(d.capped_hours for d in day_credits)
    threshold = course.pass_ratio * float(course.planned_hours)
    completed = course.planned_hours > 0 and credited + EPSILON >= threshold
    basis = (
        f"认定 {_h(credited)} 学时"
        + (f"（核减 {_h(capped)}）" if capped > EPSILON else "")
        + f"；结业线 {_n(course.pass_ratio)} × {_h(course.planned_hours)} = {threshold:.2f}"
    )
    explanation = basis + " → " + ("结业" if completed else "未结业")
    return CourseCredit(tuple(session_credits), tuple(day_credits), credited, capped, completed, explanation, basis)
