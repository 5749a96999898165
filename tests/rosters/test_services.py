"""Roster filing services (DOMAIN.md §9): due date, submission, decisions, statuses, audit."""

from datetime import date

import pytest

from basesys.certificates.models import LedgerEntry
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.core.policy import PolicyOverride
from basesys.notifications.models import Notification
from basesys.rosters import services
from basesys.rosters.models import Roster
from basesys.rosters.rows import HEADER
from tests.conftest import at


def _audits(action):
    from basesys.extensions import db

    return db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == action)).all()


# --- due date ---------------------------------------------------------------------------------


def test_due_date_is_policy_days_after_the_last_sessions_local_date(finished):
    assert services.due_date(finished) == date(2025, 6, 19)


@pytest.mark.parametrize(
    ("start", "end", "due"),
    [
        # 23:00–23:50 Shanghai is 15:00–15:50 UTC: still 2025-06-10 locally.
        (at("2025-06-10", "23:00"), at("2025-06-10", "23:50"), date(2025, 7, 10)),
        # 00:10–01:00 Shanghai on 06-11 is 16:10 UTC on 06-10: the local date is the 11th.
        (at("2025-06-11", "00:10"), at("2025-06-11", "01:00"), date(2025, 7, 11)),
    ],
)
def test_due_date_uses_the_local_date_on_both_sides_of_16_utc(make_course, tenants, start, end, due):
    course = make_course(
        base=tenants.base_a, sessions=[(at("2025-06-09", "09:00"), at("2025-06-09", "12:00")), (start, end)]
    )
    assert services.due_date(course) == due


def test_due_date_follows_the_bureaus_policy(db, make_course, tenants):
    db.session.add(PolicyOverride(bureau_id=tenants.city_a.id, year=2025, values={"roster_due_days": 15}))
    db.session.commit()
    course = make_course(base=tenants.base_a, sessions=[(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))])
    assert services.due_date(course) == date(2025, 6, 25)
    other = make_course(base=tenants.base_b, sessions=[(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))])
    assert services.due_date(other) == date(2025, 7, 10)


# --- submission -------------------------------------------------------------------------------


def test_submit_before_finalisation_is_refused(db, make_course, tenants, enroll, now):
    course = make_course(base=tenants.base_a)
    enroll(course, tenants.trainee)
    with pytest.raises(DomainError) as error:
        services.submit_roster(tenants.admin_a, course, now=now)
    assert error.value.code == "course_not_finalized" and error.value.status == 409
    assert db.session.scalar(db.select(Roster)) is None


def test_submit_lists_every_enrolled_trainee_with_the_columns_of_section_9(db, finished, tenants, now):
    roster = services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    assert roster.status == "submitted" and roster.due_on == date(2025, 6, 19)
    assert roster.submitted_by_id == tenants.admin_a.id and not roster.submitted_late
    rows = roster.rows
    assert [r["seq"] for r in rows] == [1, 2, 3] and roster.row_count == 3  # stored for the lists
    assert [r["name"] for r in rows] == ["李四", "赵六", "王五"]
    first, second, third = rows
    assert first["id_number"] == tenants.trainee.id_number  # full, unmasked: it goes to the bureau
    assert first["completed"] is True and first["certificate_number"].startswith("2025-")
    assert first["credited_hours"] == 8.0 and first["category"] == "professional"
    assert first["start_date"] == "2025-05-19" and first["end_date"] == "2025-05-20"
    assert second["employer"] == "枣庄市立医院" and second["series"] == "卫生" and second["title"] == "主治医师"
    assert third["completed"] is False and third["certificate_number"] is None and third["credited_hours"] == 4.0
    assert set(first) >= {
        "seq", "name", "gender", "id_number", "employer", "series", "title", "course_title", "category",
        "start_date", "end_date", "credited_hours", "certificate_number", "completed",
    }  # fmt: skip
    assert len(HEADER) == 13
    (record,) = _audits("roster.submit")
    assert record.actor_id == tenants.admin_a.id and record.base_id == tenants.base_a.id
    assert record.bureau_id == tenants.city_a.id and record.after["rows"] == 3


def test_submit_twice_is_refused(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    with pytest.raises(DomainError) as error:
        services.submit_roster(tenants.admin_a, finished, now=now)
    assert error.value.code == "roster_already_submitted"


def test_only_the_bases_own_admin_submits(db, finished, tenants, now):
    """Another base's admin is outside the course's scope (404), an officer has the wrong role (403)."""
    for actor, code in ((tenants.admin_b, "not_found"), (tenants.officer_a, "forbidden")):
        with pytest.raises(DomainError) as error:
            services.submit_roster(actor, finished, now=now)
        assert error.value.code == code


def test_a_late_submission_is_accepted_and_flagged(db, finished, tenants):
    roster = services.submit_roster(tenants.admin_a, finished, now=at("2025-06-20", "10:00"))
    assert roster.status == "submitted" and roster.submitted_late


def test_a_revoked_certificate_is_listed_as_not_completed(db, finished, tenants, now):
    from basesys.certificates.models import Certificate

    certificate = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == tenants.trainee.id))
    certificate.status = "revoked"
    db.session.commit()
    row = services.roster_state(finished, now=now).rows[0]
    assert row["completed"] is False and row["certificate_number"] is None


