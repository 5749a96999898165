"""The "Attendance" endpoints of API.md, exactly: status codes, error codes, fields, tenant walls."""

from basesys.attendance.models import Attendance, ScanRefusal
from basesys.core.audit import AuditRecord
from tests.conftest import at


def qr(client, api_headers, admin, course_session, purpose="in"):
    response = client.get(f"/api/v1/sessions/{course_session.id}/qr?purpose={purpose}", headers=api_headers(admin))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def scan(client, api_headers, trainee, body, device="phone-1"):
    return client.post("/api/v1/scan", json=body, headers=api_headers(trainee, **{"X-Device-Id": device}))


def error_code(response):
    return response.get_json()["error"]["code"]


def test_qr_then_scan_checks_in_and_two_periods_later_is_expired(client, api_headers, running_course, tenants, clock):
    course_session = running_course.sessions[0]
    body = qr(client, api_headers, tenants.admin_a, course_session)
    assert set(body) >= {"url", "token", "code", "expires_at"}
    assert body["url"] == f"http://testserver/q/{body['token']}" and body["expires_at"].endswith("+08:00")
    response = scan(client, api_headers, tenants.trainee, {"token": body["token"]})
    assert response.status_code == 200
    assert response.get_json() == {
        "result": "checked_in",
        "at": "2025-06-02T09:00:00+08:00",
        "session_id": course_session.id,
        "purpose": "in",
    }
    clock.advance(seconds=60)
    late = scan(client, api_headers, tenants.other_trainee, {"token": body["token"]}, device="phone-2")
    assert late.status_code == 410 and error_code(late) == "token_expired"


def test_repeated_scan_is_200_already_checked_in(client, api_headers, running_course, tenants, clock):
    token = qr(client, api_headers, tenants.admin_a, running_course.sessions[0])["token"]
    scan(client, api_headers, tenants.trainee, {"token": token})
    clock.advance(seconds=5)
    again = scan(client, api_headers, tenants.trainee, {"token": token})
    assert again.status_code == 200
    assert again.get_json()["result"] == "already_checked_in" and again.get_json()["at"] == "2025-06-02T09:00:00+08:00"


def test_scan_with_numeric_code_and_check_out(client, api_headers, running_course, tenants, clock):
    course_session = running_course.sessions[0]
    code = qr(client, api_headers, tenants.admin_a, course_session)["code"]
    response = scan(client, api_headers, tenants.trainee, {"session_id": course_session.id, "code": code})
    assert response.status_code == 200 and response.get_json()["result"] == "checked_in"
    clock.moment = at("2025-06-02", "12:03")
    out = qr(client, api_headers, tenants.admin_a, course_session, "out")
    response = scan(client, api_headers, tenants.trainee, {"token": out["token"]})
    assert response.get_json() == {
        "result": "checked_out",
        "at": "2025-06-02T12:03:00+08:00",
        "session_id": course_session.id,
        "purpose": "out",
    }


def test_scan_refusal_statuses(client, api_headers, make_course, running_course, tenants, enroll, clock, db):
    token = qr(client, api_headers, tenants.admin_a, running_course.sessions[0])["token"]
    bad = scan(client, api_headers, tenants.trainee, {"token": token[:-2] + "xx"})
    assert (bad.status_code, error_code(bad)) == (422, "token_invalid")
    nobody = scan(client, api_headers, tenants.other_trainee, {"token": token}, device="p2")
    assert (nobody.status_code, error_code(nobody)) == (403, "not_enrolled")
    enroll(running_course, tenants.other_trainee)
    scan(client, api_headers, tenants.trainee, {"token": token}, device="shared")
    proxy = scan(client, api_headers, tenants.other_trainee, {"token": token}, device="shared")
    assert (proxy.status_code, error_code(proxy)) == (409, "device_already_used")
    clock.moment = at("2025-06-02", "08:00")
    early_course = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
    enroll(early_course, tenants.trainee)
    early = qr(client, api_headers, tenants.admin_a, early_course.sessions[0])["token"]
    window = scan(client, api_headers, tenants.trainee, {"token": early})
    assert (window.status_code, error_code(window)) == (409, "outside_window")
    assert "08:30" in window.get_json()["error"]["message"]
    codes = [r.code for r in db.session.scalars(db.select(ScanRefusal).order_by(ScanRefusal.id))]
    assert codes == ["not_enrolled", "device_already_used", "outside_window"]


