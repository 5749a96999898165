"""Attendance pages: the scan page flow, the projector, the course's grid, 补签 form, export, walls."""

from io import BytesIO
from urllib.parse import parse_qs, urlparse

from openpyxl import load_workbook

from basesys.attendance import services
from basesys.attendance.models import Attendance, ScanRefusal
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import PASSWORD, at


def current_token(course_session, moment, purpose="in"):
    return services.issue_code(course_session, purpose, now=moment, policy=DEFAULT_POLICY).token


def test_logged_out_scan_goes_to_login_and_comes_back_without_scanning_again(
    client, running_course, tenants, clock, db
):
    course_session = running_course.sessions[0]
    token = current_token(course_session, clock())
    first = client.get(f"/q/{token}")
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    device = client.get_cookie("basesys_device")
    assert device is not None and device.max_age and device.max_age > 365 * 24 * 3600
    next_url = parse_qs(urlparse(first.headers["Location"]).query)["next"][0]
    clock.advance(minutes=3)  # logging in took three minutes: the token itself has expired
    login = client.post(
        "/login?" + urlparse(first.headers["Location"]).query,
        data={"username": tenants.trainee.id_number, "password": PASSWORD},
    )
    assert login.status_code == 302 and login.headers["Location"] == next_url
    page = client.get(next_url)
    assert page.status_code == 200 and "确认签到" in page.text
    proof = parse_qs(urlparse(next_url).query)["p"][0]
    result = client.post(f"/q/{token}", data={"p": proof})
    assert result.status_code == 200 and "签到成功" in result.text and "09:00" in result.text
    row = db.session.scalar(db.select(Attendance))
    assert row.check_in_at == at("2025-06-02", "09:00") and row.check_in_device == device.value


def test_pending_scan_is_bound_to_the_phone(client, app, running_course, tenants, clock, login):
    course_session = running_course.sessions[0]
    token = current_token(course_session, clock())
    first = client.get(f"/q/{token}")
    proof = parse_qs(urlparse(parse_qs(urlparse(first.headers["Location"]).query)["next"][0]).query)["p"][0]
    clock.advance(minutes=3)
    other_phone = app.test_client()  # the link sent to someone else: their phone has another device cookie
    other_phone.post("/login", data={"username": tenants.trainee.id_number, "password": PASSWORD})
    result = other_phone.post(f"/q/{token}", data={"p": proof})
    assert result.status_code == 410 and "二维码已过期" in result.text


def test_logged_in_scan_confirms_with_a_post(client, running_course, tenants, clock, login, db):
    login(tenants.trainee)
    token = current_token(running_course.sessions[0], clock())
    page = client.get(f"/q/{token}")
    assert page.status_code == 200 and "data-auto-submit" in page.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0  # GET writes nothing
    proof = page.text.split('name="p" value="')[1].split('"')[0]
    assert "签到成功" in client.post(f"/q/{token}", data={"p": proof}).text
    again = client.post(f"/q/{token}", data={"p": proof})
    assert again.status_code == 200 and "您已签到" in again.text


def test_scan_page_refusals_are_plain_chinese(client, make_course, running_course, tenants, clock, login, db):
    login(tenants.other_trainee)
    token = current_token(running_course.sessions[0], clock())
    response = client.post(f"/q/{token}")
    assert response.status_code == 403 and "您没有报名该培训项目" in response.text
    assert db.session.scalar(db.select(ScanRefusal)).code == "not_enrolled"
    expired = current_token(running_course.sessions[0], at("2025-06-02", "08:50"))
    page = client.get(f"/q/{expired}")
    assert page.status_code == 410 and "二维码已过期" in page.text
    assert client.get("/q/nonsense").status_code == 422


def test_staff_cannot_check_in(client, running_course, tenants, clock, login):
    login(tenants.admin_a)
    token = current_token(running_course.sessions[0], clock())
    assert client.get(f"/q/{token}").status_code == 403


