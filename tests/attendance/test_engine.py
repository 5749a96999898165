"""The hours engine, one test per sentence of DOMAIN.md §7 (pure: no database, no app)."""

from dataclasses import replace
from datetime import date

import pytest

from basesys.attendance.engine import (
    CourseSpec,
    Presence,
    SessionSpec,
    checkin_window,
    checkout_window,
    credit_course,
)
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import at

POLICY = DEFAULT_POLICY
DAY = "2025-06-10"


def spec(sessions, mode="in_out", kind="course", pass_ratio=0.8, planned=None):
    sessions = tuple(
        SessionSpec(i + 1, start, end, hours if hours is not None else 4.0)
        for i, (start, end, hours) in enumerate((s + (None,))[:3] for s in sessions)
    )
    if planned is None:
        planned = sum(s.credit_hours for s in sessions)
    return CourseSpec(1, kind, mode, pass_ratio, planned, sessions)


def morning(day=DAY, hours=4.0):
    return (at(day, "09:00"), at(day, "12:00"), hours)


def afternoon(day=DAY, hours=4.0):
    return (at(day, "14:00"), at(day, "17:00"), hours)


def present(session_id, check_in, check_out=None):
    return {session_id: Presence(session_id, check_in, check_out)}


def one(course, presences, finalized=None, policy=POLICY):
    return credit_course(course, presences, finalized or {}, policy)


# --- in_only --------------------------------------------------------------------------------


def test_in_only_check_in_within_window_gives_full_credit():
    course = spec([morning()], mode="in_only")
    result = one(course, present(1, at(DAY, "09:14")))
    assert result.credited_hours == 4.0 and result.sessions[0].explanation == "09:14 签到 → 4.0"


def test_in_only_check_in_at_window_edges():
    course = spec([morning()], mode="in_only")
    assert one(course, present(1, at(DAY, "08:30"))).credited_hours == 4.0  # opens 30 min before
    assert one(course, present(1, at(DAY, "09:15"))).credited_hours == 4.0  # closes 15 min after start
    late = one(course, present(1, at(DAY, "09:16")))
    assert late.credited_hours == 0 and "不在签到时间内" in late.sessions[0].explanation
    assert one(course, present(1, at(DAY, "08:29"))).credited_hours == 0


def test_in_only_needs_no_check_out():
    course = spec([morning()], mode="in_only")
    assert one(course, present(1, at(DAY, "08:55"), None)).credited_hours == 4.0


def test_no_check_in_gives_nothing():
    for mode in ("in_only", "in_out"):
        result = one(spec([morning()], mode=mode), {})
        assert result.credited_hours == 0 and result.sessions[0].explanation == "未签到 → 0"
    only_out = one(spec([morning()]), present(1, None, at(DAY, "12:00")))
    assert only_out.credited_hours == 0


# --- in_out ---------------------------------------------------------------------------------


def test_in_out_presence_is_clipped_to_the_session():
    result = one(spec([morning()]), present(1, at(DAY, "08:40"), at(DAY, "12:25")))
    assert result.credited_hours == 4.0 and result.sessions[0].explanation == "09:00–12:00 → 4.0"


def test_in_out_missing_check_out_gives_zero_and_says_so():
    result = one(spec([morning()]), present(1, at(DAY, "08:55")))
    assert result.credited_hours == 0
    assert "未签退" in result.sessions[0].explanation


def test_in_out_within_grace_is_full_credit():
    # 09:00–12:00 is 180 minutes; 170 minutes present is within the 10-minute grace.
    assert one(spec([morning()]), present(1, at(DAY, "09:10"), at(DAY, "12:00"))).credited_hours == 4.0
    assert one(spec([morning()]), present(1, at(DAY, "09:02"), at(DAY, "11:52"))).credited_hours == 4.0
    result = one(spec([morning()]), present(1, at(DAY, "09:02"), at(DAY, "12:00")))
    assert result.sessions[0].explanation == "09:02–12:00 → 4.0"


def test_in_out_short_presence_is_pro_rata_rounded_down_to_half():
    # 169 minutes: 4 × 169/180 = 3.76 → 3.5
    assert one(spec([morning()]), present(1, at(DAY, "09:11"), at(DAY, "12:00"))).credited_hours == 3.5
    # 140 minutes: 4 × 140/180 = 3.11 → 3.0
    result = one(spec([morning()]), present(1, at(DAY, "09:40"), at(DAY, "12:00")))
    assert result.credited_hours == 3.0 and result.sessions[0].explanation == "09:40–12:00 → 3.0"
    # 20 minutes: 0.44 → 0
    assert one(spec([morning()]), present(1, at(DAY, "09:00"), at(DAY, "09:20"))).credited_hours == 0


def test_in_out_grace_is_a_policy_number():
    strict = replace(POLICY, full_credit_grace_minutes=0)
    assert one(spec([morning()]), present(1, at(DAY, "09:10"), at(DAY, "12:00")), policy=strict).credited_hours == 3.5