def test_scan_of_an_unapproved_course_is_409(client, api_headers, make_course, tenants, enroll, clock, app):
    from basesys.attendance import codes

    course = make_course(status="submitted", sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
    enroll(course, tenants.trainee)
    qr_response = client.get(f"/api/v1/sessions/{course.sessions[0].id}/qr", headers=api_headers(tenants.admin_a))
    assert (qr_response.status_code, error_code(qr_response)) == (404, "not_found")  # another base's course
    token = codes.make_token(app.config["SECRET_KEY"], course.sessions[0].id, "in", codes.current_step(clock(), 30))
    response = scan(client, api_headers, tenants.trainee, {"token": token})
    assert (response.status_code, error_code(response)) == (409, "course_not_approved")


def test_scan_body_must_have_token_or_code(client, api_headers, tenants):
    response = scan(client, api_headers, tenants.trainee, {"session_id": 3})
    assert response.status_code == 422 and error_code(response) == "validation_failed"


def test_scan_is_for_trainees_only(client, api_headers, running_course, tenants):
    token = qr(client, api_headers, tenants.admin_a, running_course.sessions[0])["token"]
    response = client.post("/api/v1/scan", json={"token": token}, headers=api_headers(tenants.admin_a))
    assert (response.status_code, error_code(response)) == (403, "forbidden")
    assert client.post("/api/v1/scan", json={"token": token}).status_code == 401


def test_qr_tenant_walls(client, api_headers, running_course, tenants):
    path = f"/api/v1/sessions/{running_course.sessions[0].id}/qr"
    assert client.get(path, headers=api_headers(tenants.admin_b)).status_code == 404
    assert client.get(path, headers=api_headers(tenants.officer_a)).status_code == 403
    assert client.get(path, headers=api_headers(tenants.trainee)).status_code == 403
    assert client.get("/api/v1/sessions/999999/qr", headers=api_headers(tenants.admin_a)).status_code == 404
    bad = client.get(path + "?purpose=sideways", headers=api_headers(tenants.admin_a))
    assert bad.status_code == 422


def test_manual_entry_201_and_422_without_reason(client, api_headers, running_course, tenants, clock, db):
    course_session = running_course.sessions[0]
    path = f"/api/v1/sessions/{course_session.id}/attendance"
    body = {"id_number": tenants.trainee.id_number, "purpose": "in", "at": "2025-06-02T08:57:00+08:00"}
    missing = client.post(path, json=body, headers=api_headers(tenants.admin_a))
    assert missing.status_code == 422 and error_code(missing) == "reason_required"
    assert "reason" in missing.get_json()["error"]["fields"]
    response = client.post(path, json=body | {"reason": "手机没电"}, headers=api_headers(tenants.admin_a))
    assert response.status_code == 201
    assert response.get_json()["check_in"] == "2025-06-02T08:57:00+08:00" and response.get_json()["check_in_manual"]
    row = db.session.scalar(db.select(Attendance))
    assert row.check_in_manual and row.check_in_at == at("2025-06-02", "08:57")
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.object_type == "attendance"))
    assert record.reason == "手机没电" and record.actor_id == tenants.admin_a.id


def test_manual_entry_refusals_and_walls(client, api_headers, running_course, tenants, clock):
    path = f"/api/v1/sessions/{running_course.sessions[0].id}/attendance"
    body = {"id_number": tenants.other_trainee.id_number, "purpose": "in", "at": "2025-06-02T08:57:00+08:00"}
    body["reason"] = "补签"
    response = client.post(path, json=body, headers=api_headers(tenants.admin_a))
    assert (response.status_code, error_code(response)) == (403, "not_enrolled")
    naive = client.post(path, json=body | {"at": "2025-06-02T08:57:00"}, headers=api_headers(tenants.admin_a))
    assert naive.status_code == 422 and "at" in naive.get_json()["error"]["fields"]
    assert client.post(path, json=body, headers=api_headers(tenants.admin_b)).status_code == 404
    assert client.post(path, json=body, headers=api_headers(tenants.officer_a)).status_code == 403


def test_course_attendance_lists_every_enrolled_trainee(
    client, api_headers, running_course, tenants, enroll, attend, clock
):
    enroll(running_course, tenants.other_trainee)
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, at("2025-06-02", "08:55"), at("2025-06-02", "12:02"))
    path = f"/api/v1/courses/{running_course.id}/attendance"
    for viewer in (tenants.admin_a, tenants.officer_a, tenants.officer_province):
        assert client.get(path, headers=api_headers(viewer)).status_code == 200
    body = client.get(path, headers=api_headers(tenants.admin_a)).get_json()
    lines = {t["name"]: t for t in body["trainees"]}
    assert set(lines) == {"李四", "王五"}
    li = lines["李四"]
    assert {"trainee_id", "name", "id_number_masked", "credited_hours", "capped_hours", "completed", "sessions"} <= set(
        li
    )
    assert li["credited_hours"] == 4.0 and li["completed"] is True and "*" in li["id_number_masked"]
    first = li["sessions"][0]
    assert (first["session_id"], first["credited_hours"], first["manual"]) == (course_session.id, 4.0, False)
    assert li["sessions"][0]["check_in"] == "2025-06-02T08:55:00+08:00"
    assert lines["王五"]["sessions"][0]["check_in"] is None and lines["王五"]["completed"] is False


def test_course_attendance_walls(client, api_headers, running_course, tenants):
    path = f"/api/v1/courses/{running_course.id}/attendance"
    assert client.get(path, headers=api_headers(tenants.admin_b)).status_code == 404
    assert client.get(path, headers=api_headers(tenants.officer_b)).status_code == 404
    assert client.get(path, headers=api_headers(tenants.officer_county)).status_code == 404
    assert (
        client.get(path, headers=api_headers(tenants.trainee)).status_code == 403
    )  # the role may not, enrolled or not


def test_every_attendance_endpoint_is_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/sessions/{session_id}/qr", "/api/v1/scan", "/api/v1/sessions/{session_id}/attendance"} <= set(
        paths
    )
    assert "get" in paths["/api/v1/courses/{course_id}/attendance"]
