"""Scans and 补签 (DOMAIN.md §6), through the services: codes, windows, repeats, anti-proxy, refusals."""

from datetime import timedelta

import pytest

from basesys.attendance import codes, services
from basesys.attendance.models import Attendance, ScanRefusal
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import at


@pytest.fixture(autouse=True)
def known_secret(app):
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "test-secret"
    yield
    app.config["SECRET_KEY"] = old


POLICY = DEFAULT_POLICY
PERIOD = timedelta(seconds=POLICY.qr_period_seconds)


def token_at(course_session, moment, purpose="in"):
    """The token the projector showed at `moment` (made directly: issue_code refuses unapproved courses)."""
    step = codes.current_step(moment, POLICY.qr_period_seconds)
    return codes.make_token("test-secret", course_session.id, purpose, step)


def do_scan(trainee, course_session, moment, purpose="in", device="phone-1", token_time=None):
    token = token_at(course_session, token_time or moment, purpose)
    return services.scan(trainee, token=token, device_id=device, now=moment)


def refused(expected, func, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        func(*args, **kwargs)
    assert error.value.code == expected, error.value.code
    return error.value


def refusals(db):
    return db.session.scalars(db.select(ScanRefusal).order_by(ScanRefusal.id)).all()


def rows(db):
    return db.session.scalars(db.select(Attendance)).all()


# --- codes ------------------------------------------------------------------------------------


def test_issued_code_has_url_token_numeric_code_and_expiry(running_course, app, now):
    course_session = running_course.sessions[0]
    issued = services.issue_code(course_session, "in", now=now, policy=POLICY)
    assert issued.url == f"http://testserver/q/{issued.token}"
    assert len(issued.code) == 6 and issued.code.isdigit()
    step_start = codes.step_start(issued.step, POLICY.qr_period_seconds)
    assert step_start <= now < step_start + PERIOD
    assert issued.expires_at == step_start + 2 * PERIOD and issued.refresh_at == step_start + PERIOD
    other = services.issue_code(course_session, "out", now=now, policy=POLICY)
    assert other.token != issued.token


def test_tokens_need_the_secret():
    token = codes.make_token("secret-a", 5, "in", 1000)
    assert codes.parse_token("secret-a", token) == codes.QrToken(5, "in", 1000)
    for bad in (
        codes.make_token("secret-b", 5, "in", 1000),
        token.replace("5i", "6i", 1),
        "5i1000.short",
        "",
        "x" * 40,
    ):
        with pytest.raises(codes.BadToken):
            codes.parse_token("secret-a", bad)


def test_no_code_for_an_unapproved_course(make_course, now):
    course = make_course(status="submitted")
    refused("course_not_approved", services.issue_code, course.sessions[0], "in", now=now, policy=POLICY)


# --- check-in ---------------------------------------------------------------------------------


def test_check_in_with_the_current_token(db, running_course, tenants, now):
    result = do_scan(tenants.trainee, running_course.sessions[0], now)
    assert (result.result, result.at, result.session_id) == ("checked_in", now, running_course.sessions[0].id)
    db.session.commit()
    (row,) = rows(db)
    assert row.check_in_at == now and row.check_in_device == "phone-1" and not row.check_in_manual


def test_previous_step_is_accepted_older_is_expired(running_course, tenants, now):
    course_session = running_course.sessions[0]
    assert do_scan(tenants.trainee, course_session, now, token_time=now - PERIOD).result == "checked_in"
    refused(
        "token_expired", do_scan, tenants.other_trainee, course_session, now, token_time=now - 2 * PERIOD, device="p2"
    )


def test_token_expires_two_periods_after_it_was_issued(running_course, tenants, now):
    course_session = running_course.sessions[0]
    issued = services.issue_code(course_session, "in", now=now, policy=POLICY)
    refused("token_expired", services.scan, tenants.trainee, token=issued.token, device_id="x", now=issued.expires_at)
    just_before = issued.expires_at - timedelta(seconds=1)
    assert services.scan(tenants.trainee, token=issued.token, device_id="x", now=just_before).result == "checked_in"


def test_future_and_forged_tokens_are_invalid(db, running_course, tenants, now):
    course_session = running_course.sessions[0]
    refused("token_invalid", do_scan, tenants.trainee, course_session, now, token_time=now + PERIOD)
    forged = codes.make_token("not-our-secret", course_session.id, "in", codes.current_step(now, 30))
    refused("token_invalid", services.scan, tenants.trainee, token=forged, device_id="x", now=now)
    refused("token_invalid", services.scan, tenants.trainee, token="garbage", device_id="x", now=now)
    db.session.commit()
    assert [r.code for r in refusals(db)] == ["token_invalid"]  # only the one naming a real session, signed by us


def test_numeric_code_checks_in_and_out(running_course, tenants, now):
    course_session = running_course.sessions[0]
    code_in = services.issue_code(course_session, "in", now=now, policy=POLICY).code
    result = services.scan(tenants.trainee, session_id=course_session.id, code=code_in, device_id="p", now=now)
    assert result.result == "checked_in"
    later = at("2025-06-02", "12:05")
    code_out = services.issue_code(course_session, "out", now=later, policy=POLICY).code
    result = services.scan(tenants.trainee, session_id=course_session.id, code=code_out, device_id="p", now=later)
    assert (result.result, result.at) == ("checked_out", later)


def test_numeric_code_expired_wrong_and_guessing(db, running_course, tenants, now):
    course_session = running_course.sessions[0]
    old = services.issue_code(course_session, "in", now=now - 3 * PERIOD, policy=POLICY).code
    kwargs = dict(session_id=course_session.id, device_id="p", now=now)
    refused("token_expired", services.scan, tenants.trainee, code=old, **kwargs)
    current = services.issue_code(course_session, "in", now=now, policy=POLICY).code
    wrong = f"{(int(current) + 1) % 10**6:06d}"
    refused("token_invalid", services.scan, tenants.trainee, code=wrong, **kwargs)
    refused("token_invalid", services.scan, tenants.trainee, code="12ab", **kwargs)
    refused("token_invalid", services.scan, tenants.trainee, code="1", session_id=10**9, device_id="p", now=now)
    db.session.commit()
    for _ in range(8):
        refused("token_invalid", services.scan, tenants.trainee, code=wrong, **kwargs)
        db.session.commit()
    refused("too_many_codes", services.scan, tenants.trainee, code=current, **kwargs)
    assert all(r.via == "code" for r in refusals(db))


def test_repeated_check_in_answers_the_first_time(db, running_course, tenants, now):
    course_session = running_course.sessions[0]
    first = at("2025-06-02", "08:55")
    do_scan(tenants.trainee, course_session, first)
    again = do_scan(tenants.trainee, course_session, now, device="another-phone")
    assert (again.result, again.at) == ("already_checked_in", first)
    db.session.commit()
    assert len(rows(db)) == 1 and rows(db)[0].check_in_device == "phone-1"


def test_repeated_check_in_after_the_window_still_answers_already(running_course, tenants, now):
    course_session = running_course.sessions[0]
    do_scan(tenants.trainee, course_session, now)
    after_end = at("2025-06-02", "12:10")
    assert do_scan(tenants.trainee, course_session, after_end).result == "already_checked_in"


def test_check_in_refusals_of_course_and_enrolment(db, make_course, tenants, enroll, now):
    day = "2025-06-02"
    submitted = make_course(status="submitted", sessions=[(at(day, "09:00"), at(day, "12:00"))])
    enroll(submitted, tenants.trainee)
    refused("course_not_approved", do_scan, tenants.trainee, submitted.sessions[0], now)
    approved = make_course(sessions=[(at(day, "09:00"), at(day, "12:00"))])
    refused("not_enrolled", do_scan, tenants.trainee, approved.sessions[0], now)
    enroll(approved, tenants.trainee)
    approved.finalized_at = now
    db.session.commit()
    refused("course_finalized", do_scan, tenants.trainee, approved.sessions[0], now)
    db.session.commit()
    assert [r.code for r in refusals(db)] == ["course_not_approved", "not_enrolled", "course_finalized"]


@pytest.mark.parametrize(
    "mode, moment, ok",
    [
        ("in_out", "08:29", False),
        ("in_out", "08:30", True),
        ("in_out", "12:00", True),
        ("in_out", "12:01", False),
        ("in_only", "09:15", True),
        ("in_only", "09:16", False),
    ],
)
def test_check_in_window(make_course, tenants, enroll, mode, moment, ok):
    day = "2025-06-02"
    course = make_course(attendance_mode=mode, sessions=[(at(day, "09:00"), at(day, "12:00"))])
    enroll(course, tenants.trainee)
    when = at(day, moment)
    if ok:
        assert do_scan(tenants.trainee, course.sessions[0], when).result == "checked_in"
    else:
        error = refused("outside_window", do_scan, tenants.trainee, course.sessions[0], when)
        assert "08:30" in error.message and error.details["opens_at"].startswith("2025-06-02T08:30")


@pytest.mark.parametrize("moment, ok", [("08:59", False), ("09:00", True), ("12:30", True), ("12:31", False)])
def test_check_out_window(running_course, tenants, moment, ok):
    when = at("2025-06-02", moment)
    if ok:
        assert do_scan(tenants.trainee, running_course.sessions[0], when, purpose="out").result == "checked_out"
    else:
        refused("outside_window", do_scan, tenants.trainee, running_course.sessions[0], when, purpose="out")


def test_window_is_on_the_server_clock_across_midnight_utc(make_course, tenants, enroll):
    # A session 00:10–02:00 Shanghai on 06-03 starts at 16:10 UTC on 06-02.
    course = make_course(sessions=[(at("2025-06-03", "00:10"), at("2025-06-03", "02:00"))])
    enroll(course, tenants.trainee)
    refused("outside_window", do_scan, tenants.trainee, course.sessions[0], at("2025-06-02", "23:39"))
    assert do_scan(tenants.trainee, course.sessions[0], at("2025-06-02", "23:40")).result == "checked_in"


def test_last_check_out_counts(db, running_course, tenants, now):
    course_session = running_course.sessions[0]
    do_scan(tenants.trainee, course_session, now)
    first, last = at("2025-06-02", "11:58"), at("2025-06-02", "12:10")
    assert do_scan(tenants.trainee, course_session, first, purpose="out").at == first
    assert do_scan(tenants.trainee, course_session, last, purpose="out").at == last
    db.session.commit()
    (row,) = rows(db)
    assert (row.check_in_at, row.check_out_at) == (now, last)


def test_check_out_without_check_in_is_kept_for_the_admin(db, running_course, tenants):
    when = at("2025-06-02", "12:00")
    assert do_scan(tenants.trainee, running_course.sessions[0], when, purpose="out").result == "checked_out"
    db.session.commit()
    (row,) = rows(db)
    assert row.check_in_at is None and row.check_out_at == when


# --- anti-proxy ---------------------------------------------------------------------------------


def test_a_phone_checks_in_one_trainee_per_session(db, running_course, tenants, enroll, now):
    enroll(running_course, tenants.other_trainee)
    course_session = running_course.sessions[0]
    do_scan(tenants.trainee, course_session, now, device="shared-phone")
    refused("device_already_used", do_scan, tenants.other_trainee, course_session, now, device="shared-phone")
    db.session.commit()
    (refusal,) = refusals(db)
    assert (refusal.trainee_id, refusal.other_trainee_id, refusal.device_id) == (
        tenants.other_trainee.id,
        tenants.trainee.id,
        "shared-phone",
    )
    assert do_scan(tenants.trainee, course_session, now, device="shared-phone").result == "already_checked_in"
    later = at("2025-06-02", "12:00")
    refused("device_already_used", do_scan, tenants.other_trainee, course_session, later, "out", "shared-phone")
    assert do_scan(tenants.other_trainee, course_session, now, device="own-phone").result == "checked_in"


def test_the_same_phone_may_check_in_someone_else_at_another_session(make_course, tenants, enroll, now):
    day = "2025-06-02"
    course = make_course(sessions=[(at(day, "09:00"), at(day, "12:00")), (at(day, "08:45"), at(day, "09:30"))])
    enroll(course, tenants.trainee, tenants.other_trainee)
    do_scan(tenants.trainee, course.sessions[0], now, device="phone")
    assert do_scan(tenants.other_trainee, course.sessions[1], now, device="phone").result == "checked_in"


def test_long_device_ids_are_hashed():
    assert services.normalize_device_id("x" * 200) == services.normalize_device_id("x" * 200)
    assert len(services.normalize_device_id("x" * 200)) == 64
    assert services.normalize_device_id("  ") is None


# --- 补签 ---------------------------------------------------------------------------------------


def manual(course_session, trainee, admin, purpose, moment, reason="忘带手机", now=None):
    return services.record_manual(
        admin,
        course_session,
        trainee,
        purpose=purpose,
        at=moment,
        reason=reason,
        now=now or at("2025-06-02", "13:00"),
        policy=POLICY,
    )


def test_manual_check_in_and_out_are_marked_and_audited(db, running_course, tenants):
    course_session = running_course.sessions[0]
    manual(course_session, tenants.trainee, tenants.admin_a, "in", at("2025-06-02", "08:58"))
    row = manual(course_session, tenants.trainee, tenants.admin_a, "out", at("2025-06-02", "12:00"), reason="签退失败")
    db.session.commit()
    assert row.check_in_manual and row.check_out_manual and row.check_in_device is None
    records = db.session.scalars(
        db.select(AuditRecord).where(AuditRecord.object_type == "attendance").order_by(AuditRecord.id)
    ).all()
    assert [r.action for r in records] == ["attendance.manual_check_in", "attendance.manual_check_out"]
    assert records[0].before["check_in"] is None and records[0].after["check_in"].startswith("2025-06-02T08:58")
    assert records[1].reason == "签退失败" and records[1].base_id == tenants.base_a.id


def test_manual_entry_corrects_a_scan_and_keeps_before_after(db, running_course, tenants, now):
    course_session = running_course.sessions[0]
    do_scan(tenants.trainee, course_session, now)
    manual(course_session, tenants.trainee, tenants.admin_a, "in", at("2025-06-02", "08:50"), reason="扫码延迟")
    db.session.commit()
    (row,) = rows(db)
    assert row.check_in_at == at("2025-06-02", "08:50") and row.check_in_manual
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.object_type == "attendance"))
    assert record.before["check_in"].startswith("2025-06-02T09:00") and record.before["check_in_manual"] is False


