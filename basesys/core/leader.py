"""Which process runs the scheduled jobs: one leader, the others stand by (DEVELOPERS: every gunicorn
worker would otherwise run every job).

- PostgreSQL: a session-level advisory lock, held on a connection of its own for as long as the
  leader lives. When the leader dies (even by kill -9) its connection closes and PostgreSQL frees
  the lock; a standby takes it at its next try. Works across servers, which a file lock cannot.
- SQLite (one machine by nature): an exclusive `flock` on `instance/scheduler.lock`, freed by the
  kernel when the holder dies.

`holds()` is asked before every job run, so a leader that lost its lock (its database connection
broke) stops running jobs at once rather than at the supervisor's next look.
"""

import contextlib
import fcntl
import logging
import threading
from pathlib import Path

from sqlalchemy import text

log = logging.getLogger("basesys.jobs")

# The advisory lock key: "basesys-scheduler" folded into 31 bits, fixed for every deployment.
ADVISORY_KEY = 0x6261_7365


class FileLeadership:
    """An exclusive flock on a file: one holder per machine."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._handle = None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        handle = open(self.path, "w")  # noqa: SIM115 -- held open while leading (the lock itself)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def holds(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class AdvisoryLeadership:
    """A PostgreSQL session advisory lock on a connection held only for it."""

    def __init__(self, engine, key: int = ADVISORY_KEY):
        self.engine, self.key = engine, key
        self._connection = None
        self._guard = threading.Lock()  # the supervisor and the job threads share the connection

    def try_acquire(self) -> bool:
        with self._guard:
            if self._connection is not None and self._still_held():
                return True
            self._drop()
            try:
                connection = self.engine.connect()
                got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
                connection.commit()
            except Exception as error:  # the database is down: nobody leads from here for now
                log.warning("scheduler: cannot reach the database for the leader lock (%s)", type(error).__name__)
                return False
            if not got:
                connection.close()
                return False
            self._connection = connection
            return True

    def holds(self) -> bool:
        with self._guard:
            return self._connection is not None and self._still_held()

    def release(self) -> None:
        with self._guard:
            if self._connection is not None:
                with contextlib.suppress(Exception):  # a broken connection holds nothing any more
                    self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                    self._connection.commit()
            self._drop()

    def _still_held(self) -> bool:
        try:
            held = self._connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND classid = 0 AND objid = :key AND objsubid = 1"
                ),
                {"key": self.key},
            ).scalar()
            self._connection.commit()
            return bool(held)
        except Exception:
            return False

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.invalidate()  # never hand a lock-holding connection back to the pool
            self._connection = None


def leadership_for(app, engine):
    """The leader lock of this deployment's database."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLeadership(engine)
    return FileLeadership(Path(app.config["INSTANCE_DIR"]) / "scheduler.lock")
