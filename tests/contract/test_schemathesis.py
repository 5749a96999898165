"""schemathesis holds the API to its served OpenAPI document (GET /api/v1/openapi.json).

A bounded run on SQLite, over every operation, as each demo role and as an anonymous caller, on a
database loaded by the `demo` command. Any 5xx, any status the document does not list for the
operation, any answer whose content type or body does not match its schema, and any wrong method
answered otherwise than 405 with `Allow` fails the run. Path ids are drawn from the demo data's
own rows as often as at random, so the success answers are checked on real objects too.

Only the SQLite pass collects this module (tests/contract/conftest.py): it is the issue's bounded
run, about half a minute per role; BASESYS_FUZZ_EXAMPLES (examples per operation, default 12)
and BASESYS_FUZZ_SEED make a longer or another hunt.
"""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from basesys import create_app
from basesys.accounts.demo import DEMO_PASSWORD, demo_logins
from basesys.certificates.models import Certificate
from basesys.core.cli import load_demo
from basesys.core.time import now_utc
from basesys.courses.models import Course, CourseSession
from basesys.extensions import db

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = os.environ.get("BASESYS_FUZZ_EXAMPLES", "12")
SEED = os.environ.get("BASESYS_FUZZ_SEED", "20261201")  # fixed: the bounded run is the same every time
ROLES = ("sysadmin", "bureau_officer", "base_admin", "trainee", "anonymous")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "unsupported_method",
    "allow_header_conformance",
)
LABELS = {"sysadmin": "系统管理员", "bureau_officer": "人社局经办人", "base_admin": "基地管理员", "trainee": "学员"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app on a demo database (`flask demo`), served on a loopback port; its known rows."""
    folder = tmp_path_factory.mktemp("schemathesis")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}",
            "TESTING": True,
            "BASE_URL": "http://testserver",
            "INSTANCE_DIR": str(folder),
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            # API_CHECK_ANSWERS stays off: schemathesis itself holds the answers to the served document.
        }
    )
    with app.app_context():
        db.create_all()
        load_demo(now_utc())
        db.session.commit()
        known = {
            "course_id": list(db.session.scalars(db.select(Course.id))),
            "session_id": list(db.session.scalars(db.select(CourseSession.id))),
            "number": list(db.session.scalars(db.select(Certificate.number))),
        }
        logins = demo_logins()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", known, logins, folder
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def _token(app, logins, role: str) -> str:
    username = next(name for label, name in logins if label.startswith(LABELS[role]))
    answer = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["token"]


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_its_openapi_document(served, role):
    app, url, known, logins, folder = served
    command = [
        str(Path(sys.executable).with_name("st")),
        "--no-color",
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",  # CPython 3.11 can fail compiling in parallel threads ("AST constructor recursion depth")
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-dir",
        str(folder / role),
    ]
    if role != "anonymous":
        command += ["--header", f"Authorization: Bearer {_token(app, logins, role)}"]
    env = dict(
        os.environ,
        SCHEMATHESIS_HOOKS="tests.contract.schemathesis_hooks",
        BASESYS_KNOWN_IDS=json.dumps(known),
        PYTHONPATH=str(ROOT),  # the hooks module; st runs in the test's folder, where it keeps its cache
    )
    run = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=900)
    report = run.stdout[run.stdout.find("=" * 20) :]  # from its first section: errors, failures, summary
    assert run.returncode == 0, report[-30000:] + run.stderr[-3000:]