def test_in_out_check_out_before_start_gives_zero():
    result = one(spec([morning()]), present(1, at(DAY, "08:40"), at(DAY, "08:50")))
    assert result.credited_hours == 0 and "不在课时内" in result.sessions[0].explanation


def test_credit_uses_the_session_credit_hours_set_by_the_admin():
    course = spec([(at(DAY, "09:00"), at(DAY, "12:00"), 3.0)])
    assert one(course, present(1, at(DAY, "09:00"), at(DAY, "12:00"))).credited_hours == 3.0
    assert one(course, present(1, at(DAY, "10:30"), at(DAY, "12:00"))).credited_hours == 1.5


# --- advanced seminar -----------------------------------------------------------------------


def seminar_day(day=DAY):
    return [(at(day, "08:30"), at(day, "12:00"), 4.5), (at(day, "13:30"), at(day, "16:00"), 3.0)]


def test_seminar_full_day_is_eight_hours():
    course = spec(seminar_day(), kind="advanced_seminar", planned=8.0)
    presences = {
        1: Presence(1, at(DAY, "08:20"), at(DAY, "12:00")),
        2: Presence(2, at(DAY, "13:25"), at(DAY, "16:05")),
    }
    result = one(course, presences)
    assert result.credited_hours == 8.0 and result.days[0].credited_hours == 8.0
    assert sum(s.credited_hours for s in result.sessions) == 8.0
    assert "按每天 8 学时折算：7.5/7.5 → 8.0" in result.days[0].explanation


def test_seminar_day_is_converted_and_rounded_down():
    course = spec(seminar_day(), kind="advanced_seminar", planned=8.0)
    # Only the morning: 8 × 4.5/7.5 = 4.8 → 4.5
    result = one(course, present(1, at(DAY, "08:30"), at(DAY, "12:00")))
    assert result.credited_hours == 4.5
    # Only the afternoon: 8 × 3/7.5 = 3.2 → 3.0
    result = one(course, present(2, at(DAY, "13:30"), at(DAY, "16:00")))
    assert result.credited_hours == 3.0
    assert [s.credited_hours for s in result.sessions] == [0.0, 3.0]


def test_seminar_days_are_converted_separately():
    course = spec(seminar_day() + seminar_day("2025-06-11"), kind="advanced_seminar", planned=16.0)
    presences = {
        1: Presence(1, at(DAY, "08:30"), at(DAY, "12:00")),
        2: Presence(2, at(DAY, "13:30"), at(DAY, "16:00")),
        3: Presence(3, at("2025-06-11", "08:30"), at("2025-06-11", "12:00")),
    }
    result = one(course, presences)
    assert [d.credited_hours for d in result.days] == [8.0, 4.5]
    assert result.credited_hours == 12.5 and not result.completed  # 12.5 < 0.8 × 16


def test_seminar_hours_per_day_is_a_policy_number():
    course = spec(seminar_day(), kind="advanced_seminar", planned=6.0)
    presences = {1: Presence(1, at(DAY, "08:30"), at(DAY, "12:00")), 2: Presence(2, at(DAY, "13:30"), at(DAY, "16:00"))}
    policy = replace(POLICY, seminar_hours_per_day=6.0)
    assert one(course, presences, policy=policy).credited_hours == 6.0


# --- daily cap ------------------------------------------------------------------------------


def full_day_course():
    # 08:00–12:00 (5 h) and 13:00–17:00 (5 h): 10 h scheduled on one day.
    return spec([(at(DAY, "08:00"), at(DAY, "12:00"), 5.0), (at(DAY, "13:00"), at(DAY, "17:00"), 5.0)], planned=8.0)


def attended_both():
    return {
        1: Presence(1, at(DAY, "08:00"), at(DAY, "12:00")),
        2: Presence(2, at(DAY, "13:00"), at(DAY, "17:00")),
    }


def test_daily_cap_trims_later_sessions_first_and_keeps_the_trimmed_amount():
    result = one(full_day_course(), attended_both())
    assert result.credited_hours == 8.0 and result.capped_hours == 2.0
    first, second = result.sessions
    assert (first.credited_hours, first.capped_hours) == (5.0, 0.0)
    assert (second.credited_hours, second.capped_hours) == (3.0, 2.0)
    assert "已达每日 8 学时上限，核减 2.0" in second.explanation
    assert (result.days[0].credited_hours, result.days[0].capped_hours) == (8.0, 2.0)


def test_hours_already_finalized_for_the_date_count_first():
    result = one(full_day_course(), attended_both(), finalized={date(2025, 6, 10): 4.0})
    assert result.credited_hours == 4.0 and result.capped_hours == 6.0
    assert [s.credited_hours for s in result.sessions] == [4.0, 0.0]
    assert "其他项目已认定 4.0" in result.days[0].explanation


def test_finalized_hours_of_another_date_do_not_count():
    result = one(full_day_course(), attended_both(), finalized={date(2025, 6, 11): 8.0})
    assert result.credited_hours == 8.0


