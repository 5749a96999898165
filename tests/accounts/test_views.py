"""Account pages: login per role, registration, sysadmin pages and their walls, CSRF."""

import pytest

from basesys import create_app
from basesys.accounts.models import LoginAttempt
from basesys.core.policy import DEFAULT_POLICY
from basesys.extensions import db
from tests.conftest import PASSWORD, valid_id_number


def test_login_page_is_chinese(client):
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in page.text and "身份证号" in page.text


def test_english_is_available(client):
    client.get("/lang/en")
    assert "Log in" in client.get("/login").text


@pytest.mark.parametrize("role", ["sysadmin", "bureau_officer", "base_admin", "trainee"])
def test_every_role_logs_in_and_reaches_home(client, tenants, login, role):
    actor = {
        "sysadmin": tenants.sysadmin,
        "bureau_officer": tenants.officer_a,
        "base_admin": tenants.admin_a,
        "trainee": tenants.trainee,
    }[role]
    login(actor)
    home = client.get("/")
    assert home.status_code == 200 and "退出" in home.text


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_shows_chinese_error(client, make_user):
    user = make_user()
    page = client.post("/login", data={"username": user.username, "password": "bad"})
    assert page.status_code == 422 and "用户名或密码错误" in page.text


def test_login_keeps_next_but_not_foreign_urls(client, make_user):
    user = make_user()
    ok = client.post("/login?next=/account/password", data={"username": user.username, "password": PASSWORD})
    assert ok.headers["Location"] == "/account/password"
    client.post("/logout")
    evil = client.post("/login?next=//evil.example/", data={"username": user.username, "password": PASSWORD})
    assert evil.headers["Location"] == "/"


def test_register_page_creates_and_logs_in(client):
    number = valid_id_number()
    response = client.post(
        "/register",
        data={
            "id_number": number,
            "name": "新学员",
            "phone": "13900000000",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "series": "工程",
        },
    )
    assert response.status_code == 302
    assert "新学员" in client.get("/").text


def test_register_page_shows_invalid_id_number_on_the_field(client):
    page = client.post(
        "/register",
        data={"id_number": "370402197903120310", "name": "甲", "phone": "1", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert page.status_code == 422 and "校验位" in page.text


@pytest.mark.parametrize(
    "path",
    ["/admin/bureaus", "/admin/bureaus/new", "/admin/bases", "/admin/bases/new", "/admin/users", "/admin/users/new"],
)
@pytest.mark.parametrize("role", ["bureau_officer", "base_admin", "trainee"])
def test_sysadmin_pages_are_403_for_other_roles(client, tenants, login, path, role):
    actor = {"bureau_officer": tenants.officer_a, "base_admin": tenants.admin_a, "trainee": tenants.trainee}[role]
    login(actor)
    assert client.get(path).status_code == 403


def test_sysadmin_creates_bureau_base_and_user_through_pages(client, tenants, login):
    login(tenants.sysadmin)
    assert (
        client.post(
            "/admin/bureaus/new", data={"name": "滕州市人社局", "level": "county", "parent_id": tenants.city_a.id}
        ).status_code
        == 302
    )
    bad = client.post(
        "/admin/bases/new",
        data={"name": "新基地", "level": "municipal", "credit_code": "123", "bureau_id": tenants.city_a.id},
    )
    assert bad.status_code == 422 and "统一社会信用代码无效" in bad.text
    created = client.post(
        "/admin/users/new",
        data={"username": "newadmin", "password": PASSWORD, "role": "base_admin", "base_id": tenants.base_a.id},
    )
    assert created.status_code == 302
    assert "newadmin" in client.get("/admin/users").text
    assert client.get(f"/admin/bases/{tenants.base_a.id}/edit").status_code == 200
    assert client.get("/admin/bases/99999/edit").status_code == 404


def test_password_change_logs_out_other_sessions(app, client, tenants, login):
    other = app.test_client()
    other.post("/login", data={"username": tenants.admin_a.username, "password": PASSWORD})
    assert other.get("/").status_code == 200
    login(tenants.admin_a)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "brand-new-pass", "confirm": "brand-new-pass"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_unknown_page_is_a_friendly_chinese_404(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "页面不存在" in page.text


def test_forms_refuse_posts_without_csrf_token(database_url, db, tenants):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/login", data={"username": tenants.sysadmin.username, "password": PASSWORD})
    assert response.status_code == 400


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_page_failures_are_kept_and_lock_the_account(client, make_user):
    user = make_user()
    for _ in range(DEFAULT_POLICY.login_max_failures):
        assert client.post("/login", data={"username": user.username, "password": "bad"}).status_code == 422
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginAttempt)) == DEFAULT_POLICY.login_max_failures
    locked = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text


def test_sysadmin_creates_a_city_bureau_without_a_parent(client, tenants, login):
    login(tenants.sysadmin)
    assert client.get("/admin/bureaus/new").status_code == 200
    response = client.post("/admin/bureaus/new", data={"name": "临沂市人社局", "level": "city", "parent_id": ""})
    assert response.status_code == 302
    assert "临沂市人社局" in client.get("/admin/bureaus").text
    page = client.get(f"/admin/bureaus/{tenants.city_a.id}/edit")
    assert page.status_code == 200 and tenants.city_a.name in page.text
    same_level = client.post(
        "/admin/bureaus/new", data={"name": "下级", "level": "city", "parent_id": tenants.city_a.id}
    )
    assert same_level.status_code == 422 and "上级人社局的级别必须高于本级" in same_level.text


def test_sysadmin_lists_are_paged_searched_and_constant_in_statements(client, tenants, login, make_base):
    from basesys.accounts import admin_lists
    from tests.statements import counted

    for _ in range(4):
        make_base()
    db.session.commit()
    login(tenants.sysadmin)
    assert tenants.base_a.name in client.get(f"/admin/bases?q={tenants.base_a.name}").text
    assert tenants.base_b.name not in client.get(f"/admin/bases?q={tenants.base_a.name}").text
    assert "没有符合搜索条件的基地" in client.get("/admin/bases?q=不存在的基地").text
    assert client.get("/admin/bases?page=999999999999999999999").status_code == 200
    assert tenants.admin_a.username in client.get(f"/admin/users?q={tenants.admin_a.username}").text
    db.session.expire_all()
    statements = {}
    for size in (5, 2, 5):  # the first pass warms the connection up
        db.session.expire_all()
        with client.application.test_request_context(), counted(db.engine) as found:
            page = admin_lists.bases_page(size=size)
            [base.bureau.name for base in page.items]
            staff = admin_lists.staff_page(size=size)
            [(u.bureau.name if u.bureau else "", u.base.name if u.base else "") for u in staff.items]
        statements[size] = len(found)
        assert len(page.items) == size
    assert statements[2] == statements[5] == 4  # a count and a page, twice
