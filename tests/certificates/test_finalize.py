"""Finalisation (DOMAIN.md §8): results for everyone, hours and certificates for completers, once."""

from datetime import timedelta

import pytest

from basesys.attendance.models import CreditedDay
from basesys.certificates.models import Certificate, CertificateSequence, CourseResult, LedgerEntry
from basesys.certificates.services import (
    courses_due_to_finalize,
    courses_ready_to_finalize,
    finalize_course,
    preview_course,
    recognize_course_entries,
)
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from tests.certificates.conftest import count
from tests.conftest import at


def snapshot(db):
    """Every row finalisation writes, as comparable tuples."""
    return {
        "results": sorted(
            db.session.execute(
                db.select(
                    CourseResult.course_id,
                    CourseResult.trainee_id,
                    CourseResult.credited_hours,
                    CourseResult.completed,
                    CourseResult.certificate_id,
                )
            ).all()
        ),
        "ledger": sorted(
            db.session.execute(
                db.select(
                    LedgerEntry.trainee_id,
                    LedgerEntry.course_id,
                    LedgerEntry.hours,
                    LedgerEntry.status,
                    LedgerEntry.certificate_id,
                )
            ).all()
        ),
        "certificates": sorted(
            db.session.execute(db.select(Certificate.number, Certificate.check_code, Certificate.signature)).all()
        ),
        "days": sorted(
            db.session.execute(
                db.select(CreditedDay.trainee_id, CreditedDay.local_date, CreditedDay.course_id, CreditedDay.hours)
            ).all()
        ),
        "audit": count(AuditRecord),
    }


def test_finalize_refused_before_the_last_session_ends(db, finished):
    course = finished.course
    with pytest.raises(DomainError) as error:
        finalize_course(finished.admin_a, course, now=course.ends_at - timedelta(seconds=1))
    assert error.value.code == "course_not_ended" and error.value.status == 409
    db.session.rollback()
    assert count(CourseResult) == 0 and course.finalized_at is None
    totals = finalize_course(finished.admin_a, course, now=course.ends_at)  # at the end exactly: allowed
    assert totals == {"completed": 1, "not_completed": 1, "certificates": 1}


def test_finalize_refuses_a_course_that_is_not_approved(db, tenants, make_course, enroll, attend, now):
    course = make_course(
        base=tenants.base_a, status="submitted", sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))]
    )
    enroll(course, tenants.trainee)
    attend(course, tenants.trainee)
    with pytest.raises(DomainError) as error:
        finalize_course(tenants.admin_a, course, now=now)
    assert error.value.code == "course_not_approved"


def test_finalize_a_course_without_sessions_is_not_ended(db, tenants, make_course, now):
    course = make_course(base=tenants.base_a)
    course.sessions.clear()
    db.session.commit()
    with pytest.raises(DomainError) as error:
        finalize_course(tenants.admin_a, course, now=now)
    assert error.value.code == "course_not_ended"


def test_finalize_writes_a_result_for_everyone_and_hours_only_for_completers(db, finished, now):
    t = finished
    totals = finalize_course(t.admin_a, t.course, now=now)
    db.session.commit()
    assert totals == {"completed": 1, "not_completed": 1, "certificates": 1}
    results = {r.trainee_id: r for r in db.session.scalars(db.select(CourseResult))}
    done, not_done = results[t.trainee.id], results[t.other_trainee.id]
    assert (done.completed, done.credited_hours, done.capped_hours) == (True, 16.0, 2.0)
    assert (not_done.completed, not_done.credited_hours, not_done.certificate_id) == (False, 8.0, None)
    assert "未结业" in not_done.explanation
    entry = db.session.scalar(db.select(LedgerEntry))
    certificate = db.session.scalar(db.select(Certificate))
    assert (entry.trainee_id, entry.year, entry.category, entry.hours, entry.status) == (
        t.trainee.id,
        2025,
        "professional",
        16.0,
        "issued",
    )
    assert entry.certificate_id == certificate.id == done.certificate_id
    assert certificate.hours == 16.0 and certificate.holder_name == "李四" and certificate.status == "valid"
    assert certificate.issued_on.isoformat() == "2025-06-02"
    assert t.course.finalized_at == now
    actions = set(db.session.scalars(db.select(AuditRecord.action)))
    assert {"course.finalize", "certificate.issue"} <= actions


def test_finalize_twice_changes_nothing(db, finished, now):
    first = finalize_course(finished.admin_a, finished.course, now=now)
    db.session.commit()
    before = snapshot(db)
    second = finalize_course(finished.admin_a, finished.course, now=now + timedelta(days=3))
    db.session.commit()
    assert second == first
    assert snapshot(db) == before


def test_finalize_killed_half_way_leaves_nothing_and_the_rerun_completes(db, finished, now, monkeypatch):
    from basesys.certificates.services import finalize as module

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(module, "_issue_certificates", crash)
    with pytest.raises(RuntimeError):
        finalize_course(finished.admin_a, finished.course, now=now)
    db.session.rollback()
    assert count(CourseResult) == count(CreditedDay) == count(LedgerEntry) == 0
    monkeypatch.undo()
    assert finalize_course(finished.admin_a, finished.course, now=now)["certificates"] == 1


