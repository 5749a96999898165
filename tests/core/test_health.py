"""/healthz checks the database, and the pool survives a PostgreSQL restart (pre-ping).

The outage tests start apps of their own (on a closed port, an invalid SQLite file, or a
PostgreSQL server of their own that they stop and restart), so the session's database is never
disturbed; they run on every test run, SQLite or PostgreSQL.
"""

import tempfile
import time
from pathlib import Path

import pytest

from basesys import create_app
from basesys.extensions import db as _db
from tests.pg import PostgresServer, free_port

SECRET = "s3cr3t-pw"


def make_app(url: str):
    instance = tempfile.mkdtemp(prefix="basesys-health-")
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "INSTANCE_DIR": instance, "BASE_URL": "http://testserver"}
    )


def health(app):
    started = time.monotonic()
    response = app.test_client().get("/healthz")
    return response, time.monotonic() - started


def test_healthz_answers_ok_with_the_database_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_is_503_when_postgresql_is_unreachable_and_leaks_no_secret():
    app = make_app(f"postgresql+psycopg://basesys:{SECRET}@127.0.0.1:{free_port()}/nowhere")
    response, elapsed = health(app)
    assert response.status_code == 503, response.text
    assert response.json["status"] == "unavailable"
    reason = response.json["checks"]["database"]
    assert reason.startswith("OperationalError"), reason
    assert SECRET not in response.text and "basesys" not in response.text and "127.0.0.1" not in response.text
    assert elapsed < 10


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("not_a_database", "DatabaseError: file is not a database"),
        ("unopenable", "OperationalError: unable to open database file"),
    ],
)
def test_healthz_is_503_when_the_sqlite_file_is_unusable(kind, expected):
    folder = Path(tempfile.mkdtemp(prefix="basesys-health-"))
    if kind == "not_a_database":
        path = folder / "broken.sqlite3"
        path.write_bytes(b"garbage!" * 1024)
    else:
        path = folder / "missing-dir" / "db.sqlite3"  # SQLite cannot create a file in a missing folder
    response, elapsed = health(make_app(f"sqlite:///{path}"))
    assert response.status_code == 503, response.text
    assert response.json == {"status": "unavailable", "checks": {"database": expected}}
    assert str(folder) not in response.text
    assert elapsed < 5


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own (stopped and restarted freely)."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        if server.root.exists():  # not stopped by the test already
            server.stop()


def test_healthz_follows_a_real_postgresql_outage(own_postgres):
    app = make_app(own_postgres.url())
    assert health(app)[0].status_code == 200
    own_postgres.stop()
    response, elapsed = health(app)
    assert response.status_code == 503 and response.json["status"] == "unavailable", response.text
    assert response.json["checks"]["database"].startswith("OperationalError")
    assert elapsed < 10


def test_a_postgresql_restart_fails_no_request(own_postgres):
    app = make_app(own_postgres.url())
    with app.app_context():
        _db.create_all()
    client = app.test_client()
    # A database-reading request leaves its connection in the pool; the restart kills it.
    assert client.get("/v/NO-SUCH-CODE").status_code == 404
    assert client.get("/healthz").status_code == 200
    own_postgres.restart()
    assert client.get("/v/NO-SUCH-CODE").status_code == 404
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        _db.engine.dispose()
