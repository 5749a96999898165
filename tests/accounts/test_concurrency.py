"""Logins, registrations and password changes hash outside SQLite's write lock (issue 10).

Every writing request starts with BEGIN IMMEDIATE (core/database.py); hashing a password with
scrypt inside that transaction made concurrent logins and registrations queue behind each other
for the whole hash, until the 15 s busy timeout turned them into 500s.
"""

import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import make_server

from basesys.accounts.models import LoginAttempt, Trainee
from basesys.accounts.services import passwords
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import DB_KIND, PASSWORD, valid_id_number

BUSY_TIMEOUT_SECONDS = 15


def _write_lock_is_free(app) -> bool:
    """Whether another connection could take SQLite's write lock right now (without waiting)."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.fixture
def lock_seen_while_hashing(app, monkeypatch):
    """Records, at every hash or hash check, whether SQLite's write lock was free meanwhile."""
    seen = []
    generate, check = passwords.generate_password_hash, passwords.check_password_hash

    def spy(real):
        def hashing(*args, **kwargs):
            seen.append(_write_lock_is_free(app))
            return real(*args, **kwargs)

        return hashing

    monkeypatch.setattr(passwords, "generate_password_hash", spy(generate))
    monkeypatch.setattr(passwords, "check_password_hash", spy(check))
    return seen


sqlite_only = pytest.mark.skipif(DB_KIND != "sqlite", reason="SQLite's one write lock")


def _registration(number=None):
    number = number or valid_id_number()
    return {"id_number": number, "name": "并发", "password": PASSWORD, "phone": "13800000000"}


@sqlite_only
def test_api_registration_hashes_without_the_write_lock(client, lock_seen_while_hashing):
    assert client.post("/api/v1/trainees", json=_registration()).status_code == 201
    assert lock_seen_while_hashing == [True]


@sqlite_only
def test_page_registration_hashes_without_the_write_lock(client, lock_seen_while_hashing):
    response = client.post("/register", data={**_registration(), "confirm": PASSWORD})
    assert response.status_code == 302, response.text[:300]
    assert lock_seen_while_hashing == [True]


@sqlite_only
@pytest.mark.parametrize("password", [PASSWORD, "wrong"])
def test_api_login_checks_the_password_without_the_write_lock(client, make_user, lock_seen_while_hashing, password):
    user = make_user("sysadmin")
    lock_seen_while_hashing.clear()
    response = client.post("/api/v1/auth/token", json={"username": user.username, "password": password})
    assert response.status_code == (200 if password == PASSWORD else 401)
    assert lock_seen_while_hashing == [True]


@sqlite_only
def test_page_login_checks_the_password_without_the_write_lock(client, make_user, lock_seen_while_hashing):
    user = make_user("sysadmin")
    lock_seen_while_hashing.clear()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    assert lock_seen_while_hashing == [True]


@sqlite_only
def test_api_password_change_hashes_without_the_write_lock(client, make_user, api_headers, lock_seen_while_hashing):
    user = make_user("sysadmin")
    headers = api_headers(user)
    lock_seen_while_hashing.clear()
    body = {"current_password": PASSWORD, "new_password": "另一个密码abc123"}
    assert client.post("/api/v1/me/password", json=body, headers=headers).status_code == 204
    assert lock_seen_while_hashing == [True, True]  # the check of the old one, the hash of the new one


@sqlite_only
def test_page_password_change_hashes_without_the_write_lock(client, make_user, login, lock_seen_while_hashing):
    user = make_user("sysadmin")
    login(user)
    lock_seen_while_hashing.clear()
    data = {"current_password": PASSWORD, "new_password": "另一个密码abc123", "confirm": "另一个密码abc123"}
    response = client.post("/account/password", data=data)
    assert response.status_code == 302, response.text[:300]
    assert lock_seen_while_hashing == [True, True]


