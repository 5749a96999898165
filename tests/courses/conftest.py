"""Helpers for course tests: valid course fields and session inputs."""

import pytest

from basesys.courses.services import SessionInput
from tests.conftest import at


def course_values(**overrides) -> dict:
    values = {
        "title": "数字技术工程师培训班",
        "category": "professional",
        "kind": "course",
        "delivery": "offline",
        "location": "枣庄职业学院图书馆报告厅",
        "target": "全市工程系列专业技术人员",
        "planned_headcount": 60,
        "responsible": "王主任",
        "contact": "李老师",
        "contact_phone": "0632-1234567",
        "plan": "数字化管理师培训，理论与实操结合。",
        "attendance_mode": "in_out",
    }
    values.update(overrides)
    return values


def sessions(*spans) -> list[SessionInput]:
    """sessions(("2025-06-10", "09:00", "12:00"), ...) → SessionInputs (an optional 4th item: hours)."""
    out = []
    for span in spans:
        day, start, end = span[:3]
        hours = span[3] if len(span) > 3 else None
        out.append(SessionInput(at(day, start), at(day, end), credit_hours=hours))
    return out


@pytest.fixture
def new_course(db, now, tenants):
    """Create a course of base A through the service (a callable)."""
    from basesys.courses.services import create_course

    def make(*spans, actor=None, base=None, now=now, **overrides):
        spans = spans or (("2025-06-10", "09:00", "12:00"),)
        course = create_course(
            actor or tenants.admin_a,
            base or tenants.base_a,
            values=course_values(**overrides),
            sessions=sessions(*spans),
            now=now,
        )
        db.session.commit()
        return course

    return make
