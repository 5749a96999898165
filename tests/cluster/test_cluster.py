"""Two app servers behind a real nginx, on one PostgreSQL: what a deployment of deploy/ relies on.

Started here on loopback ports: PostgreSQL (the session's, or one of its own in the SQLite run),
two gunicorn servers with separate instance folders (as separate machines would have) sharing
SECRET_KEY and the signing key, and Debian's nginx with deploy/nginx/basesys-locations.conf — the
same locations the production site includes. Proves: static files come from nginx; requests reach
both servers; the client's address comes through X-Forwarded-For (ProxyFix, one proxy); a login and
an API token from one server are valid on the other; a QR token issued by one is accepted by the
other; login throttling and the wrong-code limit hold across both; two schedulers on two "machines"
elect one leader by advisory lock and the other takes over when it is killed.
"""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from http.cookiejar import CookieJar
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from basesys.attendance.services.scan import CODE_GUESS_LIMIT
from basesys.core.policy import DEFAULT_POLICY
from basesys.core.time import LOCAL_TZ, local_midnight
from tests.core.test_scheduler_leader import _runs, _wait, stop_all
from tests.pg import PostgresServer, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "demo1234"
TRAINEE, OTHER_TRAINEE = "370402197903120311", "370402198507210424"


def _nginx_conf(root: Path, port: int, upstreams: list[int]) -> Path:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    conf = root / "nginx.conf"
    conf.write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {root}/nginx-access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream basesys {{
{servers}
        keepalive 4;
    }}
    server {{
        listen 127.0.0.1:{port};
        set $basesys_root {ROOT};
        include {ROOT}/deploy/nginx/basesys-locations.conf;
    }}
}}
"""
    )
    return conf


def _wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def _flask(env, *args):
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def cluster(database_server):
    own = None if database_server is not None else PostgresServer().start()
    pg = database_server or own
    root = Path(tempfile.mkdtemp(prefix="basesys-cluster-"))
    nginx_port, ports = free_port(), [free_port(), free_port()]
    base_env = dict(
        os.environ,
        DATABASE_URL=pg.create_database("basesys_cluster"),
        SECRET_KEY="cluster-test-secret-shared-by-every-server",
        SIGNING_KEY_PATH=str(root / "signing_key.pem"),
        BASE_URL=f"http://127.0.0.1:{nginx_port}",
        BASESYS_SCHEDULER="off",
        PROXY_FIX_X_FOR="1",
    )
    envs = [dict(base_env, BASESYS_INSTANCE=str(root / name)) for name in ("a", "b")]
    for env in envs:
        Path(env["BASESYS_INSTANCE"]).mkdir()
    _flask(envs[0], "init-db")
    _flask(envs[0], "demo")
    processes, logs = [], []
    for env, port in zip(envs, ports, strict=True):
        log = root / f"app-{port}.log"
        logs.append(log)
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--workers",
                    "2",
                    "--graceful-timeout",
                    "5",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (root / name).mkdir()
    nginx = subprocess.Popen(
        [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(_nginx_conf(root, nginx_port, ports)), "-p", str(root)],
        stdout=(root / "nginx.out").open("w"),
        stderr=subprocess.STDOUT,
    )
    processes.append(nginx)
    try:
        for port in ports:
            _wait_http(f"http://127.0.0.1:{port}/healthz")
        _wait_http(f"http://127.0.0.1:{nginx_port}/healthz")
        yield SimpleNamespace(
            root=root,
            proxy=f"http://127.0.0.1:{nginx_port}",
            proxy_port=nginx_port,
            servers=[f"http://127.0.0.1:{p}" for p in ports],
            logs=logs,
            envs=envs,
        )
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if own is not None:
            own.stop()


def _call(base: str, method: str, path: str, token: str | None = None, body=None, headers=None):
    """(status, json or None, headers) of one API request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw, status, answered = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, answered = error.read(), error.code, error.headers
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = None
    return status, payload, answered


