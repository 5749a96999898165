"""The demo data holds courses in every filing state, made by the services (COMMON.md interface 1)."""

from datetime import datetime, timedelta

import pytest

from basesys.core.audit import AuditRecord
from basesys.core.cli import load_demo
from basesys.core.time import LOCAL_TZ, local_date
from basesys.courses.models import Enrollment


def enrolled(db, course):
    return db.session.scalar(
        db.select(db.func.count()).select_from(Enrollment).where(Enrollment.course_id == course.id)
    )


@pytest.mark.parametrize(
    "now",
    [
        datetime(2025, 6, 2, 9, 0, tzinfo=LOCAL_TZ),
        datetime(2025, 6, 2, 0, 20, tzinfo=LOCAL_TZ),  # just after local midnight (16:20 UTC)
        datetime(2025, 6, 1, 23, 50, tzinfo=LOCAL_TZ),  # just before local midnight (15:50 UTC)
    ],
)
def test_demo_courses_cover_every_filing_state(db, now):
    ctx = load_demo(now)
    db.session.commit()
    courses = ctx["courses"]
    assert {c.filing_status for c in courses.values()} == {"draft", "submitted", "approved", "returned"}
    assert courses["draft"].filing_status == "draft"
    assert courses["submitted"].filing_status == "submitted" and not courses["submitted"].filing_late
    assert courses["returned"].filing_status == "returned"
    assert courses["submitted_late"].filing_late is True
    assert courses["change_filed"].filing_status == "submitted" and courses["change_filed"].approved_snapshot

    past = courses["approved_past"]
    assert past.is_approved and past.filing_number
    assert local_date(past.ends_at) == local_date(now) - timedelta(days=3)
    assert past.approved_at < past.starts_at
    assert enrolled(db, past) >= 12

    today = courses["approved_today"]
    assert today.is_approved and enrolled(db, today) >= 10
    assert any(s.starts_at <= now < s.ends_at for s in today.sessions)

    seminar = courses["approved_upcoming"]
    assert seminar.kind == "advanced_seminar" and seminar.planned_days == 2 and seminar.is_approved
    assert local_date(seminar.starts_at) == local_date(now) + timedelta(days=7)

    jn = courses["jn_approved"]
    assert jn.base_id == ctx["base_jn"].id and jn.is_approved and jn.filing_number.startswith("备")
    numbers = [c.filing_number for c in courses.values() if c.filing_number]
    assert len(numbers) == len(set(numbers))
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(AuditRecord).where(AuditRecord.action == "filing.approved")
        )
        == 5
    )