def test_manual_entry_needs_a_reason(running_course, tenants):
    error = refused(
        "reason_required",
        manual,
        running_course.sessions[0],
        tenants.trainee,
        tenants.admin_a,
        "in",
        at("2025-06-02", "09:00"),
        reason="  ",
    )
    assert error.status == 422 and "reason" in error.fields


@pytest.mark.parametrize(
    "purpose, moment",
    [("in", "08:29"), ("in", "12:01"), ("out", "08:59"), ("out", "12:31"), ("in", "13:01")],
)
def test_manual_time_must_be_within_the_window_and_not_in_the_future(running_course, tenants, purpose, moment):
    error = refused(
        "validation_failed",
        manual,
        running_course.sessions[0],
        tenants.trainee,
        tenants.admin_a,
        purpose,
        at("2025-06-02", moment),
        now=at("2025-06-02", "12:40") if moment != "13:01" else None,
    )
    assert "at" in error.fields


def test_manual_check_out_before_check_in_is_refused(running_course, tenants):
    course_session = running_course.sessions[0]
    manual(course_session, tenants.trainee, tenants.admin_a, "in", at("2025-06-02", "10:00"))
    error = refused(
        "validation_failed", manual, course_session, tenants.trainee, tenants.admin_a, "out", at("2025-06-02", "09:30")
    )
    assert "签退时间不能早于签到时间" in error.fields["at"]


def test_manual_entry_refuses_unenrolled_and_unapproved(make_course, tenants, enroll):
    day = "2025-06-02"
    course = make_course(status="returned", sessions=[(at(day, "09:00"), at(day, "12:00"))])
    refused("course_not_approved", manual, course.sessions[0], tenants.trainee, tenants.admin_a, "in", at(day, "09:00"))
    approved = make_course(sessions=[(at(day, "09:00"), at(day, "12:00"))])
    refused("not_enrolled", manual, approved.sessions[0], tenants.trainee, tenants.admin_a, "in", at(day, "09:00"))
    refused("not_enrolled", manual, approved.sessions[0], None, tenants.admin_a, "in", at(day, "09:00"))
