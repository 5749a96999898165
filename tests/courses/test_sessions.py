"""Session rules of DOMAIN.md §3, pure: credit hours, midnight, overlap, planned totals."""

from datetime import datetime, timedelta, timezone

import pytest

from basesys.core.errors import ValidationFailed
from basesys.core.policy import DEFAULT_POLICY, Policy
from basesys.courses.services import (
    SessionInput,
    check_sessions,
    compute_credit_hours,
    crosses_local_midnight,
    plan_totals_of,
)
from tests.conftest import at

UTC = timezone.utc


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("09:00", "12:00", 4.0),  # 180 / 45
        ("08:30", "12:00", 4.5),  # 210 / 45 = 4.67 → 4.5
        ("09:00", "09:44", 0.5),  # 44 / 45 = 0.98 → 0.5
        ("09:00", "09:22", 0.0),  # below half an hour of credit
        ("14:00", "17:30", 4.5),  # 210 min
        ("08:00", "18:00", 13.0),  # 600 / 45 = 13.33 → 13.0
    ],
)
def test_compute_credit_hours_rounds_down_to_half(start, end, hours):
    assert compute_credit_hours(at("2025-06-10", start), at("2025-06-10", end), DEFAULT_POLICY) == hours


def test_compute_credit_hours_follows_the_policy_minutes():
    policy = Policy(minutes_per_credit_hour=60)
    assert compute_credit_hours(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"), policy) == 3.0


def test_compute_credit_hours_of_an_empty_or_inverted_span_is_zero():
    assert compute_credit_hours(at("2025-06-10", "12:00"), at("2025-06-10", "09:00"), DEFAULT_POLICY) == 0.0


def test_check_sessions_defaults_credit_hours_and_sorts():
    checked = check_sessions(
        [
            SessionInput(at("2025-06-11", "14:00"), at("2025-06-11", "17:00")),
            SessionInput(at("2025-06-11", "08:30"), at("2025-06-11", "12:00"), credit_hours=3),
        ],
        DEFAULT_POLICY,
    )
    assert [(s.credit_hours, s.index) for s in checked] == [(3.0, 1), (4.0, 0)]


def _code(items, policy=DEFAULT_POLICY):
    with pytest.raises(ValidationFailed) as error:
        check_sessions(items, policy)
    return error.value


def test_end_must_be_after_start():
    error = _code([SessionInput(at("2025-06-10", "12:00"), at("2025-06-10", "12:00"))])
    assert error.code == "session_ends_before_start"
    assert error.status == 422
    assert "sessions.0.ends_at" in error.fields


def test_missing_time_is_refused():
    assert _code([SessionInput(at("2025-06-10", "12:00"), None)]).code == "session_incomplete"


def test_naive_datetimes_are_refused():
    naive = datetime(2025, 6, 10, 9, 0)
    assert _code([SessionInput(naive, naive + timedelta(hours=2))]).code == "naive_datetime"


# The midnight rule on both sides of 16:00 UTC (00:00 in Shanghai).


def test_session_ending_just_before_local_midnight_is_fine():
    # 15:00–15:59 UTC = 23:00–23:59 Shanghai, one local date.
    (checked,) = check_sessions([SessionInput(utc("2025-06-10T15:00"), utc("2025-06-10T15:59"))], DEFAULT_POLICY)
    assert checked.credit_hours == 1.0


def test_session_across_1600_utc_crosses_local_midnight():
    # 15:30–16:30 UTC is one UTC date but 23:30–00:30 in Shanghai: refused.
    error = _code([SessionInput(utc("2025-06-10T15:30"), utc("2025-06-10T16:30"))])
    assert error.code == "session_crosses_midnight"
    assert "sessions.0.ends_at" in error.fields


def test_session_starting_at_1600_utc_is_the_next_local_day():
    # 16:00–18:00 UTC = 00:00–02:00 on June 11 in Shanghai: inside one local date.
    assert check_sessions([SessionInput(utc("2025-06-10T16:00"), utc("2025-06-10T18:00"))], DEFAULT_POLICY)


def test_session_across_utc_midnight_but_not_local_midnight_is_fine():
    # 23:00 UTC June 10 – 01:00 UTC June 11 = 07:00–09:00 June 11 in Shanghai.
    assert check_sessions([SessionInput(utc("2025-06-10T23:00"), utc("2025-06-11T01:00"))], DEFAULT_POLICY)


def test_session_may_end_exactly_at_local_midnight():
    assert not crosses_local_midnight(at("2025-06-10", "22:00"), at("2025-06-11", "00:00"))
    assert crosses_local_midnight(at("2025-06-10", "22:00"), at("2025-06-11", "00:01"))


def test_overlapping_sessions_are_refused_on_the_later_row():
    error = _code(
        [
            SessionInput(at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
            SessionInput(at("2025-06-10", "11:30"), at("2025-06-10", "13:00")),
        ]
    )
    assert error.code == "session_overlap"
    assert list(error.fields) == ["sessions.1.starts_at"]
    assert "第 1 个课次" in error.fields["sessions.1.starts_at"]


def test_back_to_back_sessions_do_not_overlap():
    assert check_sessions(
        [
            SessionInput(at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
            SessionInput(at("2025-06-10", "12:00"), at("2025-06-10", "13:00")),
        ],
        DEFAULT_POLICY,
    )


def test_admin_may_lower_credit_hours_but_never_raise():
    (lowered,) = check_sessions(
        [SessionInput(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"), credit_hours=2.5)], DEFAULT_POLICY
    )
    assert lowered.credit_hours == 2.5
    error = _code([SessionInput(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"), credit_hours=4.5)])
    assert error.code == "credit_hours_above_duration"
    assert "4" in error.fields["sessions.0.credit_hours"]


@pytest.mark.parametrize("hours", [-1, 1.25, 0.3])
def test_credit_hours_must_be_non_negative_halves(hours):
    error = _code([SessionInput(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"), credit_hours=hours)])
    assert error.code == "invalid_credit_hours"


def test_every_bad_row_is_reported_at_once():
    error = _code(
        [
            SessionInput(at("2025-06-10", "09:00"), at("2025-06-10", "08:00")),
            SessionInput(at("2025-06-11", "09:00"), at("2025-06-11", "12:00")),
            SessionInput(utc("2025-06-11T15:00"), utc("2025-06-11T17:00")),
        ]
    )
    assert error.code == "session_ends_before_start"  # the first row's
    assert set(error.fields) == {"sessions.0.ends_at", "sessions.2.ends_at"}


def test_plan_totals_cap_each_day():
    sessions = [
        (at("2025-06-10", "08:00"), 4.0),
        (at("2025-06-10", "13:00"), 5.0),  # 9 on June 10 → capped at 8
        (at("2025-06-11", "09:00"), 3.0),
    ]
    assert plan_totals_of("course", sessions, DEFAULT_POLICY) == (2, 11.0)


def test_plan_totals_count_local_dates_on_both_sides_of_1600_utc():
    sessions = [(utc("2025-06-10T15:00"), 1.0), (utc("2025-06-10T16:00"), 2.0)]  # 23:00 June 10, 00:00 June 11
    assert plan_totals_of("course", sessions, DEFAULT_POLICY) == (2, 3.0)
    same_day = [(utc("2025-06-10T01:00"), 1.0), (utc("2025-06-10T15:00"), 2.0)]  # 09:00 and 23:00 June 10
    assert plan_totals_of("course", same_day, DEFAULT_POLICY) == (1, 3.0)


def test_plan_totals_of_a_seminar_are_eight_per_day():
    sessions = [(at("2025-06-10", "09:00"), 3.0), (at("2025-06-11", "09:00"), 2.0)]
    assert plan_totals_of("advanced_seminar", sessions, DEFAULT_POLICY) == (2, 16.0)
    assert plan_totals_of("advanced_seminar", sessions, Policy(daily_cap_hours=6)) == (2, 12.0)


def test_plan_totals_follow_the_daily_cap_policy():
    sessions = [(at("2025-06-10", "08:00"), 9.0)]
    assert plan_totals_of("course", sessions, Policy(daily_cap_hours=6)) == (1, 6.0)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-06-10T09:00:00+08:00", "9999-06-10T12:00:00+08:00"),
        ("1999-06-10T09:00:00+08:00", "1999-06-10T12:00:00+08:00"),
        ("2101-01-01T09:00:00+08:00", "2101-01-01T12:00:00+08:00"),
        ("0001-01-01T00:00:00+14:00", "0001-01-01T03:00:00+14:00"),
        ("9999-12-31T20:00:00-12:00", "9999-12-31T23:59:59-12:00"),
    ],
)
def test_a_session_outside_the_years_2000_to_2100_is_refused(start, end):
    item = SessionInput(datetime.fromisoformat(start), datetime.fromisoformat(end))
    error = _code([item])
    assert error.code == "session_out_of_range"
    assert "2000–2100" in error.fields["sessions.0.starts_at"]


def test_sessions_at_the_ends_of_the_range_are_accepted():
    for day in ("2000-01-01", "2100-12-31"):
        assert len(check_sessions([SessionInput(at(day, "09:00"), at(day, "12:00"))], DEFAULT_POLICY)) == 1
