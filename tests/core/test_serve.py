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

from basesys.core.cli import serve_banner
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
    # the address and the logins come before the scheduler's log lines (issue 15)
    banner, logins = output.index("basesys is running at"), output.index("Demo logins")
    assert banner < logins < output.index("apscheduler"), output[:2000]


def test_the_banner_says_where_phones_reach_the_app():
    """Issue 15: `make run HOST=0.0.0.0 BASE_URL=http://192.168.1.23:5000` lets phones on the same
    Wi-Fi scan the projector's QR codes; the banner says both addresses."""
    lines = serve_banner("0.0.0.0", 5000, "http://192.168.1.23:5000")
    text = "\n".join(lines)
    assert "basesys is running at http://127.0.0.1:5000/ (listening on 0.0.0.0:5000" in text
    assert "QR codes and links point to http://192.168.1.23:5000/" in text
    assert "phones cannot" not in text and "proxy" not in text


def test_the_banner_warns_when_phones_cannot_follow_the_qr_codes():
    assert "set BASE_URL=" in "\n".join(serve_banner("0.0.0.0", 5000, "http://127.0.0.1:5000"))
    assert "add HOST=0.0.0.0" in "\n".join(serve_banner("127.0.0.1", 5000, "http://192.168.1.23:5000"))
    assert "proxy" in "\n".join(serve_banner("0.0.0.0", 5000, "http://192.168.1.23:8000"))
    default = serve_banner("127.0.0.1", 5000, "http://127.0.0.1:5000")
    assert default[1:] == [
        "basesys is running at http://127.0.0.1:5000/",
        "QR codes and links point to http://127.0.0.1:5000/",
    ]