# --- statuses ---------------------------------------------------------------------------------


def test_status_is_pending_before_anything_is_stored_and_reading_writes_nothing(db, finished, now):
    state = services.roster_state(finished, now=now)
    assert state.status == "pending" and state.roster is None and len(state.rows) == 3
    assert db.session.scalar(db.select(Roster)) is None


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (at("2025-06-19", "23:59"), "pending"),  # 15:59 UTC on the due date
        (at("2025-06-20", "00:01"), "overdue"),  # 16:01 UTC on the due date: the next local day
    ],
)
def test_an_unsubmitted_roster_is_overdue_the_day_after_its_due_date(db, finished, moment, status):
    assert services.roster_state(finished, now=moment).status == status


def test_a_submitted_roster_past_its_due_date_is_not_overdue(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    assert services.roster_state(finished, now=at("2025-07-30", "09:00")).status == "submitted"


# --- decisions --------------------------------------------------------------------------------


def test_acceptance_recognizes_the_courses_ledger_entries_in_the_same_transaction(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    roster = services.decide_roster(
        tenants.officer_a, finished, decision="accept", comment="", now=at("2025-06-03", "10:00")
    )
    db.session.commit()
    assert roster.status == "accepted" and roster.decided_by_id == tenants.officer_a.id
    entries = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.course_id == finished.id)).all()
    assert len(entries) == 2 and {e.status for e in entries} == {"recognized"}
    (record,) = _audits("roster.accept")
    assert record.actor_id == tenants.officer_a.id and record.after == {"status": "accepted"}


def test_returning_without_a_comment_is_refused(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    for comment in ("", "   "):
        with pytest.raises(DomainError) as error:
            services.decide_roster(tenants.officer_a, finished, decision="return", comment=comment, now=now)
        assert error.value.code == "comment_required" and error.value.status == 422
        assert "comment" in error.value.fields
    assert services.get_roster(finished).status == "submitted"


def test_return_then_resubmit_then_accept(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    roster = services.decide_roster(
        tenants.officer_a, finished, decision="return", comment="赵六的工作单位有误", now=now
    )
    db.session.commit()
    assert roster.status == "returned" and roster.decision_comment == "赵六的工作单位有误"
    (notification,) = db.session.scalars(db.select(Notification)).all()
    assert notification.user_id == tenants.admin_a.id and notification.kind == "roster_returned"
    assert notification.data["comment"] == "赵六的工作单位有误"
    entries = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.course_id == finished.id)).all()
    assert {e.status for e in entries} == {"issued"}  # a return recognizes nothing

    roster = services.submit_roster(tenants.admin_a, finished, now=at("2025-06-04", "09:00"))
    assert roster.status == "submitted" and roster.submission_count == 2
    roster = services.decide_roster(
        tenants.officer_a, finished, decision="accept", comment="同意", now=at("2025-06-05", "09:00")
    )
    db.session.commit()
    assert roster.status == "accepted"
    actions = [r.action for r in db.session.scalars(db.select(AuditRecord).order_by(AuditRecord.id))]
    assert [a for a in actions if a.startswith("roster.")][-4:] == [
        "roster.submit", "roster.return", "roster.submit", "roster.accept",
    ]  # fmt: skip
    assert "ledger.recognize" in actions
    with pytest.raises(DomainError) as error:
        services.submit_roster(tenants.admin_a, finished, now=now)
    assert error.value.code == "roster_already_accepted"


def test_a_decision_needs_a_submitted_roster(db, finished, tenants, now):
    with pytest.raises(DomainError) as error:
        services.decide_roster(tenants.officer_a, finished, decision="accept", comment="", now=now)
    assert error.value.code == "roster_not_submitted"
    services.submit_roster(tenants.admin_a, finished, now=now)
    services.decide_roster(tenants.officer_a, finished, decision="accept", comment="", now=now)
    with pytest.raises(DomainError) as error:
        services.decide_roster(tenants.officer_a, finished, decision="return", comment="晚了", now=now)
    assert error.value.code == "roster_not_submitted"


def test_only_officers_of_the_supervising_bureau_or_above_decide(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    # Out of scope is 404 (API.md), as for course filings; a base admin has the wrong role (403).
    for actor, code in (
        (tenants.officer_b, "not_found"),
        (tenants.officer_county, "not_found"),
        (tenants.admin_a, "forbidden"),
    ):
        with pytest.raises(DomainError) as error:
            services.decide_roster(actor, finished, decision="accept", comment="", now=now)
        assert error.value.code == code
    assert (
        services.decide_roster(tenants.officer_province, finished, decision="accept", comment="", now=now).status
        == "accepted"
    )


def test_the_submitted_rows_are_what_the_bureau_sees_even_if_data_change_later(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    finished.unregistered.employer = "另一单位"
    db.session.commit()
    assert services.roster_state(finished, now=now).rows[1]["employer"] == "枣庄市立医院"
