"""Scans under load on SQLite: read without the write lock, then write in a short transaction.

SQLite has one writer at a time; a scan that took the lock at its first query (BEGIN IMMEDIATE,
core/database.py) would hold it through authentication, token check and rules. Scan requests
instead read in a deferred transaction (WAL readers never wait), end it — nothing was written —
and take the lock only for the one INSERT and the COMMIT. The unique constraints settle whatever
changed in between. PostgreSQL locks rows, not the database: there the request stays one
transaction. Figures in bench/README.md.
"""

from flask import Blueprint, request

from basesys.core.database import lock_at_begin
from basesys.extensions import db


def reads_first(bp: Blueprint, *endpoints: str) -> None:
    """Requests to these endpoints of `bp` start with a read (deferred) transaction."""
    names = {f"{bp.name}.{endpoint}" for endpoint in endpoints}

    @bp.before_request
    def _reads_first():
        if request.endpoint in names:
            lock_at_begin(False)


def begin_writes() -> None:
    """End the read transaction (nothing was written in it) so the writes hold SQLite's lock briefly."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.rollback()
        lock_at_begin(True)


def end_writes() -> None:
    """After the commit, what is still read (rendering the answer) goes back to deferred transactions."""
    lock_at_begin(False)
