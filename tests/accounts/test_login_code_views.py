"""One-time login codes on the pages: staff issue one from a trainee's row (shown once, never
cached), the login page takes it, and every page waits for a new password; the scan's `next`
survives the detour."""

from urllib.parse import parse_qs, urlsplit

import pytest

from basesys.accounts.models import User
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import PASSWORD


@pytest.fixture
def course(tenants, make_course, enroll):
    course = make_course(base=tenants.base_a)
    enroll(course, tenants.trainee)
    return course


def issued_code(client, login, staff, trainee) -> str:
    login(staff)
    response = client.post("/login-codes", data={"trainee_id": trainee.id, "back": "/courses"})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    start = html.index('id="login-code-value"')
    code = html[html.index(">", start) + 1 :][:6]
    assert code.isdigit(), html[start : start + 200]
    client.post("/logout")
    return code


def test_the_login_page_offers_a_code_and_says_whom_to_ask(client):
    html = client.get("/login").get_data(as_text=True)
    assert "使用一次性登录码" in html and 'action="/login/code' in html
    assert "忘记密码" in html and "基地的管理员" in html and "人力资源社会保障部门" in html


def test_base_admin_sees_the_button_on_the_enrolment_list(client, login, tenants, course):
    login(tenants.admin_a)
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert 'action="/login-codes"' in html and f'name="trainee_id" value="{tenants.trainee.id}"' in html


def test_sysadmin_has_an_id_number_field(client, login, tenants):
    login(tenants.sysadmin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert 'id="login-code-by-id"' in html
    response = client.post("/login-codes", data={"id_number": tenants.other_trainee.id_number, "back": "/admin/users"})
    assert response.status_code == 200 and "一次性登录码" in response.get_data(as_text=True)
    assert 'href="/admin/users"' in response.get_data(as_text=True)


def test_issuing_outside_scope_is_404_and_shows_no_code(client, login, tenants, course):
    login(tenants.admin_b)
    response = client.post("/login-codes", data={"trainee_id": tenants.trainee.id})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'id="login-code-value"' not in html and "未签发登录码" in html


def test_issuing_needs_a_trainee(client, login, tenants):
    login(tenants.sysadmin)
    response = client.post("/login-codes", data={"id_number": ""})
    assert response.status_code == 422 and "请输入学员的身份证号码" in response.get_data(as_text=True)
    big = client.post("/login-codes", data={"trainee_id": str(2**31)})
    assert big.status_code == 422


def test_a_trainee_may_not_issue(client, login, tenants):
    login(tenants.trainee)
    assert client.post("/login-codes", data={"trainee_id": tenants.other_trainee.id}).status_code == 403


def test_a_back_link_never_leaves_the_site(client, login, tenants, course):
    login(tenants.admin_a)
    response = client.post("/login-codes", data={"trainee_id": tenants.trainee.id, "back": "//evil.example/"})
    assert "evil.example" not in response.get_data(as_text=True)


def test_code_login_then_every_page_waits_for_the_new_password(client, login, tenants, course, db):
    code = issued_code(client, login, tenants.admin_a, tenants.trainee)
    response = client.post("/login/code", data={"id_number": tenants.trainee.id_number, "code": code})
    assert response.status_code == 302 and urlsplit(response.location).path == "/account/set-password"
    home = client.get("/")
    assert home.status_code == 302 and urlsplit(home.location).path == "/account/set-password"
    assert client.get("/account/password").status_code == 302  # the old-password form too
    page = client.get("/account/set-password")
    assert page.status_code == 200 and "current_password" not in page.get_data(as_text=True)
    short = client.post("/account/set-password", data={"new_password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = client.post("/account/set-password", data={"new_password": "new-pass-123", "confirm": "new-pass-123"})
    assert done.status_code == 302 and urlsplit(done.location).path == "/"
    assert client.get("/").status_code == 200
    assert not db.session.get(User, tenants.trainee.user_id).must_change_password
    client.post("/logout")
    assert (
        client.post("/login", data={"username": tenants.trainee.id_number, "password": "new-pass-123"}).status_code
        == 302
    )


def test_the_scan_opened_before_logging_in_is_where_the_new_password_leads(client, login, tenants, course):
    code = issued_code(client, login, tenants.admin_a, tenants.trainee)
    scan = "/q/some-token?p=proof"
    response = client.post(
        "/login/code?next=" + scan.replace("?", "%3F").replace("=", "%3D"),
        data={"id_number": tenants.trainee.id_number, "code": code},
    )
    target = urlsplit(response.location)
    assert target.path == "/account/set-password" and parse_qs(target.query)["next"] == [scan]
    done = client.post(
        response.location, data={"new_password": "new-pass-123", "confirm": "new-pass-123"}, follow_redirects=False
    )
    assert done.status_code == 302 and done.location.endswith(scan)


def test_a_page_opened_meanwhile_comes_back_after_the_new_password(client, login, tenants, course):
    code = issued_code(client, login, tenants.admin_a, tenants.trainee)
    client.post("/login/code", data={"id_number": tenants.trainee.id_number, "code": code})
    detour = client.get("/me/courses")
    assert parse_qs(urlsplit(detour.location).query)["next"] == ["/me/courses"]


def test_a_wrong_code_is_refused_on_the_login_page(client, login, tenants, course):
    code = issued_code(client, login, tenants.admin_a, tenants.trainee)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post("/login/code", data={"id_number": tenants.trainee.id_number, "code": wrong})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "登录码错误、已使用或已过期" in html and '<details class="login-code" open' in html
    assert client.get("/").status_code == 302  # not logged in


def test_the_code_form_needs_both_fields(client):
    assert client.post("/login/code", data={"id_number": "", "code": ""}).status_code == 422


def test_a_password_login_is_not_held_up(client, login, tenants):
    login(tenants.trainee, PASSWORD)
    assert client.get("/").status_code == 200
    assert client.get("/account/set-password").status_code == 302  # nothing owed: back home


def test_the_audit_log_reads_the_issue_as_a_sentence(client, login, tenants, course, api_headers):
    issued_code(client, login, tenants.admin_a, tenants.trainee)
    body = client.get(f"/api/v1/audit?q={tenants.trainee.id_number}", headers=api_headers(tenants.officer_a)).get_json()
    texts = [item["text"] for item in body["items"]]
    assert any("签发了一次性登录码" in text and "基地甲" in text for text in texts), texts


def test_the_api_token_of_a_code_is_not_held_up(client, tenants, course, api_headers):
    issued = client.post(
        "/api/v1/login-codes", json={"id_number": tenants.trainee.id_number}, headers=api_headers(tenants.admin_a)
    ).get_json()
    token = client.post(
        "/api/v1/auth/token", json={"username": tenants.trainee.id_number, "login_code": issued["code"]}
    ).get_json()
    assert token["must_change_password"] is True
    mine = client.get("/api/v1/me/certificates", headers={"Authorization": f"Bearer {token['token']}"})
    assert mine.status_code == 200


def test_the_tries_limit_holds_on_the_page(client, login, tenants, course):
    code = issued_code(client, login, tenants.admin_a, tenants.trainee)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(DEFAULT_POLICY.login_code_max_tries):
        client.post("/login/code", data={"id_number": tenants.trainee.id_number, "code": wrong})
    assert client.post("/login/code", data={"id_number": tenants.trainee.id_number, "code": code}).status_code == 422
