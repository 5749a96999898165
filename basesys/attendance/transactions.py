"""Scans under load on SQLite: read without the write lock, then write in a short transaction.

SQLite has one writer at a time; a scan that took the lock at its first query (BEGIN IMMEDIATE,
core/database.py) would hold it through authentication, token check and rules. Scan requests
instead read in a deferred transaction (WAL readers never wait), end it — nothing was written —
and take the lock only for the one INSERT and the COMMIT. The unique constraints settle whatever
changed in between. PostgreSQL locks rows, not the database: there the request stays one
transaction. Figures in bench/README.md.

`perform_scan` is that sequence, the one the scan page, the code page and the API all call, so
they cannot drift apart.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, request

from basesys.attendance import services
from basesys.attendance.models import ScanVia
from basesys.core.database import lock_at_begin
from basesys.core.errors import DomainError
from basesys.core.observability import count_scan
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


@dataclass(frozen=True)
class ScanOutcome:
    """A committed scan: its result, or the refusal that was logged (and committed) instead."""

    result: services.ScanResult | None = None
    refusal: DomainError | None = None


def perform_scan(
    who,
    *,
    device_id: str | None,
    now: datetime,
    via: ScanVia,
    token: str | None = None,
    session_id: int | None = None,
    code: str | None = None,
) -> ScanOutcome:
    """Plan the scan (reads), carry it out (one write) and commit, keeping a refusal's log row.

    A refusal known before any session is (token_invalid, and the API token's 401/403) is raised
    as it is: nothing was written. The caller commits nothing more; it answers from the outcome.
    """
    try:
        plan = services.plan_scan(
            who, token=token, session_id=session_id, code=code, device_id=device_id, now=now, via=via
        )
    except DomainError as refusal:
        count_scan("refused", refusal.code)
        raise
    begin_writes()  # SQLite: the write lock only around the INSERT
    try:
        outcome = ScanOutcome(result=services.carry_out(plan))
    except DomainError as refusal:
        outcome = ScanOutcome(refusal=refusal)  # the logged refusal is kept; the scan changed nothing
    db.session.commit()
    end_writes()
    if outcome.refusal is not None:
        count_scan("refused", outcome.refusal.code)
    else:
        count_scan(str(outcome.result.result))
    return outcome
