"""POST /api/v1/sessions/{id}/staff-scans (DOMAIN §6 "Staff scan and offline check-in"): the scanner's
queued scans — each client id once, the device's clock corrected, too old and after finalisation
refused, the same windows and refusals as the trainee's own scan, `via` staff or offline."""

import uuid

import pytest

from basesys.attendance.models import Attendance, ScanRefusal, StaffScan
from basesys.core.audit import AuditRecord
from tests.conftest import at, valid_id_number

PATH = "/api/v1/sessions/{}/staff-scans"


def code_of(client, api_headers, trainee):
    response = client.get("/api/v1/me/checkin-code", headers=api_headers(trainee))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["code"]


def one(purpose="in", scanned_at="2025-06-02T09:00:00+08:00", client_id=None, **who):
    return {"client_id": client_id or str(uuid.uuid4()), "purpose": purpose, "scanned_at": scanned_at, **who}


def send(client, api_headers, admin, course_session, scans, sent_at="2025-06-02T09:00:00+08:00"):
    return client.post(
        PATH.format(course_session.id), json={"sent_at": sent_at, "scans": scans}, headers=api_headers(admin)
    )


def results(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


@pytest.fixture
def hall(running_course, tenants, client, api_headers, clock):
    """The running course's session, its admin, and the enrolled trainee's personal code."""
    ns = type("Hall", (), {})()
    ns.session = running_course.sessions[0]
    ns.admin = tenants.admin_a
    ns.code = code_of(client, api_headers, tenants.trainee)
    ns.send = lambda scans, **kw: send(client, api_headers, tenants.admin_a, ns.session, scans, **kw)
    return ns


def test_a_personal_code_checks_in_via_staff_and_is_audited(hall, tenants, db):
    [line] = results(hall.send([one(code=hall.code)]))
    assert line["result"] == "checked_in" and line["at"] == "2025-06-02T09:00:00+08:00"
    assert line["trainee_id"] == tenants.trainee.id and line["replayed"] is False and "error" not in line
    row = db.session.scalar(db.select(Attendance))
    assert (row.check_in_via, row.via, row.check_in_device) == ("staff", "staff", None)
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "attendance.staff_check_in"))
    assert record.object_id == row.id and record.after["via"] == "staff"
    assert record.subject["trainee_name"] == "李四" and record.base_id == tenants.base_a.id


def test_a_typed_id_number_works_and_full_width_digits_too(hall, tenants):
    wide = tenants.trainee.id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    [line] = results(hall.send([one(id_number=wide)]))
    assert line["result"] == "checked_in" and line["trainee_id"] == tenants.trainee.id


def test_the_device_clock_is_corrected_by_the_offset_at_sending(hall, clock, db):
    # The device runs 7 minutes slow: it scanned at "08:48" and sent at "08:53"; the server says 09:00.
    clock.set(at("2025-06-02", "09:00"))
    [line] = results(
        hall.send([one(code=hall.code, scanned_at="2025-06-02T08:48:00+08:00")], sent_at="2025-06-02T08:53:00+08:00")
    )
    assert line["at"] == "2025-06-02T08:55:00+08:00"
    stored = db.session.scalar(db.select(StaffScan))
    assert stored.corrected_at == at("2025-06-02", "08:55") and stored.offline is True
    assert db.session.scalar(db.select(Attendance)).check_in_via == "offline"


def test_a_scan_that_just_happened_is_staff_one_that_waited_is_offline(hall, clock, tenants, enroll, db, make_trainee):
    late = make_trainee(name="赵六")
    enroll(hall.session.course, late)
    clock.set(at("2025-06-02", "09:10"))
    recent = one(code=hall.code, scanned_at="2025-06-02T09:09:00+08:00")
    waited = one(id_number=late.id_number, scanned_at="2025-06-02T09:07:00+08:00")
    results(hall.send([recent, waited], sent_at="2025-06-02T09:10:00+08:00"))
    vias = {row.trainee_id: row.check_in_via for row in db.session.scalars(db.select(Attendance))}
    assert vias == {tenants.trainee.id: "staff", late.id: "offline"}


