"""API.md "Attendance", row by row: every documented field, status and error code."""

import itertools
import uuid

import pytest

from tests.conftest import at
from tests.contract.cases import Case, no_token, outside_scope, request, run, tenant, wrong_role
from tests.contract.shapes import (
    BOOL,
    DATETIME,
    HOURS,
    INT,
    MASKED_ID,
    STR,
    Matches,
    Nullable,
    one_of,
    with_values,
)

QR = {"url": STR, "token": STR, "code": Matches(r"\d+", "a numeric code"), "expires_at": DATETIME}
SCAN = {"result": one_of("checked_in", "checked_out", "already_checked_in"), "at": DATETIME, "session_id": INT}
ATTENDANCE_SESSION = {
    "session_id": INT,
    "check_in": Nullable(DATETIME),
    "check_out": Nullable(DATETIME),
    "credited_hours": HOURS,
    "manual": BOOL,
    # null when nothing was recorded for the session (no check-in, no check-out)
    "via": Nullable(one_of("self", "staff", "offline", "manual")),
}
ATTENDANCE = {
    "trainees": [
        {
            "trainee_id": INT,
            "name": STR,
            "id_number_masked": MASKED_ID,
            "credited_hours": HOURS,
            "capped_hours": HOURS,
            "completed": BOOL,
            "sessions": [ATTENDANCE_SESSION],
        }
    ]
}

_devices = itertools.count(1)


def live(w, *trainees, start="09:00", end="12:00", mode="in_out"):
    """An approved course of base A today (the clock is at 09:00) with these trainees enrolled; its session."""
    course = w.course(sessions=[(at("2025-06-02", start), at("2025-06-02", end))], attendance_mode=mode)
    w.enroll(course, *trainees)
    return course.sessions[0]


def fresh_trainee(w, name="周九"):
    return w.make_trainee(name=name)


def qr(w, course_session, purpose="in") -> dict:
    return w.ok("GET", f"/api/v1/sessions/{course_session.id}/qr?purpose={purpose}", w.t.admin_a)


def scan(w, trainee, body, device=None):
    return w.call(
        "POST", "/api/v1/scan", trainee, json=body, headers={"X-Device-Id": device or f"phone-{next(_devices)}"}
    )


def scan_token(w, trainee, course_session, device=None):
    return scan(w, trainee, {"token": qr(w, course_session)["token"]}, device)


def url_ends_with_token(body, w):
    assert body["url"].endswith(f"/q/{body['token']}"), f"url {body['url']!r} does not end with /q/<token>"


def checked_in(w):
    trainee = fresh_trainee(w)
    return scan_token(w, trainee, live(w, trainee))


def checked_in_by_code(w):
    trainee = fresh_trainee(w)
    course_session = live(w, trainee)
    return scan(w, trainee, {"session_id": course_session.id, "code": qr(w, course_session)["code"]})


def checked_in_twice(w):
    trainee = fresh_trainee(w)
    course_session = live(w, trainee)
    scan_token(w, trainee, course_session, "phone-twice")
    w.clock.advance(seconds=5)
    return scan_token(w, trainee, course_session, "phone-twice")


def checked_out(w):
    trainee = fresh_trainee(w)
    course_session = live(w, trainee)
    scan_token(w, trainee, course_session, "phone-out")
    w.clock.set(at("2025-06-02", "12:03"))
    return scan(w, trainee, {"token": qr(w, course_session, "out")["token"]}, "phone-out")


def expired(w):
    trainee = fresh_trainee(w)
    token = qr(w, live(w, trainee))["token"]
    w.clock.advance(seconds=61)
    return scan(w, trainee, {"token": token})


def not_enrolled(w):
    course_session = live(w, fresh_trainee(w))
    return scan_token(w, fresh_trainee(w, "吴十"), course_session)


def not_approved(w):
    trainee = fresh_trainee(w)
    course_session = live(w, trainee)
    token = qr(w, course_session)["token"]
    w.ok("PATCH", f"/api/v1/courses/{course_session.course_id}", w.t.admin_a, json={"category": "public"})
    return scan(w, trainee, {"token": token})


def outside_window(w):
    trainee = fresh_trainee(w)
    return scan_token(w, trainee, live(w, trainee, start="10:00", end="12:00"))


