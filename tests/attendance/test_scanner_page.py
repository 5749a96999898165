"""The scanner page (attendance/scanner.py): who may open it, what it embeds, its API token, the
service worker's scope and cache list. The browser side is tests/browser/test_scanner.py."""

import json
import re

import pytest

from basesys.accounts.tokens import user_from_token
from tests.conftest import PASSWORD


def setup_of(page_text: str) -> dict:
    found = re.search(r'<script type="application/json" id="scanner-setup">(.*?)</script>', page_text, re.S)
    assert found, "the page embeds its setup"
    return json.loads(found.group(1))


def test_scanner_page_for_the_sessions_base_admin(client, running_course, tenants, login):
    login(tenants.admin_a)
    course_session = running_course.sessions[0]
    response = client.get(f"/attendance/scanner/{course_session.id}")
    assert response.status_code == 200
    assert "扫学员码" in response.text and running_course.title in response.text
    assert 'data-purpose="in"' in response.text and "签到 08:30–12:00" in response.text
    assert "/static/vendor/jsqr/jsQR.js" in response.text and "/static/js/scanner.js" in response.text
    setup = setup_of(response.text)
    assert setup["session_id"] == course_session.id
    assert setup["api_url"] == f"/api/v1/sessions/{course_session.id}/staff-scans"
    assert setup["worker_url"] == "/attendance/scanner/sw.js" and setup["worker_scope"] == "/attendance/scanner/"
    assert setup["batch"] == 100
    assert setup["texts"]["queued"] == "已记录，待上传" and setup["texts"]["login_needed"] == "请重新登录后上传"
    assert setup["texts"]["pending"] == "{n} 条待上传"


def test_scanner_page_embeds_names_and_masked_ids_only(client, running_course, tenants, login):
    login(tenants.admin_a)
    response = client.get(f"/attendance/scanner/{running_course.sessions[0].id}")
    roster = setup_of(response.text)["roster"]
    assert roster == {str(tenants.trainee.id): [tenants.trainee.name, tenants.trainee.id_number_masked]}
    assert tenants.trainee.id_number not in response.text
    assert "token" not in setup_of(response.text)  # the cached page carries no credential


def test_scanner_page_starts_on_check_out_when_asked(client, running_course, tenants, login):
    login(tenants.admin_a)
    response = client.get(f"/attendance/scanner/{running_course.sessions[0].id}?purpose=out")
    assert 'data-purpose="out"' in response.text and setup_of(response.text)["purpose"] == "out"
    odd = client.get(f"/attendance/scanner/{running_course.sessions[0].id}?purpose=sideways")
    assert 'data-purpose="in"' in odd.text


def test_scanner_page_in_english(client, running_course, tenants, login):
    login(tenants.admin_a)
    client.get("/lang/en")
    response = client.get(f"/attendance/scanner/{running_course.sessions[0].id}")
    assert "Scan trainees&#39; codes" in response.text or "Scan trainees' codes" in response.text
    assert setup_of(response.text)["texts"]["queued"] == "Recorded, waiting to upload"


def test_scanner_page_warns_when_the_course_is_not_approved(client, make_course, tenants, login):
    from tests.conftest import at

    course = make_course(
        base=tenants.base_a, sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))], status="submitted"
    )
    login(tenants.admin_a)
    response = client.get(f"/attendance/scanner/{course.sessions[0].id}")
    assert response.status_code == 200 and "该项目尚未通过备案" in response.text


@pytest.mark.parametrize("who", ["admin_b", "admin_county"])
def test_scanner_page_of_another_base_is_not_found(client, running_course, tenants, login, who):
    login(getattr(tenants, who))
    session_id = running_course.sessions[0].id
    assert client.get(f"/attendance/scanner/{session_id}").status_code == 404
    assert client.get(f"/attendance/scanner/{session_id}/token").status_code == 404


@pytest.mark.parametrize("who", ["officer_a", "sysadmin", "trainee"])
def test_scanner_page_is_for_base_admins_only(client, running_course, tenants, login, who):
    login(getattr(tenants, who))
    session_id = running_course.sessions[0].id
    assert client.get(f"/attendance/scanner/{session_id}").status_code == 403
    assert client.get(f"/attendance/scanner/{session_id}/token").status_code == 403


def test_unknown_and_huge_session_ids_are_not_found(client, tenants, login):
    login(tenants.admin_a)
    assert client.get("/attendance/scanner/999999").status_code == 404
    assert client.get(f"/attendance/scanner/{2**31}").status_code == 404
    assert client.get(f"/attendance/scanner/{2**40}/token").status_code == 404


def test_logged_out_scanner_and_token_go_to_login(client, running_course):
    session_id = running_course.sessions[0].id
    page = client.get(f"/attendance/scanner/{session_id}")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    token = client.get(f"/attendance/scanner/{session_id}/token")
    assert token.status_code == 302 and "/login" in token.headers["Location"]  # the page reads it as "log in again"


def test_token_is_the_admins_api_token_never_cached(client, app, running_course, tenants, login, clock):
    login(tenants.admin_a)
    response = client.get(f"/attendance/scanner/{running_course.sessions[0].id}/token")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    assert answer["expires_in"] == app.config["API_TOKEN_HOURS"] * 3600
    assert answer["expires_at"].endswith("+08:00")
    assert user_from_token(answer["token"]).id == tenants.admin_a.id
    api = client.get(
        f"/api/v1/courses/{running_course.id}/attendance", headers={"Authorization": f"Bearer {answer['token']}"}
    )
    assert api.status_code == 200


def test_token_dies_with_a_password_change(client, running_course, tenants, login, db):
    login(tenants.admin_a)
    token = client.get(f"/attendance/scanner/{running_course.sessions[0].id}/token").get_json()["token"]
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "another-Secret-9"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert changed.status_code in (200, 204), changed.get_json()
    stale = client.get(f"/api/v1/courses/{running_course.id}/attendance", headers={"Authorization": f"Bearer {token}"})
    assert stale.status_code == 401  # the page then says 请重新登录后上传


def test_service_worker_scope_covers_the_scanner_pages(client, app):
    response = client.get("/attendance/scanner/sw.js")  # public: the browser fetches it without asking
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Service-Worker-Allowed" not in response.headers  # served inside its scope: none needed
    source = response.get_data(as_text=True)
    assets = json.loads(re.search(r"const SCANNER_ASSETS = (\[.*?\]);", source).group(1))
    assert "/static/js/scanner.js" in assets and "/static/vendor/jsqr/jsQR.js" in assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert 'const SCANNER_SCOPE = "/attendance/scanner/";' in source
    assert 'addEventListener("fetch"' in source


def test_service_worker_version_follows_the_assets(app, tmp_path):
    """A changed asset is a changed worker: the browser installs it and refills the cache."""
    from pathlib import Path

    from basesys.attendance import scanner

    for name in (*scanner.ASSETS, scanner.WORKER):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((Path(app.static_folder) / name).read_bytes())

    def version(folder):
        with app.test_request_context():
            return re.search(r'const SCANNER_VERSION = "(\w+)";', scanner.worker_source(str(folder))).group(1)

    assert version(tmp_path) == version(app.static_folder)
    (tmp_path / "js/scanner.js").write_text("// changed\n", encoding="utf-8")
    assert version(tmp_path) != version(app.static_folder)


def test_panel_of_todays_sessions_links_the_scanner(client, running_course, tenants, login, clock):
    course = running_course
    login(tenants.admin_a)
    home = client.get("/")
    assert f"/attendance/scanner/{course.sessions[0].id}" in home.text and "扫学员码" in home.text