def test_a_device_time_after_sending_is_taken_as_now(hall, clock):
    [line] = results(hall.send([one(code=hall.code, scanned_at="2025-06-02T09:30:00+08:00")]))
    assert line["at"] == "2025-06-02T09:00:00+08:00"


def count(db, model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_same_batch_twice_answers_the_first_results_and_stores_nothing_new(hall, db, clock, tenants, enroll):
    enroll(hall.session.course, tenants.other_trainee)
    batch = [
        one(code=hall.code),
        one(id_number=tenants.other_trainee.id_number, scanned_at="2025-06-02T09:00:30+08:00"),
        one(id_number="370402198001010012"),  # a refusal is replayed too
    ]
    audited = count(db, AuditRecord)
    first = results(hall.send(batch, sent_at="2025-06-02T09:01:00+08:00"))
    stored = (count(db, StaffScan), count(db, AuditRecord), count(db, Attendance), count(db, ScanRefusal))
    assert stored[:3] == (3, audited + 2, 2)
    clock.advance(minutes=30)
    second = results(hall.send(batch, sent_at="2025-06-02T09:31:00+08:00"))
    assert [r["replayed"] for r in first] == [False] * 3 and [r["replayed"] for r in second] == [True] * 3
    assert [{**r, "replayed": False} for r in second] == first
    assert (count(db, StaffScan), count(db, AuditRecord), count(db, Attendance), count(db, ScanRefusal)) == stored
    assert first[1]["at"] == "2025-06-02T08:59:30+08:00"  # 09:00:30 on a device a minute fast


def test_a_batch_resent_with_one_new_scan_stores_only_the_new_one(hall, db, tenants, enroll, make_trainee):
    other = make_trainee(name="钱七")
    enroll(hall.session.course, other)
    batch = [one(code=hall.code)]
    results(hall.send(batch))
    again = results(hall.send([*batch, one(id_number=other.id_number)]))
    assert [(r["result"], r["replayed"]) for r in again] == [("checked_in", True), ("checked_in", False)]
    assert db.session.scalar(db.select(db.func.count(StaffScan.id))) == 2
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 2


def test_the_same_client_id_twice_in_one_batch_is_one_scan(hall, db):
    scan = one(code=hall.code)
    lines = results(hall.send([scan, scan]))
    assert [(r["result"], r["replayed"]) for r in lines] == [("checked_in", False), ("checked_in", True)]
    assert db.session.scalar(db.select(db.func.count(StaffScan.id))) == 1


def test_a_client_id_used_for_another_session_is_refused_not_answered(
    hall, make_course, tenants, enroll, client, api_headers
):
    other = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
    enroll(other, tenants.trainee)
    scan = one(code=hall.code)
    results(hall.send([scan]))
    [line] = results(send(client, api_headers, tenants.admin_a, other.sessions[0], [scan]))
    assert (line["result"], line["error"]["code"], line["replayed"]) == ("refused", "client_id_reused", True)
    assert "trainee_id" not in line


def test_repeated_check_in_is_already_checked_in_at_the_first_time(hall, clock):
    results(hall.send([one(code=hall.code)]))
    clock.advance(minutes=5)
    [line] = results(
        hall.send([one(code=hall.code, scanned_at="2025-06-02T09:05:00+08:00")], sent_at="2025-06-02T09:05:00+08:00")
    )
    assert (line["result"], line["at"]) == ("already_checked_in", "2025-06-02T09:00:00+08:00")


def test_an_offline_scan_earlier_than_the_stored_check_in_moves_it_earlier(hall, clock, db):
    clock.set(at("2025-06-02", "09:10"))
    results(
        hall.send([one(code=hall.code, scanned_at="2025-06-02T09:10:00+08:00")], sent_at="2025-06-02T09:10:00+08:00")
    )
    [line] = results(
        hall.send([one(code=hall.code, scanned_at="2025-06-02T08:50:00+08:00")], sent_at="2025-06-02T09:10:00+08:00")
    )
    assert (line["result"], line["at"]) == ("checked_in", "2025-06-02T08:50:00+08:00")
    row = db.session.scalar(db.select(Attendance))
    assert (row.check_in_at, row.check_in_via) == (at("2025-06-02", "08:50"), "offline")


def test_the_last_check_out_counts_whatever_order_scans_arrive_in(hall, clock, db):
    clock.set(at("2025-06-02", "12:20"))
    sent = "2025-06-02T12:20:00+08:00"
    results(hall.send([one(code=hall.code, purpose="out", scanned_at="2025-06-02T12:10:00+08:00")], sent_at=sent))
    [line] = results(
        hall.send([one(code=hall.code, purpose="out", scanned_at="2025-06-02T12:02:00+08:00")], sent_at=sent)
    )
    assert (line["result"], line["at"]) == ("checked_out", "2025-06-02T12:10:00+08:00")


# --- refusals, each answered per scan --------------------------------------------------------------


def refused(line):
    assert line["result"] == "refused", line
    assert line["error"]["message"], line
    return line["error"]["code"]


def test_a_code_that_is_not_ours_is_checkin_code_invalid(hall):
    forged = hall.code[:-4] + ("AAAA" if not hall.code.endswith("AAAA") else "BBBB")
    lines = results(hall.send([one(code=forged), one(code="https://example.com/x"), one(code="K1-1-0-1-")]))
    assert [refused(line) for line in lines] == ["checkin_code_invalid"] * 3


def test_a_renewed_code_and_an_expired_code_are_checkin_code_expired(
    hall, tenants, client, api_headers, clock, app, db
):
    from basesys.attendance import personal_codes
    from basesys.attendance.services import renew_checkin_code
    from basesys.core.policy import DEFAULT_POLICY

    old = hall.code
    renew_checkin_code(tenants.trainee.user, tenants.trainee, now=clock(), policy=DEFAULT_POLICY)
    db.session.commit()
    [line] = results(hall.send([one(code=old)]))
    assert refused(line) == "checkin_code_expired" and line["trainee_id"] == tenants.trainee.id
    today = at("2025-06-02", "00:00").date()
    expired = personal_codes.make_code(app.config["SECRET_KEY"], tenants.trainee.id, 1, today)
    [line] = results(hall.send([one(code=expired)]))
    assert refused(line) == "checkin_code_expired"
    [line] = results(hall.send([one(code=code_of(client, api_headers, tenants.trainee))]))
    assert line["result"] == "checked_in"


def test_a_bad_or_unknown_id_number(hall, make_trainee):
    stranger = make_trainee(name="孙八")
    lines = results(
        hall.send(
            [
                one(id_number="370402198001010012"),
                one(id_number=stranger.id_number),
                one(id_number=valid_id_number(birth="19900101")),
            ]
        )
    )
    assert [refused(line) for line in lines] == ["invalid_id_number", "not_enrolled", "not_enrolled"]


def test_outside_the_window_is_refused_at_the_corrected_time(hall, clock, db):
    clock.set(at("2025-06-02", "12:40"))
    [line] = results(
        hall.send([one(code=hall.code, scanned_at="2025-06-02T12:39:00+08:00")], sent_at="2025-06-02T12:40:00+08:00")
    )
    assert refused(line) == "outside_window"
    assert "12:00" in line["error"]["message"]
    refusal = db.session.scalar(db.select(ScanRefusal))
    assert (refusal.code, refusal.via, refusal.device_id) == ("outside_window", "staff", None)
    # The same scan made at 11:50 and uploaded at 12:40 was within the window: accepted, offline.
    [line] = results(
        hall.send([one(code=hall.code, scanned_at="2025-06-02T11:50:00+08:00")], sent_at="2025-06-02T12:40:00+08:00")
    )
    assert line["result"] == "checked_in"


def test_older_than_24_hours_is_scan_too_old(hall, clock):
    clock.set(at("2025-06-03", "09:01"))
    sent = "2025-06-03T09:01:00+08:00"
    [old] = results(hall.send([one(code=hall.code, scanned_at="2025-06-02T09:00:00+08:00")], sent_at=sent))
    assert refused(old) == "scan_too_old" and old["trainee_id"]
    clock.set(at("2025-06-03", "08:59"))
    [ok] = results(
        hall.send([one(code=hall.code, scanned_at="2025-06-02T09:00:00+08:00")], sent_at="2025-06-03T08:59:00+08:00")
    )
    assert ok["result"] == "checked_in"


def test_after_finalisation_is_course_finalized(hall, clock, db):
    course = hall.session.course
    course.finalized_at = at("2025-06-02", "14:00")
    db.session.commit()
    clock.set(at("2025-06-02", "14:05"))
    [line] = results(
        hall.send(
            [one(code=hall.code, purpose="out", scanned_at="2025-06-02T12:10:00+08:00")],
            sent_at="2025-06-02T14:05:00+08:00",
        )
    )
    assert refused(line) == "course_finalized"


def test_not_enrolled_and_not_approved(hall, tenants, db):
    [line] = results(hall.send([one(id_number=tenants.other_trainee.id_number)]))
    assert refused(line) == "not_enrolled"
    hall.session.course.filing_status = "submitted"
    db.session.commit()
    [line] = results(hall.send([one(code=hall.code)]))
    assert refused(line) == "course_not_approved"


def test_device_binding_does_not_apply(hall, tenants, enroll, db):
    enroll(hall.session.course, tenants.other_trainee)
    lines = results(hall.send([one(code=hall.code), one(id_number=tenants.other_trainee.id_number)]))
    assert [line["result"] for line in lines] == ["checked_in", "checked_in"]


def test_results_come_in_the_order_sent(hall, tenants, enroll, make_trainee):
    people = [make_trainee(name=f"学员{n}") for n in range(5)]
    enroll(hall.session.course, *people)
    scans = [one(id_number=p.id_number) for p in reversed(people)]
    lines = results(hall.send(scans))
    assert [line["client_id"] for line in lines] == [s["client_id"] for s in scans]
    assert [line["trainee_id"] for line in lines] == [p.id for p in reversed(people)]


# --- the batch itself: 422, never 500; scope ----------------------------------------------------------


def error(response):
    return response.status_code, response.get_json()["error"]["code"]


def test_at_most_500_scans_a_call(hall, db):
    scans = [one(id_number="370402198001010011") for _ in range(501)]
    assert error(hall.send(scans)) == (422, "validation_failed")
    assert db.session.scalar(db.select(db.func.count(StaffScan.id))) == 0
    assert len(results(hall.send(scans[:500]))) == 500


@pytest.mark.parametrize(
    "scan",
    [
        {"client_id": "not-a-uuid", "purpose": "in", "scanned_at": "2025-06-02T09:00:00+08:00", "code": "x"},
        {"client_id": str(uuid.uuid4()), "purpose": "in", "scanned_at": "2025-06-02T09:00:00", "code": "x"},
        {"client_id": str(uuid.uuid4()), "purpose": "in", "scanned_at": "yesterday", "code": "x"},
        {"client_id": str(uuid.uuid4()), "purpose": "in", "scanned_at": "0001-01-01T00:00:00+14:00", "code": "x"},
        {"client_id": str(uuid.uuid4()), "purpose": "in", "scanned_at": "9999-12-31T23:59:59-12:00", "code": "x"},
        {"client_id": str(uuid.uuid4()), "purpose": "in", "scanned_at": 2**63, "code": "x"},
        {"client_id": str(uuid.uuid4()), "purpose": "up", "scanned_at": "2025-06-02T09:00:00+08:00", "code": "x"},
        {"client_id": str(uuid.uuid4()), "purpose": "in", "scanned_at": "2025-06-02T09:00:00+08:00"},
        {"client_id": str(uuid.uuid4()), "purpose": "in", "scanned_at": "2025-06-02T09:00:00+08:00", "code": "K1\x00"},
        {"client_id": "\x00", "purpose": "in", "scanned_at": "2025-06-02T09:00:00+08:00", "code": "x"},
        {"client_id": str(uuid.uuid4()), "purpose": "in", "scanned_at": "2025-06-02T09:00:00+08:00", "code": "K" * 65},
        {"client_id": 2**64, "purpose": "in", "scanned_at": "2025-06-02T09:00:00+08:00", "code": "x"},
        "not an object",
    ],
)
def test_bad_scans_are_422_and_store_nothing(hall, scan, db):
    assert error(hall.send([scan])) == (422, "validation_failed")
    assert db.session.scalar(db.select(db.func.count(StaffScan.id))) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"scans": []},
        {"sent_at": "2025-06-02T09:00:00+08:00"},
        {"sent_at": "nope", "scans": []},
        {"sent_at": "2025-06-02T09:00:00+08:00", "scans": {}},
    ],
)
def test_bad_batches_are_422(hall, body, client, api_headers, tenants):
    response = client.post(PATH.format(hall.session.id), json=body, headers=api_headers(tenants.admin_a))
    assert error(response) == (422, "validation_failed")


