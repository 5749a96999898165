"""Course filing (DOMAIN.md §4): states, late flag, numbers, change filings, decisions audited."""

import threading

import pytest

from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError, NotFound, ValidationFailed
from basesys.courses.models import Course
from basesys.courses.services import SessionInput, update_course
from basesys.filing import history
from basesys.filing import services as filing
from basesys.filing.models import FilingSequence
from tests.conftest import at
from tests.courses.conftest import sessions


def approve(course, officer, now, comment=""):
    return filing.decide_filing(officer, course, decision="approve", comment=comment, now=now)


def test_submit_moves_a_draft_to_submitted_with_its_audit_record(db, now, new_course, tenants):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    db.session.commit()
    assert course.filing_status == "submitted" and course.submitted_at == now
    assert course.filing_late is False
    (event,) = history.filing_history(course)
    assert (event.action, event.actor_id, event.late) == ("submitted", tenants.admin_a.id, False)
    assert event.actor_name == tenants.admin_a.label
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "filing.submitted"))
    assert record.after["filing_status"] == "submitted" and record.base_id == tenants.base_a.id


def test_submit_after_the_first_session_started_is_late(db, new_course, tenants):
    course = new_course(("2025-06-10", "09:00", "12:00"), ("2025-06-11", "09:00", "12:00"))
    filing.submit_filing(tenants.admin_a, course, now=at("2025-06-10", "09:00"))
    assert course.filing_late is True
    assert history.filing_history(course)[0].late is True


def test_submit_just_before_the_start_is_not_late(db, new_course, tenants):
    course = new_course(("2025-06-10", "09:00", "12:00"))
    filing.submit_filing(tenants.admin_a, course, now=at("2025-06-10", "08:59"))
    assert course.filing_late is False


def test_submit_refuses_a_course_without_sessions(db, new_course, tenants, now):
    course = new_course()
    course.sessions = []
    with pytest.raises(ValidationFailed) as error:
        filing.submit_filing(tenants.admin_a, course, now=now)
    assert error.value.code == "no_sessions" and error.value.status == 422


def test_submit_refuses_missing_form_fields(db, new_course, tenants, now):
    course = new_course(responsible="", plan="", planned_headcount=0)
    with pytest.raises(ValidationFailed) as error:
        filing.submit_filing(tenants.admin_a, course, now=now)
    assert error.value.code == "filing_incomplete"
    assert set(error.value.fields) == {"responsible", "plan", "planned_headcount"}


@pytest.mark.parametrize(
    ("status", "code"), [("submitted", "filing_already_submitted"), ("approved", "filing_already_approved")]
)
def test_submit_refuses_a_filed_course(db, new_course, tenants, now, status, code):
    course = new_course()
    course.filing_status = status
    with pytest.raises(DomainError) as error:
        filing.submit_filing(tenants.admin_a, course, now=now)
    assert error.value.code == code and error.value.status == 409


def test_submit_refuses_a_finalized_course(db, new_course, tenants, now):
    course = new_course()
    course.finalized_at = now
    with pytest.raises(DomainError) as error:
        filing.submit_filing(tenants.admin_a, course, now=now)
    assert error.value.code == "course_finalized"


def test_approve_assigns_sequential_numbers_per_base_and_year(db, new_course, tenants, now):
    first, second = new_course(), new_course()
    other_base = new_course(base=tenants.base_b, actor=tenants.admin_b)
    next_year = new_course(("2026-01-05", "09:00", "12:00"))
    for course in (first, second, next_year):
        filing.submit_filing(tenants.admin_a, course, now=now)
    filing.submit_filing(tenants.admin_b, other_base, now=now)
    approve(second, tenants.officer_a, now)
    approve(first, tenants.officer_a, now)
    approve(other_base, tenants.officer_b, now)
    approve(next_year, tenants.officer_a, now)
    db.session.commit()
    code_a, code_b = tenants.base_a.code, tenants.base_b.code
    assert second.filing_number == f"备2025-{code_a}-0001"
    assert first.filing_number == f"备2025-{code_a}-0002"
    assert other_base.filing_number == f"备2025-{code_b}-0001"
    assert next_year.filing_number == f"备2026-{code_a}-0001"
    assert first.approved_at == now and first.approved_snapshot["title"] == first.title


def test_approval_is_audited_with_who_when_and_comment(db, new_course, tenants, now):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    approve(course, tenants.officer_a, at("2025-06-03", "10:00"), comment="同意备案")
    db.session.commit()
    event = history.last_event(course, "approved")
    assert (event.actor_id, event.at, event.comment) == (tenants.officer_a.id, at("2025-06-03", "10:00"), "同意备案")
    assert event.filing_number == course.filing_number
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "filing.approved"))
    assert record.actor_id == tenants.officer_a.id and record.reason == "同意备案"
    assert record.bureau_id == tenants.city_a.id


