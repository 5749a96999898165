"""Logins and registrations on SQLite: hash the password outside the write lock.

Every writing request starts with BEGIN IMMEDIATE (core/database.py), so a login or a registration
would hold SQLite's one write lock through scrypt, and a handful at once queue for the busy
timeout. The login and registration endpoints are declared `reads_first`: their transaction
starts deferred (WAL readers take no lock), the service reads and hashes, then calls
`begin_writes()`, which ends that read transaction — nothing was written in it — so the next
statement starts a short BEGIN IMMEDIATE for the writes the endpoint's lifecycle commits. The
service re-checks what it read (lockout, duplicates) inside the write transaction.

Called anywhere else (the demo loader, the CLI, tests) `begin_writes()` does nothing and the
service stays one transaction: only an endpoint declared here is known to have written nothing
yet. PostgreSQL locks rows, not the database: there it is always one transaction. (The same
choreography as basesys/attendance/transactions.py for scans.)
"""

import contextvars

from flask import Blueprint, request

from basesys.core.database import lock_at_begin
from basesys.extensions import db

_reading = contextvars.ContextVar("basesys_accounts_reading", default=False)


def reads_first(bp: Blueprint, *endpoints: str) -> None:
    """Requests to these endpoints of `bp` read (deferred) until their service calls `begin_writes`."""
    names = {f"{bp.name}.{endpoint}" for endpoint in endpoints}

    @bp.before_request
    def _reads_first():
        reading = request.endpoint in names
        _reading.set(reading)
        if reading:
            lock_at_begin(False)

    @bp.teardown_request
    def _done(_error=None):
        _reading.set(False)


def begin_writes() -> None:
    """In a `reads_first` request on SQLite: end the read transaction; the writes take the lock now."""
    if not _reading.get():
        return
    _reading.set(False)
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.rollback()
        lock_at_begin(True)