def test_malformed_json_is_400(hall, client, api_headers, tenants):
    response = client.post(
        PATH.format(hall.session.id), data="{", headers=api_headers(tenants.admin_a), content_type="application/json"
    )
    assert error(response) == (400, "malformed_body")


def test_an_empty_batch_answers_no_results(hall):
    assert results(hall.send([])) == []


def test_scope_route_by_route(hall, client, api_headers, tenants):
    body = {"sent_at": "2025-06-02T09:00:00+08:00", "scans": [one(code=hall.code)]}
    path = PATH.format(hall.session.id)
    for who in (tenants.admin_b, tenants.admin_county):
        assert error(client.post(path, json=body, headers=api_headers(who))) == (404, "not_found")
    for who in (tenants.officer_a, tenants.sysadmin, tenants.trainee):
        assert error(client.post(path, json=body, headers=api_headers(who))) == (403, "forbidden")
    assert error(client.post(path, json=body)) == (401, "unauthorized")
    assert error(client.post(PATH.format(999999), json=body, headers=api_headers(tenants.admin_a))) == (
        404,
        "not_found",
    )
    assert client.post(PATH.format(2**31), json=body, headers=api_headers(tenants.admin_a)).status_code == 404
    assert results(client.post(path, json=body, headers=api_headers(tenants.admin_a)))[0]["result"] == "checked_in"