def device_used(w):
    first, second = fresh_trainee(w), fresh_trainee(w, "郑十一")
    course_session = live(w, first, second)
    scan_token(w, first, course_session, "shared-phone")
    return scan_token(w, second, course_session, "shared-phone")


def manual(reason="门禁故障，现场核实", who="admin_a"):
    def send(w):
        trainee = fresh_trainee(w)
        course_session = live(w, trainee)
        w.clock.set(at("2025-06-02", "12:30"))
        body = {"id_number": trainee.id_number, "purpose": "in", "at": "2025-06-02T09:05:00+08:00"}
        if reason is not None:
            body["reason"] = reason
        return w.call("POST", f"/api/v1/sessions/{course_session.id}/attendance", tenant(who, w), json=body)

    return send


CHECKIN_CODE = {"code": Matches(r"K1-\d+-\d+-\d+-[A-Z2-7]{16}", "a personal check-in code"), "expires_at": DATETIME}
STAFF_RESULT = one_of("checked_in", "checked_out", "already_checked_in", "refused")
STAFF_SCANS = {"results": [{"client_id": STR, "result": STAFF_RESULT, "at": DATETIME, "replayed": BOOL}]}


def personal_code(w, trainee) -> str:
    return w.ok("GET", "/api/v1/me/checkin-code", trainee)["code"]


def staff_scans(w, course_session, scans, who="admin_a", sent_at="2025-06-02T09:00:00+08:00"):
    body = {"sent_at": sent_at, "scans": scans}
    return w.call("POST", f"/api/v1/sessions/{course_session.id}/staff-scans", tenant(who, w), json=body)


def staff_scan(purpose="in", scanned_at="2025-06-02T09:00:00+08:00", client_id=None, **who):
    return {"client_id": client_id or str(uuid.uuid4()), "purpose": purpose, "scanned_at": scanned_at, **who}


def staff_batch(w):
    """A queued batch: a personal code, a typed ID number, a stranger's ID number (refused)."""
    first, second = fresh_trainee(w), fresh_trainee(w, "冯十二")
    course_session = live(w, first, second)
    w.staff_batch = [
        staff_scan(code=personal_code(w, first)),
        staff_scan(id_number=second.id_number),
        staff_scan(id_number=fresh_trainee(w, "陈十三").id_number),
    ]
    w.staff_ids = (first.id, second.id)
    w.staff_session = course_session
    return staff_scans(w, course_session, w.staff_batch)


def staff_results(body, w):
    results = body["results"]
    assert [r["client_id"] for r in results] == [s["client_id"] for s in w.staff_batch], "results out of order"
    assert [r["result"] for r in results] == ["checked_in", "checked_in", "refused"], results
    assert [r.get("trainee_id") for r in results[:2]] == list(w.staff_ids), results
    assert results[2]["error"]["code"] == "not_enrolled" and results[2]["error"]["message"], results[2]
    assert not any(r["replayed"] for r in results), results


def staff_resent(w):
    staff_batch(w)
    w.clock.advance(minutes=3)
    return staff_scans(w, w.staff_session, w.staff_batch, sent_at="2025-06-02T09:03:00+08:00")


def staff_replayed(body, w):
    assert [r["replayed"] for r in body["results"]] == [True, True, True], body
    assert [r["at"] for r in body["results"][:2]] == ["2025-06-02T09:00:00+08:00"] * 2, body


def staff_offline(w):
    """A device 10 minutes slow sends at 09:20 a scan it made at 08:58 by its clock (09:08 on the server's)."""
    trainee = fresh_trainee(w)
    course_session = live(w, trainee)
    code = personal_code(w, trainee)
    w.clock.set(at("2025-06-02", "09:20"))
    scans = [staff_scan(code=code, scanned_at="2025-06-02T08:58:00+08:00")]
    return staff_scans(w, course_session, scans, sent_at="2025-06-02T09:10:00+08:00")


def corrected_time(body, w):
    assert body["results"][0]["at"] == "2025-06-02T09:08:00+08:00", body


def staff_too_many(w):
    return staff_scans(w, w.running.sessions[0], [staff_scan(id_number="370402198001010011")] * 501)


