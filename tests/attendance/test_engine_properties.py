"""Property tests of the hours engine (DOMAIN.md §7): whatever the sessions and attendance."""

import random
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basesys.attendance.engine import CourseSpec, Presence, SessionSpec, credit_course
from basesys.core.policy import DEFAULT_POLICY
from basesys.core.time import LOCAL_TZ, local_date

POLICY = DEFAULT_POLICY
FIRST_DAY = datetime(2025, 6, 9, tzinfo=LOCAL_TZ)


@st.composite
def sessions(draw):
    """Non-overlapping sessions on up to three local days, none crossing midnight."""
    result, next_id = [], 1
    for day in range(draw(st.integers(1, 3))):
        minute = draw(st.integers(0, 8 * 60))
        for _ in range(draw(st.integers(1, 4))):
            length = draw(st.integers(15, 6 * 60))
            if minute + length > 24 * 60 - 1:
                break
            start = FIRST_DAY + timedelta(days=day, minutes=minute)
            full = (length / POLICY.minutes_per_credit_hour * 2) // 1 / 2
            credit = draw(st.sampled_from([full, max(0.0, full - 0.5), max(0.0, full - 1.5)]))
            result.append(SessionSpec(next_id, start, start + timedelta(minutes=length), credit))
            next_id += 1
            minute += length + draw(st.integers(0, 120))
    return result


def instant_near(draw, session):
    offset = draw(st.integers(-60, int((session.ends_at - session.starts_at).total_seconds() // 60) + 60))
    return session.starts_at + timedelta(minutes=offset)


@st.composite
def scenario(draw):
    specs = draw(sessions())
    presences = {}
    for s in specs:
        kind = draw(st.sampled_from(["absent", "in", "in_out", "in_out", "in_out"]))
        if kind == "absent":
            continue
        check_in = instant_near(draw, s)
        check_out = instant_near(draw, s) if kind == "in_out" else None
        presences[s.id] = Presence(s.id, check_in, check_out)
    days = sorted({local_date(s.starts_at) for s in specs})
    finalized = {d: draw(st.sampled_from([0.0, 0.5, 2.0, 4.0, 7.5, 8.0, 9.0])) for d in days if draw(st.booleans())}
    course = CourseSpec(
        id=1,
        kind=draw(st.sampled_from(["course", "lecture", "advanced_seminar"])),
        attendance_mode=draw(st.sampled_from(["in_out", "in_only"])),
        pass_ratio=draw(st.sampled_from([0.8, 0.6, 1.0])),
        planned_hours=draw(st.sampled_from([4.0, 8.0, 16.0, 24.0])),
        sessions=tuple(specs),
    )
    return course, presences, finalized


def is_half(value: float) -> bool:
    return abs(value * 2 - round(value * 2)) < 1e-9 and value >= 0


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenario())
def test_never_above_the_daily_cap(case):
    course, presences, finalized = case
    result = credit_course(course, presences, finalized, POLICY)
    for day in result.days:
        room = max(0.0, POLICY.daily_cap_hours - finalized.get(day.local_date, 0.0))
        assert day.credited_hours <= room + 1e-9
    by_day: dict[date, float] = {}
    for s in result.sessions:
        by_day[s.local_date] = by_day.get(s.local_date, 0.0) + s.credited_hours
    assert by_day == {d.local_date: d.credited_hours for d in result.days}


@SETTINGS
@given(scenario())
def test_never_above_a_sessions_hours(case):
    course, presences, finalized = case
    result = credit_course(course, presences, finalized, POLICY)
    hours = {s.id: s.credit_hours for s in course.sessions}
    for s in result.sessions:
        assert is_half(s.credited_hours) and is_half(s.capped_hours)
        if course.kind != "advanced_seminar":  # a seminar day is converted to 8 h (§7), not per session
            assert s.credited_hours + s.capped_hours <= hours[s.session_id] + 1e-9
    if course.kind == "advanced_seminar":
        for day in result.days:
            assert day.credited_hours + day.capped_hours <= POLICY.seminar_hours_per_day + 1e-9


@SETTINGS
@given(scenario(), st.randoms(use_true_random=False))
def test_order_independent(case, rnd: random.Random):
    course, presences, finalized = case
    shuffled_sessions = list(course.sessions)
    rnd.shuffle(shuffled_sessions)
    shuffled_presences = dict(rnd.sample(list(presences.items()), len(presences)))
    shuffled_finalized = dict(rnd.sample(list(finalized.items()), len(finalized)))
    shuffled = CourseSpec(
        course.id,
        course.kind,
        course.attendance_mode,
        course.pass_ratio,
        course.planned_hours,
        tuple(shuffled_sessions),
    )
    assert credit_course(shuffled, shuffled_presences, shuffled_finalized, POLICY) == credit_course(
        course, presences, finalized, POLICY
    )


@SETTINGS
@given(scenario())
def test_idempotent_and_totals_add_up(case):
    course, presences, finalized = case
    first = credit_course(course, presences, finalized, POLICY)
    assert credit_course(course, presences, finalized, POLICY) == first
    assert abs(first.credited_hours - sum(d.credited_hours for d in first.days)) < 1e-9
    assert abs(first.capped_hours - sum(d.capped_hours for d in first.days)) < 1e-9
    assert first.completed == (
        course.planned_hours > 0 and first.credited_hours + 1e-9 >= course.pass_ratio * course.planned_hours
    )


@SETTINGS
@given(scenario())
def test_finalized_hours_elsewhere_never_increase_credit(case):
    course, presences, finalized = case
    without = credit_course(course, presences, {}, POLICY)
    with_finalized = credit_course(course, presences, finalized, POLICY)
    assert with_finalized.credited_hours <= without.credited_hours + 1e-9
    assert (
        abs(
            (with_finalized.credited_hours + with_finalized.capped_hours)
            - (without.credited_hours + without.capped_hours)
        )
        < 1e-9
    )
