"""Oversight fixtures: scans through the real scan API (the sequence a phone makes), and the
detection run as the scheduled job runs it."""

import pytest

from tests.conftest import at
from tests.rosters.conftest import finalize, finished  # noqa: F401 -- shared fixtures


@pytest.fixture
def scan_in(client, api_headers, clock):
    """Trainee scans the session's current check-in code with phone `device` at `moment` (the API)."""

    def do(admin, course_session, trainee, device, moment, purpose="in"):
        clock.set(moment)
        qr = client.get(f"/api/v1/sessions/{course_session.id}/qr?purpose={purpose}", headers=api_headers(admin))
        assert qr.status_code == 200, qr.get_json()
        headers = api_headers(trainee, **{"X-Device-Id": device})
        return client.post("/api/v1/scan", json={"token": qr.get_json()["token"]}, headers=headers)

    return do


@pytest.fixture
def two_sessions(make_course, tenants, enroll):
    """An approved course of base A with a morning and an afternoon session on 2025-06-02; both trainees on it."""
    course = make_course(
        base=tenants.base_a,
        sessions=[
            (at("2025-06-02", "09:00"), at("2025-06-02", "12:00")),
            (at("2025-06-02", "14:00"), at("2025-06-02", "17:00")),
        ],
    )
    enroll(course, tenants.trainee, tenants.other_trainee)
    return course


@pytest.fixture
def shared_phone(two_sessions, tenants, scan_in):
    """trainee checks in at 09:00 with phone-1; other_trainee checks in with the same phone at 14:00."""
    morning, afternoon = two_sessions.sessions
    assert scan_in(tenants.admin_a, morning, tenants.trainee, "phone-1", at("2025-06-02", "09:00")).status_code == 200
    second = scan_in(tenants.admin_a, afternoon, tenants.other_trainee, "phone-1", at("2025-06-02", "14:00"))
    assert second.status_code == 200, second.get_json()
    return two_sessions


@pytest.fixture
def detect(db):
    """Run the scheduled detection at `moment` (what the job does) and return the findings."""
    from basesys.oversight.jobs import detect_anomalies
    from basesys.oversight.models import Anomaly

    def do(moment, kind=None):
        detect_anomalies(moment)
        query = db.select(Anomaly).order_by(Anomaly.id)
        if kind:
            query = query.where(Anomaly.kind == kind)
        return list(db.session.scalars(query))

    return do