def test_finalize_completes_the_pieces_a_partial_run_committed(db, finished, now):
    """Results (and finalized days) committed without ledger entries or certificates — as an older
    version could leave them between two commits — are completed without duplicates."""
    finalize_course(finished.admin_a, finished.course, now=now)
    db.session.commit()
    for result in db.session.scalars(db.select(CourseResult)):
        result.certificate_id = None
    db.session.execute(db.delete(LedgerEntry))
    db.session.execute(db.delete(Certificate))
    finished.course.finalized_at = None
    db.session.commit()
    assert count(CourseResult) == 2 and count(LedgerEntry) == 0
    assert finalize_course(finished.admin_a, finished.course, now=now) == {
        "completed": 1,
        "not_completed": 1,
        "certificates": 1,
    }
    db.session.commit()
    assert (count(CourseResult), count(LedgerEntry), count(Certificate)) == (2, 1, 1)
    entry, certificate = db.session.scalar(db.select(LedgerEntry)), db.session.scalar(db.select(Certificate))
    assert entry.certificate_id == certificate.id


def test_finalized_days_are_written_for_every_trainee_and_date(db, finished, now):
    finalize_course(finished.admin_a, finished.course, now=now)
    rows = db.session.execute(db.select(CreditedDay.trainee_id, CreditedDay.local_date, CreditedDay.hours)).all()
    by = {(r[0], r[1].isoformat()): r[2] for r in rows}
    t = finished
    assert by[(t.trainee.id, "2025-05-26")] == 8.0 and by[(t.trainee.id, "2025-05-27")] == 8.0
    assert by[(t.other_trainee.id, "2025-05-26")] == 8.0  # credited, though not completed (§7 cap)
    assert by.get((t.other_trainee.id, "2025-05-27"), 0) == 0


def test_hours_finalized_by_another_course_count_first(db, tenants, make_course, enroll, attend, now):
    """The daily cap across courses: a morning course finalised first leaves the afternoon course
    of the same day only what remains of the cap."""
    morning = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "08:00"), at("2025-05-20", "12:30"))])
    evening = make_course(base=tenants.base_b, sessions=[(at("2025-05-20", "13:00"), at("2025-05-20", "17:30"))])
    for course in (morning, evening):
        enroll(course, tenants.trainee)
        attend(course, tenants.trainee)
    finalize_course(tenants.admin_a, morning, now=now)
    finalize_course(tenants.admin_b, evening, now=now)
    db.session.commit()
    hours = dict(db.session.execute(db.select(CourseResult.course_id, CourseResult.credited_hours)).all())
    assert hours[morning.id] == 6.0
    assert hours[evening.id] == 2.0  # 6.0 credited by the session, trimmed to the 8-hour cap
    completed = dict(db.session.execute(db.select(CourseResult.course_id, CourseResult.completed)).all())
    assert completed[evening.id] is False  # 2 of 6 planned hours < 0.8


def test_certificate_numbers_are_sequential_per_base_and_year(
    db, tenants, make_course, enroll, attend, now, make_trainee
):
    trainees = [make_trainee(name=f"学员{i}") for i in range(3)]
    first = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
    second = make_course(base=tenants.base_a, sessions=[(at("2025-05-21", "09:00"), at("2025-05-21", "12:00"))])
    other_base = make_course(base=tenants.base_b, sessions=[(at("2025-05-21", "09:00"), at("2025-05-21", "12:00"))])
    for course in (first, second, other_base):
        enroll(course, *trainees)
        for trainee in trainees:
            attend(course, trainee)
    for course, admin in ((first, tenants.admin_a), (second, tenants.admin_a), (other_base, tenants.admin_b)):
        finalize_course(admin, course, now=now)
    db.session.commit()
    numbers = lambda course: sorted(  # noqa: E731
        db.session.scalars(db.select(Certificate.number).where(Certificate.course_id == course.id))
    )
    a, b = tenants.base_a.code, tenants.base_b.code
    assert numbers(first) == [f"2025-{a}-00000{i}" for i in (1, 2, 3)]
    assert numbers(second) == [f"2025-{a}-00000{i}" for i in (4, 5, 6)]
    assert numbers(other_base) == [f"2025-{b}-00000{i}" for i in (1, 2, 3)]
    assert db.session.get(CertificateSequence, (tenants.base_a.id, 2025)).last == 6


