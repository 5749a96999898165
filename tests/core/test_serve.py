"""`flask serve` (what `make run` starts) serves a working app: a real process, a real login."""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

from tests.pg import free_port

ROOT = Path(__file__).resolve().parents[2]


def _flask(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_serve_accepts_demo_logins(database_server):
    instance = tempfile.mkdtemp(prefix="basesys-serve-")
    env = dict(os.environ, BASESYS_INSTANCE=instance, BASESYS_SCHEDULER="on")
    if database_server is not None:
        env["DATABASE_URL"] = database_server.create_database("basesys_serve")
    else:
        env.pop("DATABASE_URL", None)
    assert _flask(env, "init-db").returncode == 0
    demo = _flask(env, "demo")
    assert demo.returncode == 0 and "officer_zz" in demo.stdout
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        for _ in range(100):
            try:
                page = opener.open(base + "/login", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        started = time.monotonic()
        response = opener.open(
            base + "/login",
            data=urlencode({"csrf_token": token, "username": "admin_zz", "password": "demo1234"}).encode(),
            timeout=30,
        )
        assert response.status == 200 and response.url == base + "/"
        assert time.monotonic() - started < 5, "login waited for a database lock"
        assert "退出" in response.read().decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "basesys is running at" in output and "Traceback" not in output
