"""The month and week calendars' queries (courses.calendar): ranges in Shanghai local dates, the
midnight edges, every filing state, one statement whatever the base's history."""

from datetime import date, datetime, timedelta, timezone

import pytest

from basesys.courses import calendar
from basesys.courses.models import FilingStatus
from tests.conftest import at
from tests.statements import counted


def test_week_span_is_monday_to_sunday():
    span = calendar.week_span(date(2025, 6, 4))  # a Wednesday
    assert (span.first, span.end) == (date(2025, 6, 2), date(2025, 6, 9))
    assert (span.previous, span.next) == (date(2025, 5, 26), date(2025, 6, 9))
    assert len(span.days) == 7 and len(span.weeks) == 1


def test_month_span_covers_whole_weeks_of_the_month():
    span = calendar.month_span(date(2025, 6, 18))
    assert span.anchor == date(2025, 6, 1)
    assert span.first == date(2025, 5, 26)  # the Monday before Sunday 1 June
    assert span.end == date(2025, 7, 7)  # the day after Sunday 6 July
    assert all(len(week) == 7 for week in span.weeks)
    assert (span.previous, span.next) == (date(2025, 5, 1), date(2025, 7, 1))


def test_month_span_across_the_year_end():
    span = calendar.month_span(date(2025, 12, 31))
    assert (span.previous, span.next) == (date(2025, 11, 1), date(2026, 1, 1))
    assert span.end == date(2026, 1, 5)


def test_base_sessions_in_range_and_only_of_the_base(tenants, make_course):
    mine = make_course(base=tenants.base_a, sessions=[(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))])
    make_course(base=tenants.base_a, sessions=[(at("2025-06-20", "09:00"), at("2025-06-20", "12:00"))])
    make_course(base=tenants.base_b, sessions=[(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))])
    span = calendar.week_span(date(2025, 6, 10))
    found = calendar.base_sessions(tenants.base_a.id, span.first, span.end)
    assert [s.course_id for s in found] == [mine.id]


def test_session_just_after_local_midnight_is_on_the_next_day(tenants, make_course):
    """00:30 in Shanghai is 16:30 UTC the day before: it belongs to the later local date and week."""
    course = make_course(base=tenants.base_a, sessions=[(at("2025-06-09", "00:30"), at("2025-06-09", "02:00"))])
    assert course.sessions[0].starts_at.astimezone(timezone.utc).date() == date(2025, 6, 8)
    week_before = calendar.week_span(date(2025, 6, 8))  # 2–8 June
    assert calendar.base_sessions(tenants.base_a.id, week_before.first, week_before.end) == []
    week = calendar.week_span(date(2025, 6, 9))
    found = calendar.base_sessions(tenants.base_a.id, week.first, week.end)
    assert [s.id for s in found] == [course.sessions[0].id]
    assert calendar.by_local_day(found, week)[date(2025, 6, 9)] == found


def test_session_just_before_local_midnight_stays_on_its_day(tenants, make_course):
    """22:00–23:59 in Shanghai is 14:00–15:59 UTC the same day: Sunday's, not the next week's."""
    course = make_course(base=tenants.base_a, sessions=[(at("2025-06-08", "22:00"), at("2025-06-08", "23:59"))])
    week = calendar.week_span(date(2025, 6, 8))
    by_day = calendar.by_local_day(calendar.base_sessions(tenants.base_a.id, week.first, week.end), week)
    assert [s.id for s in by_day[date(2025, 6, 8)]] == [course.sessions[0].id]
    following = calendar.week_span(date(2025, 6, 9))
    assert calendar.base_sessions(tenants.base_a.id, following.first, following.end) == []


def test_range_end_is_exclusive_at_local_midnight(tenants, make_course):
    make_course(base=tenants.base_a, sessions=[(at("2025-06-16", "00:00"), at("2025-06-16", "01:00"))])
    week = calendar.week_span(date(2025, 6, 9))  # ends at Monday 16 June 00:00 Shanghai
    assert calendar.base_sessions(tenants.base_a.id, week.first, week.end) == []