def staff_bad_uuid(w):
    return staff_scans(w, w.running.sessions[0], [staff_scan(client_id="not-a-uuid", code="K1")])


def session_path(suffix):
    return lambda w: f"/api/v1/sessions/{w.running.sessions[0].id}{suffix}"


def attendance_path(w):
    return f"/api/v1/courses/{w.ended.id}/attendance"


def attendance_lines(body, w):
    lines = {line["trainee_id"]: line for line in body["trainees"]}
    assert set(lines) == {w.t.trainee.id, w.t.other_trainee.id}, f"trainees {sorted(lines)}"
    full = lines[w.t.trainee.id]
    assert (full["credited_hours"], full["completed"]) == (16.0, True), f"the full attendee: {full}"
    assert full["sessions"][0]["check_in"] == "2025-05-26T08:30:00+08:00", f"check_in {full['sessions'][0]}"
    assert lines[w.t.other_trainee.id]["sessions"][3]["check_in"] is None, "an absent session has a check_in"
    assert full["sessions"][0]["via"] == "self", f"a trainee's own scan: {full['sessions'][0]}"
    assert lines[w.t.other_trainee.id]["sessions"][3]["via"] is None, "nothing recorded, yet a via"


def marked_attendance(w):
    """A session scanned by staff online (trainee), offline (other_trainee), and a 补签 (a third)."""
    first, second, third = w.t.trainee, w.t.other_trainee, fresh_trainee(w)
    course_session = live(w, first, second, third)
    w.clock.set(at("2025-06-02", "09:30"))
    scans = [
        staff_scan(code=personal_code(w, first), scanned_at="2025-06-02T09:30:00+08:00"),
        staff_scan(id_number=second.id_number, scanned_at="2025-06-02T09:05:00+08:00"),
    ]
    w.ok(
        "POST",
        f"/api/v1/sessions/{course_session.id}/staff-scans",
        w.t.admin_a,
        json={"sent_at": "2025-06-02T09:30:00+08:00", "scans": scans},
    )
    manual_body = {
        "id_number": third.id_number,
        "purpose": "in",
        "at": "2025-06-02T09:05:00+08:00",
        "reason": "纸质签到表",
    }
    w.ok("POST", f"/api/v1/sessions/{course_session.id}/attendance", w.t.admin_a, json=manual_body)
    w.marked = (first.id, second.id, third.id)
    return w.call("GET", f"/api/v1/courses/{course_session.course_id}/attendance", w.t.admin_a)


def vias_marked(body, w):
    vias = {line["trainee_id"]: line["sessions"][0]["via"] for line in body["trainees"]}
    assert [vias[t] for t in w.marked] == ["staff", "offline", "manual"], vias


