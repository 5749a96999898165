"""Copying a course to a new first date and session patterns (issue 13): every rule of §3, the
one-year rule and the clashes apply before anything is saved."""

from dataclasses import replace
from datetime import date, time

import pytest

from basesys.core.audit import AuditRecord
from basesys.core.errors import ValidationFailed
from basesys.core.time import to_local
from basesys.courses.models import Course, CourseSession, FilingStatus
from basesys.courses.services import SessionPattern, add_pattern_sessions, copy_course, create_course, records
from basesys.filing.services import decide_filing, submit_filing
from tests.courses.conftest import course_values, sessions

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def room(db, tenants, now):
    venue = records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "101教室"}, now=now)
    teacher = records.create_teacher(tenants.admin_a, tenants.base_a, values={"name": "王伟"}, now=now)
    db.session.commit()
    return venue, teacher


def local_spans(course):
    return [
        (to_local(s.starts_at).date().isoformat(), f"{to_local(s.starts_at):%H:%M}", f"{to_local(s.ends_at):%H:%M}")
        for s in sorted(course.sessions, key=lambda s: s.starts_at)
    ]


def _booked_course(tenants, now, room, *spans):
    venue, teacher = room
    items = [replace(s, venue_id=venue.id, teacher_ids=(teacher.id,)) for s in sessions(*spans)]
    return create_course(tenants.admin_a, tenants.base_a, values=course_values(title="原课程"), sessions=items, now=now)


def test_copy_shifts_sessions_keeping_weekdays_times_venues_and_teachers(db, tenants, now, room):
    source = _booked_course(tenants, now, room, ("2025-06-10", "09:00", "12:00"), ("2025-06-12", "14:00", "17:30"))
    db.session.commit()
    copy = copy_course(tenants.admin_a, source, first_day=date(2025, 9, 9), title="", now=now)
    db.session.commit()
    assert local_spans(copy) == [("2025-09-09", "09:00", "12:00"), ("2025-09-11", "14:00", "17:30")]
    assert [s.venue_id for s in copy.sessions] == [room[0].id] * 2
    assert [[t.id for t in s.teachers] for s in copy.sessions] == [[room[1].id]] * 2
    assert (copy.title, copy.plan, copy.planned_headcount) == ("原课程", source.plan, source.planned_headcount)
    assert copy.filing_status == FilingStatus.DRAFT and copy.filing_number is None
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "course.copied"))
    assert record.object_id == copy.id and record.after["copied_from"] == "原课程"


def test_copy_of_an_approved_course_is_a_fresh_draft(db, tenants, now, new_course):
    source = new_course()
    submit_filing(tenants.admin_a, source, now=now)
    decide_filing(tenants.officer_a, source, decision="approve", comment="", now=now)
    db.session.commit()
    copy = copy_course(tenants.admin_a, source, first_day=date(2025, 7, 1), title="第二期", now=now)
    assert (copy.filing_status, copy.filing_number, copy.approved_snapshot, copy.title) == (
        "draft",
        None,
        None,
        "第二期",
    )


def test_copy_refuses_a_shift_across_the_new_year_on_the_date_field(db, tenants, now, new_course):
    source = new_course(("2025-06-10", "09:00", "12:00"), ("2025-06-20", "09:00", "12:00"))
    with pytest.raises(ValidationFailed) as error:
        copy_course(tenants.admin_a, source, first_day=date(2025, 12, 25), title="", now=now)
    assert error.value.code == "sessions_span_years" and "2025 年和 2026 年" in error.value.fields["first_day"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 1


def test_copy_onto_its_own_booked_time_clashes(db, tenants, now, room):
    source = _booked_course(tenants, now, room, ("2025-06-10", "09:00", "12:00"))
    db.session.commit()
    with pytest.raises(ValidationFailed) as error:
        copy_course(tenants.admin_a, source, first_day=date(2025, 6, 10), title="", now=now)
    assert error.value.code == "venue_clash" and "《原课程》" in error.value.fields["first_day"]


def test_pattern_dates_every_tuesday_and_thursday_for_six_weeks():
    from basesys.courses.services import pattern_dates

    pattern = SessionPattern(date(2025, 9, 2), (1, 3), time(14), time(17), weeks=6)
    dates = pattern_dates(pattern)
    assert len(dates) == 12 and dates[0] == date(2025, 9, 2) and dates[-1] == date(2025, 10, 9)
    assert {d.weekday() for d in dates} == {1, 3}
    until = pattern_dates(replace(pattern, weeks=None, last_day=date(2025, 9, 9)))
    assert until == [date(2025, 9, 2), date(2025, 9, 4), date(2025, 9, 9)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": ()}, "weekdays"),
        ({"weeks": None}, "weeks"),
        ({"last_day": date(2025, 9, 30)}, "weeks"),
        ({"weeks": 60}, "weeks"),
        ({"weeks": None, "last_day": date(2025, 9, 1)}, "last_day"),
        ({"weekdays": (5,), "weeks": None, "last_day": date(2025, 9, 4)}, "weekdays"),
    ],
)
def test_pattern_refuses_bad_settings(db, tenants, now, new_course, changes, field):
    course = new_course()
    pattern = replace(SessionPattern(date(2025, 9, 2), (1, 3), time(14), time(17), weeks=6), **changes)
    with pytest.raises(ValidationFailed) as error:
        add_pattern_sessions(tenants.admin_a, course, pattern=pattern, now=now)
    assert error.value.code == "invalid_pattern" and field in error.value.fields


