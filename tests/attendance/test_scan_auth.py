"""The scan API checks its bearer token against the user's row inside the scan's own statement
(core/api.py `verify_user_in_view`); these are the refusals that moved there."""

import pytest

from basesys.accounts import services as accounts
from basesys.attendance.models import Attendance
from tests.attendance.test_api import error_code, qr, scan
from tests.conftest import PASSWORD


def test_scan_refuses_a_token_from_before_a_password_change(
    client, db, api_headers, running_course, tenants, clock, now
):
    token = qr(client, api_headers, tenants.admin_a, running_course.sessions[0])["token"]
    old_headers = api_headers(tenants.trainee, **{"X-Device-Id": "phone-1"})
    accounts.change_password(tenants.trainee.user, PASSWORD, "another-password", now=now)
    db.session.commit()
    response = client.post("/api/v1/scan", json={"token": token}, headers=old_headers)
    assert (response.status_code, error_code(response)) == (401, "unauthorized")
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0


def test_scan_refuses_a_disabled_account(client, db, api_headers, running_course, tenants, clock):
    token = qr(client, api_headers, tenants.admin_a, running_course.sessions[0])["token"]
    headers = api_headers(tenants.trainee, **{"X-Device-Id": "phone-1"})
    tenants.trainee.user.active = False
    db.session.commit()
    response = client.post("/api/v1/scan", json={"token": token}, headers=headers)
    assert (response.status_code, error_code(response)) == (401, "unauthorized")


@pytest.mark.parametrize("role", ["bureau_officer", "sysadmin"])
def test_scan_refuses_staff_tokens(client, api_headers, running_course, tenants, clock, role):
    token = qr(client, api_headers, tenants.admin_a, running_course.sessions[0])["token"]
    actor = tenants.officer_a if role == "bureau_officer" else tenants.sysadmin
    response = client.post("/api/v1/scan", json={"token": token}, headers=api_headers(actor))
    assert (response.status_code, error_code(response)) == (403, "forbidden")


def test_scan_of_an_unknown_session_still_checks_the_token_first(client, db, api_headers, tenants, clock, now):
    stale = api_headers(tenants.trainee)
    accounts.change_password(tenants.trainee.user, PASSWORD, "another-password", now=now)
    db.session.commit()
    response = client.post("/api/v1/scan", json={"session_id": 999999, "code": "123456"}, headers=stale)
    assert (response.status_code, error_code(response)) == (401, "unauthorized")
    fresh = scan(client, api_headers, tenants.trainee, {"session_id": 999999, "code": "123456"})
    assert (fresh.status_code, error_code(fresh)) == (422, "token_invalid")


def test_a_forged_token_is_refused_before_any_read(client, running_course, tenants, api_headers, clock):
    token = qr(client, api_headers, tenants.admin_a, running_course.sessions[0])["token"]
    response = client.post("/api/v1/scan", json={"token": token}, headers={"Authorization": "Bearer abc.def.ghi"})
    assert (response.status_code, error_code(response)) == (401, "unauthorized")
