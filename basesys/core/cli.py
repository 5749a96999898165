"""`flask --app wsgi ...` commands of API.md "Set-up"."""

import click
from flask import current_app
from flask_migrate import upgrade

from basesys.core.time import now_utc
from basesys.extensions import db


def register(app) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the schema of DATABASE_URL to the newest migration."""
        upgrade()
        click.echo(f"schema is up to date ({db.engine.url.render_as_string(hide_password=True)})")

    @app.cli.command("create-admin")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    def create_admin(username, password):
        """Create a sysadmin account."""
        from basesys.accounts.services import create_staff_user
        from basesys.core.errors import DomainError

        try:
            create_staff_user(None, username=username, password=password, role="sysadmin", now=now_utc())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            fields = getattr(exc, "fields", {})
            raise click.ClickException(f"{exc.message} {fields or ''}".strip()) from None
        click.echo(f"sysadmin {username} created")

    @app.cli.command("demo")
    @click.option("--force", is_flag=True, help="load even if the database already has accounts")
    def demo(force):
        """Load demo data into an empty database and print the demo logins."""
        from basesys.demo import is_empty, load_demo, print_logins

        if not is_empty() and not force:
            click.echo("database is not empty: demo data not loaded")
            print_logins(click.echo)
            return
        load_demo(now_utc())
        db.session.commit()
        click.echo("demo data loaded")
        print_logins(click.echo)

    @app.cli.command("scheduler")
    def scheduler():
        """Run the scheduler in the foreground (production: exactly one such process)."""
        from basesys.core.jobs import build_scheduler

        click.echo("scheduler running; Ctrl-C to stop")
        build_scheduler(current_app._get_current_object(), blocking=True).start()

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=None, type=int)
    def serve(host, port):
        """Serve the app (development and `make run`), with the scheduler when BASESYS_SCHEDULER=on."""
        from basesys.core.jobs import start_in_process
        from basesys.demo import print_logins

        app_ = current_app._get_current_object()
        port = port or app_.config["PORT"]
        if app_.config["BASESYS_SCHEDULER"] == "on":
            start_in_process(app_)
        click.echo("")
        click.echo(f"basesys is running at http://{host}:{port}/")
        print_logins(click.echo)
        click.echo("")
        # The CLI's app context read the demo logins: end that transaction, or on SQLite it would
        # hold the write lock for the server's whole life and every login would time out.
        db.session.remove()
        # app.run() refuses to block inside a `flask` CLI command; serve with werkzeug directly.
        from werkzeug.serving import run_simple

        run_simple(host, port, app_, threaded=True, use_reloader=False)

    @app.cli.command("run-due-jobs")
    @click.option("--now", "now_text", default=None, help="ISO datetime with offset (tests)")
    def run_due(now_text):
        """Run every due scheduled job once and exit."""
        from datetime import datetime

        from basesys.core.jobs import run_due_jobs

        now = datetime.fromisoformat(now_text) if now_text else now_utc()
        if now.tzinfo is None:
            raise click.ClickException("--now needs an offset, e.g. 2025-06-01T09:00:00+08:00")
        for name, result in run_due_jobs(now).items():
            click.echo(f"{name}: {result}")
