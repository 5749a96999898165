"""Login codes under simultaneous requests, on a real server: wrong tries stop at the policy's limit
and a code logs in once, however many arrive at the same moment (one UPDATE with the rule in its
WHERE: PostgreSQL re-checks it against the committed row; SQLite runs the writers one by one)."""

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import make_server

from basesys.accounts.models import LoginCode
from basesys.accounts.services import login_codes
from basesys.core.policy import DEFAULT_POLICY


@pytest.fixture
def server(app, db):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def slow_check(monkeypatch):
    """Every request reads the code's row, then waits before its UPDATE: all of them read the same row."""
    real = login_codes._digest

    def slowed(*args):
        time.sleep(0.3)
        return real(*args)

    monkeypatch.setattr(login_codes, "_digest", slowed)


@pytest.fixture
def code(tenants, make_course, enroll, now, db):
    enroll(make_course(base=tenants.base_a), tenants.trainee)
    issued = login_codes.issue_login_code(
        tenants.admin_a, id_number=tenants.trainee.id_number, now=now, policy=DEFAULT_POLICY
    )
    db.session.commit()
    return issued.code


def _post(url, body) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _burst(server, bodies) -> list[int]:
    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(lambda body: _post(f"{server}/api/v1/auth/token", body), bodies))


def test_simultaneous_wrong_tries_stop_at_the_limit(server, tenants, code, slow_check, db, clock):
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    body = {"username": tenants.trainee.id_number, "login_code": wrong}
    assert _burst(server, [body] * (DEFAULT_POLICY.login_code_max_tries * 2)) == [401] * 10
    db.session.commit()  # a fresh snapshot
    row = db.session.scalar(db.select(LoginCode))
    assert row.tries == DEFAULT_POLICY.login_code_max_tries and row.used_at is None
    right = {"username": tenants.trainee.id_number, "login_code": code}
    assert _post(f"{server}/api/v1/auth/token", right) == 401  # dead


def test_simultaneous_right_tries_log_in_once(server, tenants, code, slow_check, db, clock):
    body = {"username": tenants.trainee.id_number, "login_code": code}
    statuses = sorted(_burst(server, [body] * 6))
    assert statuses == [200] + [401] * 5
