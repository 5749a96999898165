"""Backups of the database and their restore (README "Backups").

- PostgreSQL: `pg_dump --format=custom` and `pg_restore`, the tools made for it (consistent snapshot
  while the system runs; restore into an empty database).
- SQLite (the embedded default): SQLite's online backup API (`sqlite3.Connection.backup`), which
  copies a consistent snapshot while other connections keep writing — never a file copy of a live
  WAL database.

The database alone restores every record, the public keys that signed certificates included, so
every certificate still verifies. The secrets live in the instance folder (`secret_key`,
`signing_key.pem`): back them up separately and keep them apart from the dumps.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


def _pg_tool(name: str) -> str:
    """The client tool of the newest installed PostgreSQL (it must not be older than the server)."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the Debian package postgresql-client")
    return found


def _pg_target(engine) -> tuple[list[str], dict]:
    """libpq connection options and environment for the tools; the password goes by PGPASSWORD,
    never on a command line that `ps` shows."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432), "--username", url.username or ""]
    return args + ["--dbname", url.database or ""], env


def _run_pg_tool(engine, tool: str, *options: str) -> None:
    args, env = _pg_target(engine)
    done = subprocess.run([_pg_tool(tool), *options, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-500:]}")


def _sqlite_path(engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def backup(engine, target: Path) -> Path:
    """Write a consistent backup of the database behind `engine` to `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "postgresql":
        _run_pg_tool(engine, "pg_dump", "--format=custom", "--no-owner", "--file", str(target))
        return target
    source = sqlite3.connect(_sqlite_path(engine))
    destination = sqlite3.connect(str(target))
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    return target


def restore(engine, source: Path) -> None:
    """Restore a backup into the (empty) database behind `engine`; refuses a database with tables."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    if inspect(engine).get_table_names():
        raise BackupError("the target database is not empty: restore into a new database")
    if engine.dialect.name == "postgresql":
        _run_pg_tool(engine, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", str(source))
        return
    engine.dispose()  # no pooled connection may hold the target while it is overwritten
    origin = sqlite3.connect(str(source))
    destination = sqlite3.connect(_sqlite_path(engine))
    try:
        origin.backup(destination)
    finally:
        destination.close()
        origin.close()