CASES = {
    "GET /api/v1/sessions/{id}/qr?purpose=in": [
        Case(
            "200 {url, token, code, expires_at}",
            request("GET", session_path("/qr?purpose=in"), "admin_a"),
            200,
            shape=QR,
            then=url_ends_with_token,
        ),
        Case("200 purpose=out", request("GET", session_path("/qr?purpose=out"), "admin_a"), 200, shape=QR),
        Case("422 purpose outside in/out", request("GET", session_path("/qr?purpose=up"), "admin_a"), 422),
        outside_scope("GET", session_path("/qr?purpose=in"), "admin_b"),
        outside_scope("GET", lambda w: "/api/v1/sessions/999999/qr", "admin_a", " (unknown id)"),
        no_token("GET", session_path("/qr?purpose=in")),
        wrong_role("GET", session_path("/qr?purpose=in"), "officer_a"),
    ],
    "POST /api/v1/scan": [
        Case(
            "200 checked_in with {token}",
            checked_in,
            200,
            shape=with_values(SCAN, result="checked_in", at="2025-06-02T09:00:00+08:00"),
        ),
        Case(
            "200 checked_in with {session_id, code}",
            checked_in_by_code,
            200,
            shape=with_values(SCAN, result="checked_in"),
        ),
        Case(
            "200 already_checked_in at the first check-in's time",
            checked_in_twice,
            200,
            shape=with_values(SCAN, result="already_checked_in", at="2025-06-02T09:00:00+08:00"),
        ),
        Case(
            "200 checked_out",
            checked_out,
            200,
            shape=with_values(SCAN, result="checked_out", at="2025-06-02T12:03:00+08:00"),
        ),
        Case("422 token_invalid", lambda w: scan(w, w.t.trainee, {"token": "not-a-token"}), 422, "token_invalid"),
        Case("410 token_expired", expired, 410, "token_expired"),
        Case("403 not_enrolled", not_enrolled, 403, "not_enrolled"),
        Case("409 course_not_approved (a change filing suspends check-in)", not_approved, 409, "course_not_approved"),
        Case("409 outside_window", outside_window, 409, "outside_window"),
        Case("409 device_already_used", device_used, 409, "device_already_used"),
        no_token("POST", lambda w: "/api/v1/scan"),
        Case(
            "403 for a role the row does not name (a valid token)",
            lambda w: scan_token(w, w.t.admin_a, w.running.sessions[0]),
            403,
            "forbidden",
        ),
        Case(
            "403 for a role the row does not name (any token: the role is refused before the token is read)",
            lambda w: scan(w, w.t.admin_a, {"token": "not-a-token"}),
            403,
            "forbidden",
        ),
    ],
    "POST /api/v1/sessions/{id}/attendance": [
        Case("201 a manual entry with a reason", manual(), 201),
        Case("422 without reason", manual(reason=None), 422),
        Case("422 with an empty reason", manual(reason=""), 422),
        Case(
            "404 outside the caller's scope",
            manual(who="admin_b"),
            404,
            "not_found",
        ),
        outside_scope(
            "POST",
            lambda w: "/api/v1/sessions/999999/attendance",
            "admin_a",
            " (unknown id)",
            json={"id_number": "370402198001010011", "purpose": "in", "at": "2025-06-02T09:05:00+08:00", "reason": "x"},
        ),
        no_token("POST", session_path("/attendance")),
        wrong_role("POST", session_path("/attendance"), "officer_a", json={}),
    ],
    "GET /api/v1/me/checkin-code": [
        Case("200 {code, expires_at}", request("GET", "/api/v1/me/checkin-code", "trainee"), 200, shape=CHECKIN_CODE),
        no_token("GET", "/api/v1/me/checkin-code"),
        wrong_role("GET", "/api/v1/me/checkin-code", "admin_a"),
    ],
    "POST /api/v1/sessions/{id}/staff-scans": [
        Case("200 one result per scan, in order", staff_batch, 200, shape=STAFF_SCANS, then=staff_results),
        Case("200 a resent batch answers its first results, replayed", staff_resent, 200, then=staff_replayed),
        Case("200 the device's clock corrected by the offset at sending", staff_offline, 200, then=corrected_time),
        Case("422 more than 500 scans", staff_too_many, 422, "validation_failed"),
        Case("422 a client_id that is not a UUID", staff_bad_uuid, 422, "validation_failed"),
        Case(
            "404 outside the caller's scope",
            lambda w: staff_scans(w, w.running.sessions[0], [], who="admin_b"),
            404,
            "not_found",
        ),
        outside_scope(
            "POST",
            lambda w: "/api/v1/sessions/999999/staff-scans",
            "admin_a",
            " (unknown id)",
            json={"sent_at": "2025-06-02T09:00:00+08:00", "scans": []},
        ),
        no_token("POST", session_path("/staff-scans")),
        wrong_role(
            "POST",
            session_path("/staff-scans"),
            "officer_a",
            json={"sent_at": "2025-06-02T09:00:00+08:00", "scans": []},
        ),
    ],
    "GET /api/v1/courses/{id}/attendance": [
        Case(
            "200 for its base",
            request("GET", attendance_path, "admin_a"),
            200,
            shape=ATTENDANCE,
            then=attendance_lines,
        ),
        Case("200 for its bureau", request("GET", attendance_path, "officer_a"), 200, shape=ATTENDANCE),
        Case("200 via staff, offline and manual", marked_attendance, 200, shape=ATTENDANCE, then=vias_marked),
        outside_scope("GET", attendance_path, "admin_b", " (another base)"),
        outside_scope("GET", attendance_path, "officer_b", " (another city)"),
        no_token("GET", attendance_path),
        wrong_role("GET", attendance_path, "trainee"),
    ],
}


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