def _token(base: str, username: str, password: str = PASSWORD) -> str:
    status, body, _ = _call(base, "POST", "/api/v1/auth/token", body={"username": username, "password": password})
    assert status == 200, body
    return body["token"]


def _log_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        start = line.find('{"request_id"')
        if start >= 0:
            try:
                lines.append(json.loads(line[start:]))
            except ValueError:
                continue
    return lines


def _open_session_times(now: datetime) -> tuple[datetime, datetime]:
    """A session running now, within one local date (so any time of day works)."""
    local = now.astimezone(LOCAL_TZ)
    start = max(now - timedelta(minutes=10), local_midnight(local.date()))
    end = min(now + timedelta(minutes=40), local_midnight(local.date() + timedelta(days=1)) - timedelta(seconds=1))
    return start, end


@pytest.fixture(scope="module")
def running(cluster):
    """A course filed on server A, approved on server B, running now, with two demo trainees."""
    a, b = cluster.servers
    admin, officer = _token(a, "admin_zz"), _token(b, "officer_zz")
    start, end = _open_session_times(datetime.now(timezone.utc))
    course = {
        "title": "集群演练课程",
        "category": "professional",
        "kind": "course",
        "delivery": "offline",
        "location": "枣庄",
        "target": "专业技术人员",
        "planned_headcount": 10,
        "responsible": "负责人",
        "contact": "联系人",
        "contact_phone": "0632-0000000",
        "plan": "演练",
        "attendance_mode": "in_out",
        "sessions": [{"starts_at": start.isoformat(), "ends_at": end.isoformat()}],
    }
    status, created, _ = _call(a, "POST", "/api/v1/courses", admin, course)
    assert status == 201, created
    for number in (TRAINEE, OTHER_TRAINEE):
        status, body, _ = _call(b, "POST", f"/api/v1/courses/{created['id']}/enrollments", admin, {"id_number": number})
        assert status == 201, body
    assert _call(a, "POST", f"/api/v1/courses/{created['id']}/filing", admin)[0] == 200
    status, body, _ = _call(b, "POST", f"/api/v1/courses/{created['id']}/filing/decision", officer,
                            {"decision": "approve", "comment": "同意"})  # fmt: skip
    assert status == 200 and body["filing_status"] == "approved", body
    return SimpleNamespace(course=created, session_id=created["sessions"][0]["id"], admin=admin)


def test_static_files_come_from_nginx_and_pages_from_both_servers(cluster):
    with urllib.request.urlopen(cluster.proxy + "/static/css/app.css", timeout=10) as response:
        assert response.status == 200 and "text/css" in response.headers["Content-Type"]
    ids = set()
    for _ in range(12):
        status, _body, headers = _call(cluster.proxy, "GET", "/healthz")
        assert status == 200
        ids.add(headers["X-Request-Id"])
    time.sleep(0.5)
    served = [{line["request_id"] for line in _log_lines(log)} & ids for log in cluster.logs]
    assert all(served), f"requests through nginx reached only one server: {[len(s) for s in served]}"
    assert not any(line["path"].startswith("/static/") for log in cluster.logs for line in _log_lines(log))


def test_the_clients_address_comes_through_the_proxy(cluster):
    connection = http.client.HTTPConnection(
        "127.0.0.1", cluster.proxy_port, timeout=10, source_address=("127.0.0.2", 0)
    )
    connection.request("GET", "/login")
    response = connection.getresponse()
    request_id = response.getheader("X-Request-Id")
    response.read()
    connection.close()
    assert response.status == 200
    time.sleep(0.5)
    lines = [line for log in cluster.logs for line in _log_lines(log) if line["request_id"] == request_id]
    assert lines and lines[0]["remote_addr"] == "127.0.0.2", lines


