"""Guidance on the phone (DOMAIN.md §6): what the result page says after a check-in and a check-out,
the early check-out's confirmation (the page's step, not the API's), refusal pages that say what to do."""

import re
from dataclasses import replace

from basesys.attendance import scan_page, services
from basesys.attendance.models import Attendance, ScanRefusal
from basesys.core.errors import DomainError
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import at


def token(course_session, moment, purpose):
    return services.issue_code(course_session, purpose, now=moment, policy=DEFAULT_POLICY).token


def numeric(course_session, moment, purpose):
    return services.issue_code(course_session, purpose, now=moment, policy=DEFAULT_POLICY).code


def proof_of(page) -> str:
    return page.text.split('name="p" value="')[1].split('"')[0]


def visible(html: str) -> str:
    """The page's text without its tags and attributes (a code in `data-result` is not shown)."""
    return re.sub(r"<[^>]+>", " ", html)


def rows(db):
    db.session.rollback()
    return db.session.scalars(db.select(Attendance)).all()


# --- services ----------------------------------------------------------------------------------


def test_checkin_guidance_in_out_gives_the_checkout_window(running_course):
    guidance = services.checkin_guidance(running_course.sessions[0])
    assert guidance.mode == "in_out"
    assert guidance.checkout_opens == at("2025-06-02", "09:00")
    assert guidance.checkout_closes == at("2025-06-02", "12:30")  # policy: 30 minutes after the end


def test_checkin_guidance_follows_the_policy(running_course):
    policy = replace(DEFAULT_POLICY, checkout_closes_minutes_after_end=45)
    assert services.checkin_guidance(running_course.sessions[0], policy).checkout_closes == at("2025-06-02", "12:45")


def test_checkout_preview_is_the_engines_credit(running_course, tenants, attend, db):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "09:00"))
    preview = services.checkout_preview(course_session, tenants.trainee, at("2025-06-02", "11:00"))
    assert preview.session_hours == 2.5 and preview.session_full == 4.0 and not preview.full  # 4 × 120/180 ↓ 0.5
    # after really checking out at that time the engine credits exactly the preview
    row = db.session.scalar(db.select(Attendance))
    row.check_out_at = at("2025-06-02", "11:00")
    db.session.commit()
    assert services.credited_hours(course_session, tenants.trainee).session_hours == 2.5
    assert (
        services.credit_for(running_course, tenants.trainee, DEFAULT_POLICY).session(course_session.id).credited_hours
        == 2.5
    )


def test_checkout_preview_uses_the_policy_grace_not_a_literal(running_course, tenants, attend):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "09:00"))
    generous = replace(DEFAULT_POLICY, full_credit_grace_minutes=60)
    assert (
        services.checkout_preview(course_session, tenants.trainee, at("2025-06-02", "11:00"), generous).session_hours
        == 4.0
    )
    assert services.full_credit_from(course_session, at("2025-06-02", "09:00")) == at("2025-06-02", "11:50")
    assert services.full_credit_from(course_session, at("2025-06-02", "09:00"), generous) == at("2025-06-02", "11:00")


def test_checkout_preview_keeps_a_later_stored_checkout(running_course, tenants, attend):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))
    assert services.checkout_preview(course_session, tenants.trainee, at("2025-06-02", "10:00")).session_hours == 4.0


def test_credited_hours_show_the_daily_cap(running_course, tenants, attend, finalized_day, make_course):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))
    other = make_course(base=tenants.base_b, sessions=[(at("2025-06-02", "13:00"), at("2025-06-02", "18:00"))])
    finalized_day(tenants.trainee, other, at("2025-06-02", "09:00").date(), 6.0)
    hours = services.credited_hours(course_session, tenants.trainee)
    assert (hours.session_hours, hours.session_capped, hours.other_courses, hours.day_hours) == (2.0, 2.0, 6.0, 2.0)
    assert hours.daily_cap == 8.0


