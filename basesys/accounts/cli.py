"""`flask --app wsgi create-admin`: the first sysadmin of a new deployment."""

import click
from flask.cli import with_appcontext

from basesys.accounts.services import create_staff_user
from basesys.core.errors import DomainError
from basesys.core.time import now_utc
from basesys.extensions import db


@click.command("create-admin")
@click.option("--username", required=True)
@click.option("--password", required=True)
@with_appcontext
def create_admin(username, password):
    """Create a sysadmin account."""
    try:
        create_staff_user(None, username=username, password=password, role="sysadmin", now=now_utc())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        fields = getattr(exc, "fields", {})
        raise click.ClickException(f"{exc.message} {fields or ''}".strip()) from None
    click.echo(f"sysadmin {username} created")


COMMANDS = (create_admin,)