def test_a_full_day_already_finalized_leaves_nothing():
    result = one(full_day_course(), attended_both(), finalized={date(2025, 6, 10): 8.0})
    assert result.credited_hours == 0 and result.capped_hours == 10.0
    over = one(full_day_course(), attended_both(), finalized={date(2025, 6, 10): 9.0})
    assert over.credited_hours == 0


def test_daily_cap_is_a_policy_number():
    result = one(full_day_course(), attended_both(), policy=replace(POLICY, daily_cap_hours=6.0))
    assert result.credited_hours == 6.0 and result.capped_hours == 4.0


def test_daily_cap_uses_the_local_date_on_both_sides_of_16_utc():
    # 19:00–23:59 Shanghai (11:00–15:59 UTC) and 00:00–05:00 the next local day (16:00–21:00 UTC, same UTC date).
    late = (at("2025-06-10", "19:00"), at("2025-06-10", "23:59"), 6.0)
    early = (at("2025-06-11", "00:00"), at("2025-06-11", "05:00"), 6.0)
    course = spec([late, early], planned=12.0)
    presences = {
        1: Presence(1, at("2025-06-10", "19:00"), at("2025-06-10", "23:59")),
        2: Presence(2, at("2025-06-11", "00:00"), at("2025-06-11", "05:00")),
    }
    result = one(course, presences)
    assert [d.local_date for d in result.days] == [date(2025, 6, 10), date(2025, 6, 11)]
    assert result.credited_hours == 12.0 and result.capped_hours == 0
    # The finalized hours of the local date 06-11 apply to the session starting 16:00 UTC on 06-10.
    capped = one(course, presences, finalized={date(2025, 6, 11): 4.0})
    assert [s.credited_hours for s in capped.sessions] == [6.0, 4.0]


def test_seminar_day_is_capped_too():
    course = spec(seminar_day(), kind="advanced_seminar", planned=8.0)
    presences = {1: Presence(1, at(DAY, "08:30"), at(DAY, "12:00")), 2: Presence(2, at(DAY, "13:30"), at(DAY, "16:00"))}
    result = one(course, presences, finalized={date(2025, 6, 10): 3.0})
    assert result.credited_hours == 5.0 and result.capped_hours == 3.0


# --- completion -----------------------------------------------------------------------------


def three_mornings():
    return spec([morning("2025-06-10"), morning("2025-06-11"), morning("2025-06-12")], planned=12.0)


def test_completion_at_the_pass_ratio():
    course = three_mornings()  # 0.8 × 12 = 9.6
    two_and_a_half = {
        1: Presence(1, at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
        2: Presence(2, at("2025-06-11", "09:00"), at("2025-06-11", "12:00")),
        3: Presence(3, at("2025-06-12", "09:00"), at("2025-06-12", "11:00")),  # 120 min → 2.5
    }
    result = one(course, two_and_a_half)
    assert result.credited_hours == 10.5 and result.completed and "结业" in result.explanation
    two = dict(list(two_and_a_half.items())[:2])
    result = one(course, two)
    assert result.credited_hours == 8.0 and not result.completed and "未结业" in result.explanation


def test_completion_exactly_at_the_threshold():
    course = spec([morning()], planned=4.0, pass_ratio=0.75)  # 3.0 needed
    assert one(course, present(1, at(DAY, "09:45"), at(DAY, "12:00"))).completed  # 135/180 × 4 = 3.0
    assert not one(course, present(1, at(DAY, "09:50"), at(DAY, "12:00"))).completed  # 2.5


def test_completion_counts_hours_after_the_cap():
    course = three_mornings()
    everything = {i: Presence(i, at(f"2025-06-1{i - 1}", "09:00"), at(f"2025-06-1{i - 1}", "12:00")) for i in (1, 2, 3)}
    assert one(course, everything).completed
    result = one(course, everything, finalized={date(2025, 6, 10): 8.0})
    assert result.credited_hours == 8.0 and not result.completed


def test_no_planned_hours_never_completes():
    assert not one(spec([morning()], planned=0.0), present(1, at(DAY, "09:00"), at(DAY, "12:00"))).completed


def test_windows_follow_the_policy():
    session = SessionSpec(1, at(DAY, "09:00"), at(DAY, "12:00"), 4.0)
    assert checkin_window(session, "in_out", POLICY) == (at(DAY, "08:30"), at(DAY, "12:00"))
    assert checkin_window(session, "in_only", POLICY) == (at(DAY, "08:30"), at(DAY, "09:15"))
    assert checkout_window(session, POLICY) == (at(DAY, "09:00"), at(DAY, "12:30"))


def test_presences_of_unknown_sessions_are_ignored():
    result = one(spec([morning()]), {99: Presence(99, at(DAY, "09:00"), at(DAY, "12:00"))})
    assert result.credited_hours == 0 and len(result.sessions) == 1


@pytest.mark.parametrize("mode", ["in_out", "in_only"])
def test_result_lists_every_session_in_time_order(mode):
    course = spec([afternoon(), morning()], mode=mode)
    result = one(course, {})
    assert [s.session_id for s in result.sessions] == [2, 1]