def test_pattern_adds_the_sessions_with_venue_and_teachers(db, tenants, now, new_course, room):
    course = new_course(("2025-09-01", "09:00", "12:00"))
    pattern = SessionPattern(
        date(2025, 9, 2),
        (1, 3),
        time(14),
        time(17),
        weeks=6,
        venue_id=room[0].id,
        teacher_ids=(room[1].id,),
        title="实训",
    )
    added = add_pattern_sessions(tenants.admin_a, course, pattern=pattern, now=now)
    db.session.commit()
    assert len(added) == 12 and len(course.sessions) == 13
    assert all(s.venue_id == room[0].id and s.title == "实训" and s.credit_hours == 4.0 for s in added)
    assert course.planned_days == 13


def test_pattern_saves_nothing_when_one_date_breaks_a_rule(db, tenants, now, new_course):
    course = new_course(("2025-09-09", "15:00", "16:00"))  # overlaps the pattern's second Tuesday
    pattern = SessionPattern(date(2025, 9, 2), (1,), time(14), time(17), weeks=3)
    with pytest.raises(ValidationFailed) as error:
        add_pattern_sessions(tenants.admin_a, course, pattern=pattern, now=now)
    assert error.value.code == "session_overlap"
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(CourseSession)) == 1


def test_pattern_refuses_midnight_and_the_new_year(db, tenants, now, new_course):
    course = new_course(("2025-12-01", "09:00", "12:00"))
    with pytest.raises(ValidationFailed) as error:
        add_pattern_sessions(
            tenants.admin_a,
            course,
            pattern=SessionPattern(date(2025, 12, 22), (0,), time(9), time(12), weeks=3),
            now=now,
        )
    assert error.value.code == "sessions_span_years" and "2026-01-05（周一）" in error.value.fields["first_day"]
    db.session.rollback()
    with pytest.raises(ValidationFailed) as error:
        add_pattern_sessions(
            tenants.admin_a,
            course,
            pattern=SessionPattern(date(2025, 12, 2), (1,), time(18), time(9), weeks=1),
            now=now,
        )
    assert error.value.code == "session_ends_before_start"


def test_copy_page_and_pattern_form(client, login, db, tenants, now, new_course, room):
    source = new_course(("2025-06-10", "09:00", "12:00"))
    login(tenants.admin_a)
    assert client.get(f"/courses/{source.id}/copy").status_code == 200
    response = client.post(f"/courses/{source.id}/copy", data={"first_day": "2025-12-30", "title": ""})
    assert response.status_code == 302
    copy = db.session.scalar(db.select(Course).where(Course.id != source.id))
    response = client.post(
        f"/courses/{copy.id}/sessions/pattern",
        data={"first_day": "2025-12-31", "weekdays": ["2"], "start": "09:00", "end": "12:00", "weeks": "2"},
    )
    assert response.status_code == 422
    assert "2026-01-07（周三）" in response.get_data(as_text=True)
    response = client.post(
        f"/courses/{copy.id}/sessions/pattern",
        data={
            "first_day": "2025-12-31",
            "weekdays": ["2"],
            "start": "09:00",
            "end": "12:00",
            "weeks": "1",
            "venue_id": str(room[0].id),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert len(db.session.get(Course, copy.id).sessions) == 2


def test_copy_and_pattern_pages_are_walled(client, login, db, tenants, new_course):
    source = new_course()
    login(tenants.admin_b)
    assert client.get(f"/courses/{source.id}/copy").status_code == 404
    assert client.post(f"/courses/{source.id}/copy", data={"first_day": "2025-07-01"}).status_code == 404
    assert client.post(f"/courses/{source.id}/sessions/pattern", data={}).status_code == 404


def test_copied_audit_sentence_names_the_source(client, db, tenants, now, new_course):
    from basesys.core.audit_text import entry

    source = new_course(title="第一期")
    copy_course(tenants.admin_a, source, first_day=date(2025, 7, 1), title="第二期", now=now)
    db.session.commit()
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "course.copied"))
    with client.application.test_request_context():
        assert "复制自「第一期」" in entry(record, links=False).text


@pytest.mark.parametrize("start,end", [("00:30", "02:00"), ("23:00", "23:59")])
def test_copy_shifts_by_local_date_on_both_sides_of_16_utc(db, tenants, now, new_course, start, end):
    source = new_course(("2025-06-10", start, end), ("2025-06-11", "09:00", "10:00"))
    copy = copy_course(tenants.admin_a, source, first_day=date(2025, 6, 20), title="", now=now)
    assert local_spans(copy) == [("2025-06-20", start, end), ("2025-06-21", "09:00", "10:00")]


def test_api_patch_without_venue_keeps_it_and_with_one_books_it(client, api_headers, db, tenants, now, room):
    venue, _teacher = room
    course = _booked_course(tenants, now, room, ("2025-06-10", "09:00", "12:00"))
    db.session.commit()
    (first,) = course.sessions
    moved = {"id": first.id, "starts_at": "2025-06-10T09:30:00+08:00", "ends_at": "2025-06-10T12:00:00+08:00"}
    response = client.patch(
        f"/api/v1/courses/{course.id}", json={"sessions": [moved]}, headers=api_headers(tenants.admin_a)
    )
    assert response.status_code == 200
    assert response.json["sessions"][0]["venue_id"] == venue.id and response.json["sessions"][0]["teachers"] == ["王伟"]
    response = client.patch(
        f"/api/v1/courses/{course.id}",
        json={"sessions": [{**moved, "venue_id": None, "teacher_ids": []}]},
        headers=api_headers(tenants.admin_a),
    )
    assert response.status_code == 200 and response.json["sessions"][0]["venue_id"] is None
    response = client.patch(
        f"/api/v1/courses/{course.id}",
        json={"sessions": [{**moved, "venue_id": 2**40}]},
        headers=api_headers(tenants.admin_a),
    )
    assert response.status_code == 422