def test_projector_page_and_state(client, running_course, tenants, clock, login, attend):
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, at("2025-06-02", "08:50"))
    login(tenants.admin_a)
    page = client.get(f"/attendance/sessions/{course_session.id}/projector")
    assert page.status_code == 200 and "<svg" in page.text and "projector.js" in page.text
    state = client.get(f"/attendance/sessions/{course_session.id}/projector.json?purpose=in").get_json()
    assert state["approved"] and (state["checked_in"], state["enrolled"]) == (1, 1)
    assert state["url"].endswith("/q/" + state["token"]) and len(state["code"]) == 6 and "svg" in state
    assert 0 < state["refresh_in_ms"] <= 30000
    assert (state["window"], state["opens"], state["closes"]) == ("open", "08:30", "12:00")
    again = client.get(f"/attendance/sessions/{course_session.id}/projector.json?have={state['token']}").get_json()
    assert "svg" not in again and again["token"] == state["token"]
    clock.advance(seconds=30)
    assert client.get(f"/attendance/sessions/{course_session.id}/projector.json").get_json()["token"] != state["token"]


def test_projector_warns_when_not_approved(client, make_course, tenants, clock, login):
    course = make_course(base=tenants.base_a, status="submitted")
    login(tenants.admin_a)
    page = client.get(f"/attendance/sessions/{course.sessions[0].id}/projector")
    assert page.status_code == 200 and "该项目尚未通过备案" in page.text and "<svg" not in page.text
    state = client.get(f"/attendance/sessions/{course.sessions[0].id}/projector.json").get_json()
    assert state["approved"] is False and "token" not in state


def test_projector_walls(client, running_course, tenants, login):
    path = f"/attendance/sessions/{running_course.sessions[0].id}/projector"
    assert client.get(path).status_code == 302  # to the login page
    login(tenants.admin_b)
    assert client.get(path).status_code == 404
    assert client.get(path + ".json").status_code == 404
    login(tenants.officer_a)
    assert client.get(path).status_code == 403


def test_course_attendance_page_shows_grid_manual_marks_and_refusals(
    client, running_course, tenants, enroll, attend, clock, login
):
    enroll(running_course, tenants.other_trainee)
    course_session = running_course.sessions[0]
    attend(course_session, tenants.trainee, at("2025-06-02", "08:55"), at("2025-06-02", "12:01"), manual=True)
    attend(course_session, tenants.other_trainee, at("2025-06-02", "09:01"))
    login(tenants.admin_a)
    page = client.get(f"/attendance/courses/{running_course.id}")
    assert page.status_code == 200
    for text in ("李四", "王五", "08:55", "补签", "未签退", "进行中", "补签（手工签到/签退）", "打开投影签到"):
        assert text in page.text, text


def manual_form(course, trainee, reason=""):
    """What the 补签 form posts: a check-in at 08:58 for the course's first session."""
    return {
        "session_id": course.sessions[0].id,
        "trainee_id": trainee.id,
        "purpose": "in",
        "at": "2025-06-02T08:58",
        "reason": reason,
    }


def test_manual_entry_form(client, running_course, tenants, clock, login, db):
    login(tenants.admin_a)
    path = f"/attendance/courses/{running_course.id}/manual"
    data = manual_form(running_course, tenants.trainee)
    missing = client.post(path, data=data)
    assert missing.status_code == 422 and "补签必须填写原因" in missing.text
    saved = client.post(path, data=data | {"reason": "手机没电"})
    assert saved.status_code == 302
    row = db.session.scalar(db.select(Attendance))
    assert row.check_in_at == at("2025-06-02", "08:58") and row.check_in_manual
    future = client.post(path, data=data | {"reason": "x", "at": "2025-06-02T09:30"})
    assert future.status_code == 422 and "不能晚于现在" in future.text
    clock.moment = at("2025-06-02", "13:00")
    late = client.post(path, data=data | {"reason": "x", "at": "2025-06-02T12:30"})
    assert late.status_code == 422 and "签到时间须在 08:30–12:00 之间" in late.text