@sqlite_only
def test_api_staff_creation_hashes_without_the_write_lock(
    client, make_user, api_headers, tenants, lock_seen_while_hashing
):
    headers = api_headers(make_user("sysadmin"))
    lock_seen_while_hashing.clear()
    body = {"username": "new_admin", "password": PASSWORD, "role": "base_admin", "base_id": tenants.base_a.id}
    assert client.post("/api/v1/users", json=body, headers=headers).status_code == 201
    assert lock_seen_while_hashing == [True]


@sqlite_only
def test_page_staff_password_reset_hashes_without_the_write_lock(
    client, make_user, login, tenants, lock_seen_while_hashing
):
    login(make_user("sysadmin"))
    staff = make_user("base_admin", base=tenants.base_a)
    lock_seen_while_hashing.clear()
    data = {
        "username": staff.username,
        "role": "base_admin",
        "base_id": tenants.base_a.id,
        "display_name": "",
        "active": "y",
        "password": "新密码abc12345",
    }
    response = client.post(f"/admin/users/{staff.id}/edit", data=data)
    assert response.status_code == 302, response.text[:300]
    assert lock_seen_while_hashing == [True]


# --- a real server, many at once ------------------------------------------------------------------


@pytest.fixture
def server(app, db):
    """The app over HTTP in threads of this process (the same database), as in tests/browser."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def slow_hashing(monkeypatch):
    """Makes scrypt as slow as on a busy server: held under the lock, eight of them exceed 15 s."""

    def slowed(real):
        def hashing(*args, **kwargs):
            time.sleep(2.5)
            return real(*args, **kwargs)

        return hashing

    def enable():
        monkeypatch.setattr(passwords, "generate_password_hash", slowed(passwords.generate_password_hash))
        monkeypatch.setattr(passwords, "check_password_hash", slowed(passwords.check_password_hash))

    return enable


def _post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def test_concurrent_registrations_and_logins_all_succeed(db, server, make_user, slow_hashing):
    users = [make_user("sysadmin") for _ in range(4)]
    usernames = [user.username for user in users]
    db.session.commit()
    slow_hashing()
    calls = [(f"{server}/api/v1/trainees", _registration()) for _ in range(4)]
    calls += [(f"{server}/api/v1/auth/token", {"username": name, "password": PASSWORD}) for name in usernames]
    with ThreadPoolExecutor(len(calls)) as pool:
        results = list(pool.map(lambda call: _post(*call), calls))
    assert [status for status, _ in results] == [201] * 4 + [200] * 4
    assert all(seconds < BUSY_TIMEOUT_SECONDS for _, seconds in results)
    db.session.commit()  # a fresh snapshot: what the server committed
    assert db.session.scalar(db.select(db.func.count()).select_from(Trainee)) == 4
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginAttempt)) == 4


@sqlite_only  # PostgreSQL has no one write lock to order them by (the cluster work covers it)
def test_concurrent_failures_still_stop_at_the_account_lockout(db, server, make_user, slow_hashing):
    """The lockout is counted again inside the write transaction: a burst cannot slip past it."""
    username = make_user("sysadmin").username
    db.session.commit()
    slow_hashing()
    attempts = DEFAULT_POLICY.login_max_failures + 3
    call = (f"{server}/api/v1/auth/token", {"username": username, "password": "wrong"})
    with ThreadPoolExecutor(attempts) as pool:
        statuses = sorted(status for status, _ in pool.map(lambda _: _post(*call), range(attempts)))
    assert statuses == [401] * DEFAULT_POLICY.login_max_failures + [429] * 3
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginAttempt)) == DEFAULT_POLICY.login_max_failures


def test_concurrent_registrations_of_one_id_number_make_one_account(db, server, slow_hashing):
    """Checked again inside the write transaction (SQLite), or by the unique index (PostgreSQL,
    where the others wait for the first commit): the others are refused (409), not a 500."""
    slow_hashing()
    body = _registration()
    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(
            status for status, _ in pool.map(lambda _: _post(f"{server}/api/v1/trainees", body), range(4))
        )
    assert statuses == [201, 409, 409, 409]