def test_checkin_code_is_the_trainees_own_and_for_trainees_only(client, api_headers, tenants, clock):
    first = client.get("/api/v1/me/checkin-code", headers=api_headers(tenants.trainee)).get_json()
    other = client.get("/api/v1/me/checkin-code", headers=api_headers(tenants.other_trainee)).get_json()
    assert first["code"] != other["code"] and first["code"].startswith(f"K1-{tenants.trainee.id}-0-")
    assert first["expires_at"] == "2026-06-02T00:00:00+08:00"
    assert len(first["code"]) <= 40 and first["code"] == first["code"].upper()
    assert client.get("/api/v1/me/checkin-code", headers=api_headers(tenants.admin_a)).status_code == 403
    assert client.get("/api/v1/me/checkin-code").status_code == 401


# --- via in every report ------------------------------------------------------------------------------


def test_staff_and_offline_are_marked_in_the_export_and_on_the_course_page(
    hall, tenants, enroll, clock, client, login, db
):
    from io import BytesIO

    from openpyxl import load_workbook

    enroll(hall.session.course, tenants.other_trainee)
    clock.set(at("2025-06-02", "09:20"))
    scans = [
        one(code=hall.code, scanned_at="2025-06-02T09:20:00+08:00"),
        one(id_number=tenants.other_trainee.id_number, scanned_at="2025-06-02T09:01:00+08:00"),
    ]
    results(hall.send(scans, sent_at="2025-06-02T09:20:00+08:00"))
    login(tenants.admin_a)
    course_id = hall.session.course_id
    sheet = load_workbook(BytesIO(client.get(f"/attendance/courses/{course_id}/attendance.xlsx").data)).active
    cells = {row[1]: row[3] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert cells == {"李四": "09:20（工作人员扫码）", "王五": "09:01（离线扫码）"}
    page = client.get(f"/attendance/courses/{course_id}").get_data(as_text=True)
    assert "via-offline" in page and "via-staff" in page