def test_officers_see_the_grid_but_not_the_manual_form(client, running_course, tenants, login):
    login(tenants.officer_a)
    page = client.get(f"/attendance/courses/{running_course.id}")
    assert page.status_code == 200 and "补签（手工签到/签退）" not in page.text
    path = f"/attendance/courses/{running_course.id}/manual"
    assert client.post(path, data={}).status_code == 403


def test_course_attendance_walls(client, running_course, tenants, login):
    path = f"/attendance/courses/{running_course.id}"
    for user, status in ((tenants.admin_b, 404), (tenants.officer_b, 404), (tenants.trainee, 403)):
        login(user)
        assert client.get(path).status_code == status
        assert client.get(path + "/attendance.xlsx").status_code == status


def test_xlsx_export(client, running_course, tenants, attend, login, clock):
    attend(running_course.sessions[0], tenants.trainee, at("2025-06-02", "08:55"))
    login(tenants.admin_a)
    response = client.get(f"/attendance/courses/{running_course.id}/attendance.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "姓名", "身份证号") and rows[1][-3:] == ("认定学时", "核减学时", "结业状态")
    assert rows[2][1] == "李四" and rows[2][3] == "08:55" and rows[2][4] == "未签退" and rows[2][-1] == "进行中"
    assert "*" in rows[2][2]


def test_home_panel_lists_todays_sessions_for_the_base_admin(client, running_course, tenants, login, clock):
    login(tenants.admin_a)
    page = client.get("/")
    assert "今日课次" in page.text and f"/attendance/sessions/{running_course.sessions[0].id}/projector" in page.text
    login(tenants.admin_b)
    assert "今日课次" not in client.get("/").text


def test_trainee_types_the_numeric_code(client, running_course, tenants, clock, login, db, now):
    login(tenants.trainee)
    home = client.get("/")
    assert "今日课次" in home.text and "输入数字签到码" in home.text
    course_session = running_course.sessions[0]
    page = client.get("/attendance/code")
    assert page.status_code == 200 and running_course.title in page.text
    code = services.issue_code(course_session, "in", now=clock(), policy=DEFAULT_POLICY).code
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = client.post("/attendance/code", data={"session_id": course_session.id, "code": wrong})
    assert refused.status_code == 422 and "数字签到码不对" in refused.text and "二维码无效" not in refused.text
    done = client.post("/attendance/code", data={"session_id": course_session.id, "code": code})
    assert done.status_code == 200 and "签到成功" in done.text
    assert db.session.scalar(db.select(ScanRefusal)).via == "code"


def test_code_page_is_for_trainees(client, tenants, login):
    login(tenants.admin_a)
    assert client.get("/attendance/code").status_code == 403


def test_manual_entry_refuses_a_trainee_not_enrolled_in_the_course(client, running_course, tenants, clock, login, db):
    login(tenants.admin_a)
    data = manual_form(running_course, tenants.other_trainee, reason="手机没电")
    response = client.post(f"/attendance/courses/{running_course.id}/manual", data=data)
    assert response.status_code == 422 and "选项无效" in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0


def test_projector_shows_the_short_address_of_the_code_page(client, running_course, tenants, clock, login):
    login(tenants.admin_a)
    page = client.get(f"/attendance/sessions/{running_course.sessions[0].id}/projector")
    address = page.text.split('id="code-address">')[1].split("<")[0]
    assert address == "testserver/c" and "用手机浏览器打开" in page.text  # BASE_URL http://testserver, no scheme
    assert 'data-state="counting"' in page.text and "正在更换二维码" in page.text  # shown only once the seconds ran out
    login(tenants.trainee)
    short = client.get("/" + address.split("/", 1)[1])
    assert short.status_code == 302 and short.headers["Location"].endswith("/attendance/code")
    assert client.get(short.headers["Location"]).status_code == 200