def test_a_login_and_a_token_from_one_server_are_valid_on_the_other(cluster):
    a, b = cluster.servers
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(a + "/login", timeout=10).read().decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urlencode({"csrf_token": csrf, "username": "admin_zz", "password": PASSWORD}).encode()
    opener.open(a + "/login", data=form, timeout=10).read()
    home = opener.open(b + "/", timeout=10)
    assert home.url.rstrip("/") == b and "周老师" in home.read().decode()
    token = _token(a, TRAINEE)
    assert _call(b, "GET", "/api/v1/me/certificates", token)[0] == 200


def test_a_qr_token_issued_by_one_server_is_accepted_by_the_other(cluster, running):
    a, b = cluster.servers
    status, qr, _ = _call(a, "GET", f"/api/v1/sessions/{running.session_id}/qr?purpose=in", running.admin)
    assert status == 200, qr
    status, scan, _ = _call(b, "POST", "/api/v1/scan", _token(b, TRAINEE), {"token": qr["token"]},
                            headers={"X-Device-Id": "cluster-phone-1"})  # fmt: skip
    assert status == 200 and scan["result"] == "checked_in", scan


def test_the_wrong_code_limit_holds_across_both_servers(cluster, running):
    a, b = cluster.servers
    token = _token(a, OTHER_TRAINEE)
    _status, qr, _ = _call(a, "GET", f"/api/v1/sessions/{running.session_id}/qr?purpose=in", running.admin)
    wrong = "000000" if qr["code"] != "000000" else "111111"
    answers = []
    for attempt in range(CODE_GUESS_LIMIT + 1):
        server = (a, b)[attempt % 2]
        guess = {"session_id": running.session_id, "code": wrong}
        status, body, _ = _call(server, "POST", "/api/v1/scan", token, guess, headers={"X-Device-Id": "phone-2"})
        answers.append((status, body["error"]["code"]))
    assert answers[:CODE_GUESS_LIMIT] == [(422, "token_invalid")] * CODE_GUESS_LIMIT
    assert answers[-1] == (429, "too_many_codes")


def test_login_throttling_holds_across_both_servers(cluster, running):
    a, b = cluster.servers
    sysadmin = _token(a, "admin")
    probe = {"username": "throttle-probe", "password": "a-long-password", "role": "base_admin",
             "base_id": running.course["base_id"]}  # fmt: skip
    assert _call(a, "POST", "/api/v1/users", sysadmin, probe)[0] == 201
    for attempt in range(DEFAULT_POLICY.login_max_failures):
        status, body, _ = _call((a, b)[attempt % 2], "POST", "/api/v1/auth/token",
                                body={"username": "throttle-probe", "password": "wrong-password"})  # fmt: skip
        assert status == 401, body
    for server in (a, b):
        status, body, _ = _call(server, "POST", "/api/v1/auth/token",
                                body={"username": "throttle-probe", "password": "a-long-password"})  # fmt: skip
        assert (status, body["error"]["code"]) == (429, "too_many_attempts")
    assert _call(b, "POST", "/api/v1/auth/token", body={"username": "admin_zz", "password": PASSWORD})[0] == 200


def test_two_schedulers_on_two_machines_elect_one_leader_and_fail_over(cluster):
    envs = [dict(env, BASESYS_JOB_INTERVAL_SECONDS="1", BASESYS_SCHEDULER_STANDBY_SECONDS="1") for env in cluster.envs]
    logs = [cluster.root / f"scheduler-{n}.log" for n in ("a", "b")]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for env, log in zip(envs, logs, strict=True)
    ]
    try:
        assert _wait(lambda: any(_runs(log) for log in logs), 30)
        time.sleep(3)
        counts = [len(_runs(log)) for log in logs]
        leader = 0 if counts[0] else 1
        assert counts[1 - leader] == 0, f"both schedulers ran jobs: {counts}"
        processes[leader].send_signal(signal.SIGKILL)
        processes[leader].wait(timeout=10)
        assert _wait(lambda: _runs(logs[1 - leader]), 8), logs[1 - leader].read_text()[-2000:]
    finally:
        stop_all(processes)