# --- the scan pages ----------------------------------------------------------------------------


def test_checkin_result_says_when_checkout_opens_and_closes(client, running_course, tenants, clock, login):
    login(tenants.trainee)
    qr = token(running_course.sessions[0], clock(), "in")
    page = client.post(f"/q/{qr}", data={"p": proof_of(client.get(f"/q/{qr}"))})
    assert page.status_code == 200 and 'data-mode="in_out"' in page.text
    assert "签退时间：09:00 开始，12:30 截止" in page.text
    assert "未签退，本课次不计学时" in page.text
    again = client.post(f"/q/{qr}", data={"p": proof_of(client.get(f"/q/{qr}"))})
    assert "您已签到" in again.text and "12:30 截止" in again.text  # a repeated scan says it too


def test_in_only_checkin_result_says_no_checkout_is_needed(client, make_course, enroll, tenants, clock, login):
    course = make_course(
        base=tenants.base_a,
        attendance_mode="in_only",
        sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))],
    )
    enroll(course, tenants.trainee)
    login(tenants.trainee)
    qr = token(course.sessions[0], clock(), "in")
    page = client.post(f"/q/{qr}", data={"p": proof_of(client.get(f"/q/{qr}"))})
    assert 'data-mode="in_only"' in page.text and "本课次只需签到，无需签退" in page.text
    assert "在 09:15 前签到，即可获得本课次全部 4.0 学时" in page.text
    assert "签退时间" not in page.text


def test_early_checkout_shows_the_hours_and_records_only_on_confirmation(
    client, running_course, tenants, clock, login, attend, db
):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "09:00"))
    login(tenants.trainee)
    clock.set(at("2025-06-02", "11:00"))
    qr = token(course_session, clock(), "out")
    page = client.get(f"/q/{qr}")
    assert page.status_code == 200 and 'data-result="confirm_checkout"' in page.text
    assert "data-auto-submit" not in page.text  # nothing posts by itself
    assert re.search(r'id="preview-hours"><strong>2\.5</strong> / 4\.0', page.text)
    assert "11:50 以后签退可获得全部学时" in page.text
    assert rows(db)[0].check_out_at is None  # the GET wrote nothing
    proof = proof_of(page)
    unconfirmed = client.post(f"/q/{qr}", data={"p": proof})  # an old page that posts without confirming
    assert 'data-result="confirm_checkout"' in unconfirmed.text and rows(db)[0].check_out_at is None
    clock.advance(minutes=2)  # the trainee read the page: the QR code has changed meanwhile
    done = client.post(f"/q/{qr}", data={"p": proof, "confirm": "1"})
    assert done.status_code == 200 and 'data-result="checked_out"' in done.text
    assert rows(db)[0].check_out_at == at("2025-06-02", "11:00")  # when the page was opened: the hours shown
    assert "本课次：2.5 / 4.0 学时" in done.text
    assert "06-02 本项目为您计 2.5 学时（每天合计不超过 8.0 学时）" in done.text


def test_checkout_after_the_end_needs_no_confirmation_and_shows_the_hours(
    client, running_course, tenants, clock, login, attend, db
):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "08:55"))
    login(tenants.trainee)
    clock.set(at("2025-06-02", "12:05"))
    qr = token(course_session, clock(), "out")
    page = client.get(f"/q/{qr}")
    assert "data-auto-submit" in page.text and "confirm_checkout" not in page.text
    done = client.post(f"/q/{qr}", data={"p": proof_of(page)})
    assert 'data-hours="4.0"' in done.text and "本课次：4.0 / 4.0 学时" in done.text


