"""`flask --app wsgi import-enrollments`: the same import as the page and the API, from a shell."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from basesys.accounts.models import User
from basesys.core.errors import DomainError
from basesys.core.time import now_utc
from basesys.courses import services
from basesys.courses.access import get_managed_course
from basesys.extensions import db


@click.command("import-enrollments")
@with_appcontext
@click.argument("course_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="the base admin who imports (audited as the actor)")
def import_enrollments(course_id: int, path: Path, username: str):
    """Enroll every row of an XLSX/CSV 报名表 into a course, or nobody (every bad row is listed)."""
    actor = db.session.scalar(db.select(User).where(User.username == username))
    if actor is None:
        raise click.ClickException(f"no user {username}")
    try:
        course = get_managed_course(actor, course_id)
        result = services.import_enrollments(actor, course, path.read_bytes(), filename=path.name, now=now_utc())
    except DomainError as error:
        db.session.rollback()
        for row in error.details.get("rows", []):
            click.echo(f"第 {row['row']} 行 {row['column']}：{row['reason']}", err=True)
        raise click.ClickException(f"{error.code}: {error.message}") from None
    db.session.commit()
    click.echo(
        f"imported {result.imported} (new trainee records {result.created_trainees}, "
        f"already enrolled {result.already_enrolled})"
    )


COMMANDS = (import_enrollments,)
