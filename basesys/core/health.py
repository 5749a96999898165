"""/healthz: whether this app server can serve, part by part (today: the database).

200 {"status": "ok", "checks": {"database": "ok"}} or 503 {"status": "unavailable", "checks":
{"database": "<error class>: <short reason>"}}. The answer is public (load balancers, probes), so it
never carries the database URL, host or password: only the exception class and a reason from a
fixed list; the full error goes to the log.
"""

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from basesys.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

STATEMENT_TIMEOUT_MS = 2000
# (text found in the driver's message, the reason shown): nothing of the message itself is shown.
REASONS = (
    ("connection refused", "connection refused"),
    ("timeout", "timeout"),
    ("timed out", "timeout"),
    ("password authentication failed", "authentication failed"),
    ("does not exist", "database does not exist"),
    ("too many", "too many connections"),
    ("shutting down", "server shutting down"),
    ("starting up", "server starting up"),
    ("terminating connection", "connection terminated"),
    ("unable to open database file", "unable to open database file"),
    ("file is not a database", "file is not a database"),
    ("disk i/o error", "disk I/O error"),
    ("database is locked", "database is locked"),
)


def _reason(exc: Exception) -> str:
    original = getattr(exc, "orig", None) or exc
    message = str(original).lower()
    name = type(exc).__name__
    for needle, reason in REASONS:
        if needle in message:
            return f"{name}: {reason}"
    return name


def check_database() -> str:
    """ "ok", or why `SELECT 1` through the app's engine failed (a connect or a 2-second statement timeout)."""
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check: the database is unavailable: %s", exc)
        return _reason(exc)
    return "ok"


@bp.get("/healthz")
def healthz():
    checks = {"database": check_database()}
    healthy = all(result == "ok" for result in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503