def test_checkout_result_shows_the_daily_cap(
    client, running_course, tenants, clock, login, attend, finalized_day, make_course
):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "09:00"))
    other = make_course(base=tenants.base_b, sessions=[(at("2025-06-02", "13:00"), at("2025-06-02", "18:00"))])
    finalized_day(tenants.trainee, other, at("2025-06-02", "09:00").date(), 6.0)
    login(tenants.trainee)
    clock.set(at("2025-06-02", "12:10"))
    qr = token(course_session, clock(), "out")
    done = client.post(f"/q/{qr}", data={"p": proof_of(client.get(f"/q/{qr}"))})
    assert "本课次：2.0 / 4.0 学时" in done.text
    assert "已达每日 8.0 学时上限，核减 2.0 学时" in done.text
    assert "当天其他项目已认定 6.0 学时" in done.text


def test_the_api_checks_out_early_at_once(client, api_headers, running_course, tenants, clock, attend, db):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "09:00"))
    clock.set(at("2025-06-02", "11:00"))
    response = client.post(
        "/api/v1/scan",
        json={"token": token(course_session, clock(), "out")},
        headers=api_headers(tenants.trainee, **{"X-Device-Id": "phone-1"}),
    )
    assert response.status_code == 200 and response.get_json()["result"] == "checked_out"
    assert set(response.get_json()) == {"result", "at", "session_id", "purpose"}  # as before: no confirm step
    assert rows(db)[0].check_out_at == at("2025-06-02", "11:00")


def test_typed_early_checkout_code_is_confirmed_too(client, running_course, tenants, clock, login, attend, db):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "09:00"))
    login(tenants.trainee)
    clock.set(at("2025-06-02", "11:00"))
    code = numeric(course_session, clock(), "out")
    page = client.post("/attendance/code", data={"session_id": course_session.id, "code": code})
    assert 'data-result="confirm_checkout"' in page.text and rows(db)[0].check_out_at is None
    clock.advance(minutes=3)  # the code on the projector has changed twice meanwhile
    done = client.post(
        "/attendance/code",
        data={"session_id": course_session.id, "code": code, "p": proof_of(page), "confirm": "1"},
    )
    assert 'data-result="checked_out"' in done.text
    assert rows(db)[0].check_out_at == at("2025-06-02", "11:00")


def test_a_forged_confirmation_moment_is_not_believed(client, running_course, tenants, clock, login, attend, db):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "09:00"))
    login(tenants.trainee)
    clock.set(at("2025-06-02", "11:00"))
    code = numeric(course_session, clock(), "out")
    clock.advance(minutes=3)
    done = client.post(
        "/attendance/code", data={"session_id": course_session.id, "code": code, "p": "forged", "confirm": "1"}
    )
    assert done.status_code == 410 and rows(db)[0].check_out_at is None  # the code is judged at the real time


# --- refusal pages -----------------------------------------------------------------------------


def test_refusals_say_what_to_do_never_the_code(client, running_course, tenants, clock, login):
    login(tenants.other_trainee)
    qr = token(running_course.sessions[0], clock(), "in")
    refused = client.post(f"/q/{qr}")
    assert refused.status_code == 403 and "请联系培训基地报名" in refused.text
    assert "not_enrolled" not in visible(refused.text)
    expired = client.get(f"/q/{token(running_course.sessions[0], at('2025-06-02', '08:50'), 'in')}")
    assert expired.status_code == 410 and "请重新扫描投影屏幕上的最新二维码" in expired.text
    assert "token_expired" not in visible(expired.text)
    invalid = client.get("/q/nonsense")
    assert (
        invalid.status_code == 422 and "6 位数字签到码" in invalid.text and "token_invalid" not in visible(invalid.text)
    )


def test_outside_window_page_gives_the_windows_times(client, running_course, tenants, clock, login):
    login(tenants.trainee)
    clock.set(at("2025-06-02", "08:20"))  # check-in opens at 08:30
    qr = token(running_course.sessions[0], clock(), "in")
    refused = client.post(f"/q/{qr}")
    assert refused.status_code == 409 and "本课次开放时间为 08:30–12:00" in refused.text
    assert "outside_window" not in visible(refused.text)