def test_return_needs_a_comment(db, new_course, tenants, now):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    with pytest.raises(ValidationFailed) as error:
        filing.decide_filing(tenants.officer_a, course, decision="return", comment="   ", now=now)
    assert error.value.code == "comment_required" and "comment" in error.value.fields
    assert course.filing_status == "submitted"


def test_return_then_edit_and_resubmit_then_approve(db, new_course, tenants, now):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(tenants.officer_a, course, decision="return", comment="请补充培训计划", now=now)
    assert course.filing_status == "returned" and course.filing_number is None
    update_course(tenants.admin_a, course, values={"plan": "详细计划"}, sessions=None, now=now)
    assert course.filing_status == "returned"  # an edit alone does not resubmit
    filing.submit_filing(tenants.admin_a, course, now=now)
    approve(course, tenants.officer_a, now)
    db.session.commit()
    actions = [e.action for e in history.filing_history(course)]
    assert actions == ["submitted", "returned", "resubmitted", "approved"]
    returned = history.last_event(course, "returned")
    assert returned.comment == "请补充培训计划" and returned.actor_id == tenants.officer_a.id


def test_decide_refuses_a_course_not_submitted(db, new_course, tenants, now):
    course = new_course()
    with pytest.raises(DomainError) as error:
        approve(course, tenants.officer_a, now)
    assert error.value.code == "filing_not_submitted"


def test_decide_refuses_an_unknown_decision(db, new_course, tenants, now):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    with pytest.raises(ValidationFailed) as error:
        filing.decide_filing(tenants.officer_a, course, decision="maybe", comment="", now=now)
    assert error.value.code == "invalid_decision"


@pytest.mark.parametrize(
    ("officer", "allowed"),
    [("officer_a", True), ("officer_province", True), ("officer_county", False), ("officer_b", False)],
)
def test_only_officers_of_the_supervising_bureau_or_above_decide(db, new_course, tenants, now, officer, allowed):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    if allowed:
        approve(course, getattr(tenants, officer), now)
        assert course.filing_status == "approved"
    else:
        with pytest.raises(NotFound):
            approve(course, getattr(tenants, officer), now)


# --- change filings (变更备案) ---------------------------------------------------------------


@pytest.fixture
def approved(db, new_course, tenants, now):
    course = new_course(("2025-06-10", "09:00", "12:00"), ("2025-06-11", "09:00", "12:00"))
    filing.submit_filing(tenants.admin_a, course, now=now)
    approve(course, tenants.officer_a, now)
    db.session.commit()
    return course


def _keep(course):
    return [SessionInput(s.starts_at, s.ends_at, s.title, s.credit_hours, s.id) for s in course.sessions]


def test_changing_sessions_of_an_approved_course_files_a_change(db, approved, tenants, now):
    number = approved.filing_number
    update_course(
        tenants.admin_a,
        approved,
        values={},
        sessions=_keep(approved) + sessions(("2025-06-12", "09:00", "12:00")),
        now=now,
    )
    db.session.commit()
    assert approved.filing_status == "submitted"  # check-in is suspended (it needs "approved")
    event = history.last_event(approved)
    assert event.action == "change_submitted"
    assert "sessions" in event.changes and "planned_days" in event.changes
    diff = filing.changes_since_approval(approved)
    assert [c["change"] for c in diff["sessions"]] == ["added"]
    approve(approved, tenants.officer_a, now)
    assert approved.filing_number == number  # a change filing keeps its number
    assert db.session.scalar(db.select(FilingSequence.last_value)) == 1


@pytest.mark.parametrize(("values"), [{"category": "public"}, {"kind": "lecture"}])
def test_changing_category_or_kind_files_a_change(db, approved, tenants, now, values):
    update_course(tenants.admin_a, approved, values=values, sessions=None, now=now)
    assert approved.filing_status == "submitted"
    diff = filing.changes_since_approval(approved)
    assert list(values) == [f["name"] for f in diff["fields"] if f["name"] in values]


def test_lowering_credit_hours_files_a_change(db, approved, tenants, now):
    edited = _keep(approved)
    edited[1] = SessionInput(edited[1].starts_at, edited[1].ends_at, "", 3.0, edited[1].id)
    update_course(tenants.admin_a, approved, values={}, sessions=edited, now=now)
    assert approved.filing_status == "submitted"
    assert filing.changes_since_approval(approved)["sessions"][0]["change"] == "changed"


def test_other_edits_of_an_approved_course_are_recorded_without_suspending(db, approved, tenants, now):
    update_course(tenants.admin_a, approved, values={"contact": "赵老师", "location": "新校区"}, sessions=None, now=now)
    db.session.commit()
    assert approved.filing_status == "approved"
    event = history.last_event(approved)
    assert event.action == "amended" and event.changes == ["location", "contact"]
    assert (
        db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "course.updated")).after["contact"]
        == "赵老师"
    )


def test_an_approved_course_cannot_lose_all_its_sessions(db, approved, tenants, now):
    with pytest.raises(ValidationFailed) as error:
        update_course(tenants.admin_a, approved, values={}, sessions=[], now=now)
    assert error.value.code == "no_sessions"


