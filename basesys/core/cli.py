"""The app-wide `flask --app wsgi ...` commands of API.md "Set-up": schema, demo data, jobs, serving.

Feature commands (create-admin, import-enrollments, verify-certificate) are declared by their
features. `demo` runs every feature's demo loader in layer order; `serve` and `demo` print the
logins the features' demo data announced in `ctx["logins"]` (accounts adds them).
"""

import signal
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from basesys.core.backup import BackupError, backup, restore
from basesys.core.features import registry
from basesys.core.jobs import Supervisor, run_due_jobs, start_in_process
from basesys.core.time import now_utc
from basesys.extensions import db


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the schema of DATABASE_URL to the newest migration."""
    upgrade()
    click.echo(f"schema is up to date ({db.engine.url.render_as_string(hide_password=True)})")


def load_demo(now: datetime) -> dict:
    """Every feature's demo data, bottom-up, in one transaction (the caller commits)."""
    ctx: dict = {"now": now, "logins": []}
    for _name, loader in registry().demos():
        loader(ctx, now)
        db.session.flush()
    return ctx


def _print_logins(echo) -> None:
    logins = registry().services.get("demo_logins")
    if logins is not None:
        logins(echo)


@click.command("demo")
@click.option("--force", is_flag=True, help="load even if the database already has data")
@with_appcontext
def demo(force):
    """Load demo data into an empty database and print the demo logins."""
    is_empty = registry().services.get("demo_is_empty", lambda: True)
    if not is_empty() and not force:
        click.echo("database is not empty: demo data not loaded")
        _print_logins(click.echo)
        return
    load_demo(now_utc())
    db.session.commit()
    click.echo("demo data loaded")
    _print_logins(click.echo)


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run the scheduler in the foreground: it leads, or stands by until the leader dies (any number of
    these processes, on any server, run each job once)."""
    supervisor = Supervisor(current_app._get_current_object())
    signal.signal(signal.SIGTERM, lambda *_: supervisor.stop())  # systemd's stop: finish the running job
    click.echo("scheduler running; Ctrl-C to stop")
    db.session.remove()  # hold no transaction of the CLI's while waiting
    try:
        supervisor.run()
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
EVERY_INTERFACE = {"0.0.0.0", "::", ""}


def serve_banner(host: str, port: int, base_url: str) -> list[str]:
    """What `serve` prints first: where the app listens, where its QR codes and links point
    (BASE_URL), and what keeps a phone on the same Wi-Fi from reaching it."""
    wildcard = host in EVERY_INTERFACE
    local = "127.0.0.1" if wildcard else host
    listening = f" (listening on {host or '0.0.0.0'}:{port}: every network interface)" if wildcard else ""
    lines = ["", f"basesys is running at http://{local}:{port}/{listening}", f"QR codes and links point to {base_url}/"]
    target = urlsplit(base_url)
    if wildcard and target.hostname in LOOPBACK:
        lines.append(
            f"  phones cannot open {target.hostname}: set BASE_URL=http://<this machine's Wi-Fi address>:{port}"
        )
    elif host in LOOPBACK and target.hostname not in LOOPBACK:
        lines.append(f"  the server listens on {host} only, phones cannot reach it: add HOST=0.0.0.0")
    if (target.port or {"https": 443}.get(target.scheme, 80)) != port:
        lines.append(f"  BASE_URL's port is not {port}: its links reach this server only through a proxy")
    return lines


@click.command("serve")
@click.option("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 for phones on the same network")
@click.option("--port", default=None, type=int)
@with_appcontext
def serve(host, port):
    """Serve the app (development and `make run`), with the scheduler when BASESYS_SCHEDULER=on."""
    app = current_app._get_current_object()
    port = port or app.config["PORT"]
    # The address and the logins come first: the scheduler's log lines would push them off the screen.
    for line in serve_banner(host, port, app.config["BASE_URL"]):
        click.echo(line)
    _print_logins(click.echo)
    click.echo("")
    sys.stdout.flush()  # before the scheduler's first log line (stderr), also when stdout is a pipe
    if app.config["BASESYS_SCHEDULER"] == "on":
        start_in_process(app)
    # The CLI's app context read the demo logins: end that transaction, or on SQLite it would
    # hold the write lock for the server's whole life and every login would time out.
    db.session.remove()
    # app.run() refuses to block inside a `flask` CLI command; serve with werkzeug directly.
    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.command("run-due-jobs")
@click.option("--now", "now_text", default=None, help="ISO datetime with offset (tests)")
@with_appcontext
def run_due(now_text):
    """Run every due scheduled job once and exit."""
    now = datetime.fromisoformat(now_text) if now_text else now_utc()
    if now.tzinfo is None:
        raise click.ClickException("--now needs an offset, e.g. 2025-06-01T09:00:00+08:00")
    for name, result in run_due_jobs(now).items():
        click.echo(f"{name}: {result}")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path):
    """Write a consistent backup of DATABASE_URL to TARGET (pg_dump custom format, or SQLite's backup API)."""
    db.session.remove()
    try:
        backup(db.engine, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {target} ({target.stat().st_size} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(source: Path):
    """Restore a backup into DATABASE_URL, which must be a new, empty database."""
    db.session.remove()
    try:
        restore(db.engine, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {source} into {db.engine.url.render_as_string(hide_password=True)}")


COMMANDS = (init_db, demo, scheduler, serve, run_due, backup_command, restore_command)
