"""Engine set-up: SQLite in WAL with a busy timeout and BEGIN IMMEDIATE for writing requests.

A deferred SQLite transaction that reads and then writes fails at once with "database is locked"
when another writer got there first (the busy timeout does not cover that upgrade), so every
transaction that may write starts with BEGIN IMMEDIATE. Reads (GET pages) keep deferred BEGIN,
which in WAL mode never waits for writers. (`lock_at_begin(False)` only defers the lock: a
deferred transaction may still write, taking the lock at its first write.)
"""

import contextvars

from sqlalchemy import event

_lock_at_begin = contextvars.ContextVar("basesys_lock_at_begin", default=True)


def lock_at_begin(value: bool) -> None:
    """Whether this context's next SQLite transactions take the write lock at BEGIN (IMMEDIATE)."""
    _lock_at_begin.set(value)


def configure_engine(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let us issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _lock_at_begin.get() else "BEGIN")