def test_an_approved_course_keeps_its_form_complete(db, approved, tenants, now):
    with pytest.raises(ValidationFailed) as error:
        update_course(tenants.admin_a, approved, values={"responsible": ""}, sessions=None, now=now)
    assert error.value.code == "filing_incomplete"


def test_change_filed_after_the_start_is_late(db, approved, tenants):
    update_course(
        tenants.admin_a,
        approved,
        values={"category": "public"},
        sessions=None,
        now=at("2025-06-10", "10:00"),
    )
    assert approved.filing_status == "submitted" and approved.filing_late is True


def test_sessions_open_for_check_in_are_locked_after_approval(db, approved, tenants):
    edited = _keep(approved)
    first = edited[0]
    edited[0] = SessionInput(first.starts_at, at("2025-06-10", "11:00"), "", None, first.id)
    with pytest.raises(ValidationFailed) as error:
        update_course(tenants.admin_a, approved, values={}, sessions=edited, now=at("2025-06-10", "08:31"))
    assert error.value.code == "session_locked"
    db.session.rollback()
    with pytest.raises(ValidationFailed) as error:  # nor removed
        update_course(tenants.admin_a, approved, values={}, sessions=_keep(approved)[1:], now=at("2025-06-10", "08:31"))
    assert error.value.code == "session_locked"


def test_future_sessions_stay_editable_while_the_course_runs(db, approved, tenants):
    edited = _keep(approved)
    second = edited[1]
    edited[1] = SessionInput(second.starts_at, at("2025-06-11", "11:00"), "", None, second.id)
    update_course(tenants.admin_a, approved, values={}, sessions=edited, now=at("2025-06-10", "10:00"))
    assert approved.filing_status == "submitted"


def test_list_filings_scope_and_order(db, new_course, tenants, now):
    older, newer = new_course(title="早"), new_course(title="晚")
    county = new_course(base=tenants.base_county, actor=tenants.admin_county)
    other = new_course(base=tenants.base_b, actor=tenants.admin_b)
    filing.submit_filing(tenants.admin_a, newer, now=at("2025-06-02", "10:00"))
    filing.submit_filing(tenants.admin_a, older, now=at("2025-06-01", "10:00"))
    filing.submit_filing(tenants.admin_county, county, now=now)
    filing.submit_filing(tenants.admin_b, other, now=now)
    db.session.commit()
    assert [c.id for c in filing.list_filings(tenants.officer_a)] == [older.id, county.id, newer.id]
    assert [c.id for c in filing.list_filings(tenants.officer_county)] == [county.id]
    assert [c.id for c in filing.list_filings(tenants.officer_b)] == [other.id]
    assert len(filing.list_filings(tenants.officer_province)) == 4
    assert filing.list_filings(tenants.officer_a, "approved") == []


def test_concurrent_approvals_never_share_a_number(app, db, new_course, tenants, now):
    courses = [new_course() for _ in range(6)]
    for course in courses:
        filing.submit_filing(tenants.admin_a, course, now=now)
    db.session.commit()
    ids, officer_id = [c.id for c in courses], tenants.officer_a.id
    barrier, errors = threading.Barrier(len(ids)), []

    def run(course_id):
        from basesys.accounts.models import User
        from basesys.core.database import lock_at_begin

        with app.app_context():
            lock_at_begin(True)
            try:
                barrier.wait()
                course = db.session.get(Course, course_id)
                approve(course, db.session.get(User, officer_id), now)
                db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(course_id,)) for course_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.commit()  # end the test's read snapshot
    numbers = sorted(db.session.scalars(db.select(Course.filing_number).where(Course.id.in_(ids))))
    assert numbers == [f"备2025-{tenants.base_a.code}-{n:04d}" for n in range(1, 7)]
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(AuditRecord).where(AuditRecord.action == "filing.approved")
        )
        == 6
    )


# The filing year is a day rule: the local date of the first session, on both sides of 16:00 UTC.


def test_filing_year_is_the_local_year_of_the_first_session(db, new_course, tenants, now):
    from datetime import datetime, timezone

    from basesys.courses.services import SessionInput, create_course
    from tests.courses.conftest import course_values

    def course_starting(utc_text):
        start = datetime.fromisoformat(utc_text).replace(tzinfo=timezone.utc)
        course = create_course(
            tenants.admin_a,
            tenants.base_a,
            values=course_values(),
            sessions=[SessionInput(start, start.replace(minute=59))],
            now=now,
        )
        filing.submit_filing(tenants.admin_a, course, now=now)
        return approve(course, tenants.officer_a, now)

    assert course_starting("2025-12-31T15:00").filing_number == f"备2025-{tenants.base_a.code}-0001"  # 23:00 Dec 31
    assert course_starting("2025-12-31T16:00").filing_number == f"备2026-{tenants.base_a.code}-0001"  # 00:00 Jan 1