def test_the_year_is_the_local_year_of_the_last_session(db, tenants, make_course, enroll, attend):
    """On both sides of 16:00 UTC (local midnight): 2026-01-01 00:30 in Shanghai is still 2025 in UTC."""
    late = make_course(base=tenants.base_a, sessions=[(at("2025-12-31", "20:00"), at("2025-12-31", "23:30"))])
    early = make_course(base=tenants.base_a, sessions=[(at("2026-01-01", "00:30"), at("2026-01-01", "03:30"))])
    assert early.sessions[0].starts_at.astimezone(__import__("datetime").timezone.utc).year == 2025
    for course in (late, early):
        enroll(course, tenants.trainee)
        attend(course, tenants.trainee)
    after = at("2026-01-02", "09:00")
    finalize_course(tenants.admin_a, late, now=after)
    finalize_course(tenants.admin_a, early, now=after)
    db.session.commit()
    years = dict(db.session.execute(db.select(LedgerEntry.course_id, LedgerEntry.year)).all())
    assert years == {late.id: 2025, early.id: 2026}
    numbers = dict(db.session.execute(db.select(Certificate.course_id, Certificate.number)).all())
    assert numbers[late.id].startswith("2025-") and numbers[early.id].startswith("2026-")
    assert numbers[early.id].endswith("-000001")


def test_a_name_no_font_can_print_stops_that_certificate_but_keeps_the_hours(
    db, tenants, make_course, make_trainee, enroll, attend, now, monkeypatch
):
    rare = make_trainee(name="张𠀀")
    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
    enroll(course, rare, tenants.trainee)
    attend(course, rare)
    attend(course, tenants.trainee)
    problems = {row.trainee.id: row.problem for row in preview_course(course)}
    assert problems[tenants.trainee.id] is None and "𠀀" in problems[rare.id]
    totals = finalize_course(tenants.admin_a, course, now=now)
    db.session.commit()
    assert totals == {"completed": 2, "not_completed": 0, "certificates": 1}
    result = db.session.scalar(db.select(CourseResult).where(CourseResult.trainee_id == rare.id))
    assert result.certificate_id is None and "𠀀" in result.certificate_problem
    assert "字体" in result.certificate_problem
    entry = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.trainee_id == rare.id))
    assert entry.hours == 4.0 and entry.certificate_id is None
    # Once a font with the character is installed, finalising again issues the missing certificate.
    from basesys.certificates.services import finalize as module

    monkeypatch.setattr(module, "printing_problem", lambda name, course: None)
    totals = finalize_course(tenants.admin_a, course, now=now)
    db.session.commit()
    assert totals["certificates"] == 2
    db.session.refresh(entry)
    assert entry.certificate_id is not None and db.session.get(CourseResult, result.id).certificate_problem == ""


def test_preview_explains_who_completes_and_writes_nothing(db, finished):
    rows = {row.trainee.id: row for row in preview_course(finished.course)}
    assert rows[finished.trainee.id].completed and rows[finished.trainee.id].credit.credited_hours == 16.0
    assert not rows[finished.other_trainee.id].completed
    assert "未结业" in rows[finished.other_trainee.id].credit.explanation
    assert count(CourseResult) == 0 and count(CreditedDay) == 0


def test_recognize_course_entries_turns_issued_into_recognized_once(db, finalized, now):
    course = finalized.course
    assert recognize_course_entries(finalized.officer_a, course, now=now) == 1
    assert recognize_course_entries(finalized.officer_a, course, now=now) == 0
    db.session.commit()
    entry = db.session.scalar(db.select(LedgerEntry))
    assert entry.status == "recognized" and entry.recognized_at == now


def test_scheduler_finalises_only_approved_courses_past_the_delay(db, tenants, make_course):
    ended = at("2025-05-20", "12:00")
    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), ended)])
    unapproved = make_course(base=tenants.base_a, status="submitted", sessions=[(at("2025-05-20", "09:00"), ended)])
    assert courses_due_to_finalize(now=ended + timedelta(hours=1, minutes=59)) == []
    assert courses_due_to_finalize(now=ended + timedelta(hours=2)) == [course]
    assert unapproved not in courses_ready_to_finalize(tenants.base_a.id, now=ended + timedelta(hours=3))
    assert courses_ready_to_finalize(tenants.base_a.id, now=ended) == [course]


def test_the_finalize_delay_is_a_policy_setting(db, tenants, make_course):
    from basesys.core.policy import PolicyOverride

    db.session.add(PolicyOverride(bureau_id=tenants.city_a.id, year=2025, values={"finalize_delay_hours": 24}))
    ended = at("2025-05-20", "12:00")
    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), ended)])
    assert courses_due_to_finalize(now=ended + timedelta(hours=23)) == []
    assert courses_due_to_finalize(now=ended + timedelta(hours=24)) == [course]


def test_the_issue_date_is_the_local_date_on_both_sides_of_16_utc(db, finished):
    from datetime import UTC, datetime

    finalize_course(finished.admin_a, finished.course, now=datetime(2025, 6, 1, 16, 0, tzinfo=UTC))
    db.session.commit()
    assert db.session.scalar(db.select(Certificate.issued_on)).isoformat() == "2025-06-02"


def test_the_issue_date_just_before_local_midnight(db, finished):
    from datetime import UTC, datetime

    finalize_course(finished.admin_a, finished.course, now=datetime(2025, 6, 1, 15, 59, tzinfo=UTC))
    db.session.commit()
    certificate = db.session.scalar(db.select(Certificate))
    assert certificate.issued_on.isoformat() == "2025-06-01" and '"issued_on":"2025-06-01"' in certificate.payload