def test_device_already_used_page_says_what_to_do(client, app, running_course, tenants, clock, login, enroll, db):
    enroll(running_course, tenants.other_trainee)
    qr = token(running_course.sessions[0], clock(), "in")
    login(tenants.trainee)
    client.post(f"/q/{qr}")
    client.post("/logout")
    login(tenants.other_trainee)
    refused = client.post(f"/q/{qr}")  # the same phone (device cookie) for another trainee
    assert refused.status_code == 409 and "请用您本人的手机扫码" in refused.text
    assert "device_already_used" not in visible(refused.text)


def test_error_pages_say_what_to_do(client, tenants, login):
    login(tenants.trainee)
    missing = client.get("/attendance/courses/999999")
    assert missing.status_code in (403, 404)
    assert "请" in visible(missing.text.split('class="next-step"')[1])
    assert client.get("/no-such-page").status_code == 404
    assert "请检查链接是否完整" in client.get("/no-such-page").text


REFUSAL_CODES = ("token_invalid", "token_expired", "not_enrolled", "device_already_used", "outside_window")


def test_refusal_pages_carry_no_code_anywhere_in_their_html(client, running_course, tenants, clock, login, enroll):
    """Not in the text, not in an attribute either (issue 15): a screenshot or a screen reader never shows it."""
    enroll(running_course, tenants.other_trainee)
    course_session = running_course.sessions[0]
    qr = token(course_session, clock(), "in")
    login(tenants.trainee)
    client.post(f"/q/{qr}")
    login(tenants.other_trainee)
    pages = [
        client.post(f"/q/{qr}"),  # device_already_used: the same phone for another trainee
        client.get(f"/q/{token(course_session, at('2025-06-02', '08:50'), 'in')}"),  # token_expired
        client.get("/q/nonsense"),  # token_invalid
    ]
    clock.set(at("2025-06-02", "13:00"))
    pages.append(client.post(f"/q/{token(course_session, clock(), 'in')}"))  # outside_window
    assert [p.status_code for p in pages] == [409, 410, 422, 409]
    for refused in pages:
        assert 'data-result="refused"' in refused.text and "未能签到" in refused.text
        assert not [code for code in REFUSAL_CODES if code in refused.text], refused.text


def test_a_mistyped_number_is_told_to_check_the_screen_not_that_a_qr_code_is_invalid(
    client, running_course, tenants, clock, login, db
):
    course_session = running_course.sessions[0]
    login(tenants.trainee)
    right = numeric(course_session, clock(), "in")
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    refused = client.post("/attendance/code", data={"session_id": course_session.id, "code": wrong})
    assert refused.status_code == 422 and "数字签到码不对，或已经更新" in refused.text
    assert "请核对投影屏幕上当前显示的 6 位数字" in refused.text and "二维码无效" not in refused.text
    assert 'name="code"' in refused.text and "token_invalid" not in refused.text  # the form again, to retype
    assert db.session.scalar(db.select(ScanRefusal)).code == "token_invalid"  # logged: counts for the guessing limit


def test_a_number_no_longer_shown_is_told_it_changed(client, running_course, tenants, clock, login):
    course_session = running_course.sessions[0]
    login(tenants.trainee)
    old = numeric(course_session, clock(), "in")
    clock.advance(minutes=3)
    refused = client.post("/attendance/code", data={"session_id": course_session.id, "code": old})
    assert refused.status_code in (410, 422) and "投影屏幕上当前显示的 6 位数字" in refused.text
    assert "二维码" not in visible(refused.text.split('class="error"')[1])[:80]


def test_a_refusal_with_no_message_shows_a_sentence_not_its_code(app, db):
    with app.test_request_context("/q/x"):
        response = scan_page.result_page(409, "phone-1", error=DomainError("made_up_refusal"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "签到未记录" in html and "made_up_refusal" not in html