@pytest.mark.parametrize("status", list(FilingStatus))
def test_every_filing_state_is_on_the_base_calendar(tenants, make_course, status):
    course = make_course(base=tenants.base_a, status=status)
    span = calendar.month_span(date(2025, 6, 1))
    found = calendar.base_sessions(tenants.base_a.id, span.first, span.end)
    assert [(s.course_id, s.course.filing_status) for s in found] == [(course.id, status)]


def test_legend_names_each_filing_state_once():
    assert [status for status, _label in calendar.LEGEND] == ["draft", "submitted", "approved", "returned"]
    assert dict(calendar.LEGEND)["approved"] == "已备案"


def test_week_across_the_year_end_finds_both_years(tenants, make_course):
    december = make_course(base=tenants.base_a, sessions=[(at("2025-12-30", "09:00"), at("2025-12-30", "12:00"))])
    january = make_course(base=tenants.base_a, sessions=[(at("2026-01-02", "09:00"), at("2026-01-02", "12:00"))])
    week = calendar.week_span(date(2025, 12, 31))
    found = calendar.base_sessions(tenants.base_a.id, week.first, week.end)
    assert [s.course_id for s in found] == [december.id, january.id]


def test_a_course_running_into_the_range_is_found(tenants, make_course):
    """A course whose first session is weeks before the range still shows its later sessions."""
    course = make_course(
        base=tenants.base_a,
        sessions=[
            (at("2025-03-03", "09:00"), at("2025-03-03", "12:00")),
            (at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
        ],
    )
    week = calendar.week_span(date(2025, 6, 10))
    found = calendar.base_sessions(tenants.base_a.id, week.first, week.end)
    assert [s.starts_at for s in found] == [at("2025-06-10", "09:00")] and found[0].course_id == course.id


def test_base_calendar_is_one_statement_however_many_courses(db, tenants, make_course):
    base_id = tenants.base_a.id

    def statements() -> int:
        db.session.expire_all()
        span = calendar.month_span(date(2025, 6, 1))
        with counted(db.engine) as sent:
            for s in calendar.base_sessions(base_id, span.first, span.end):
                assert s.course.title
        return len([sql for sql in sent if sql.startswith("SELECT")])

    make_course(base=tenants.base_a)
    one = statements()
    for day in range(10, 20):
        make_course(base=tenants.base_a, sessions=[(at(f"2025-06-{day}", "09:00"), at(f"2025-06-{day}", "12:00"))])
    many = statements()
    assert (one, many) == (1, 1)


def test_course_sessions_only_of_that_course_in_range(tenants, make_course):
    course = make_course(
        base=tenants.base_a,
        sessions=[
            (at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
            (at("2025-07-01", "09:00"), at("2025-07-01", "12:00")),
        ],
    )
    make_course(base=tenants.base_a)
    week = calendar.week_span(date(2025, 6, 10))
    assert [s.course_id for s in calendar.course_sessions(course.id, week.first, week.end)] == [course.id]


def test_course_calendar_opens_on_its_first_session(make_course):
    course = make_course(sessions=[(at("2025-09-01", "00:10"), at("2025-09-01", "02:00"))])
    assert calendar.first_session_day(course, date(2025, 6, 2)) == date(2025, 9, 1)


def test_enrolled_sessions_are_the_trainees_own(tenants, make_course, enroll):
    mine = make_course(base=tenants.base_a)
    other = make_course(base=tenants.base_b)
    enroll(mine, tenants.trainee)
    enroll(other, tenants.other_trainee)
    found = calendar.enrolled_sessions(tenants.trainee.id)
    assert [s.course_id for s in found] == [mine.id]


def test_utc_instants_are_kept_aware(make_course):
    course = make_course(
        sessions=[(datetime(2025, 6, 10, 1, 0, tzinfo=timezone.utc), datetime(2025, 6, 10, 4, 0, tzinfo=timezone.utc))]
    )
    week = calendar.week_span(date(2025, 6, 10))
    found = calendar.course_sessions(course.id, week.first, week.end)
    assert found[0].starts_at == at("2025-06-10", "09:00") and found[0].starts_at.utcoffset() is not None
    assert found[0].ends_at - found[0].starts_at == timedelta(hours=3)
