"""`flask --app wsgi verify-statement`: check an annual statement's signature offline (DOMAIN.md §15),
the sibling of `verify-certificate` (same key, same check)."""

import json
import sys

import click
from flask.cli import with_appcontext

from basesys.certificates.cli import _read, check
from basesys.certificates.services.issue import holder_digest
from basesys.core.ids import normalize_code
from basesys.extensions import db
from basesys.statements.models import Statement, StatementStatus
from basesys.statements.services import PAYLOAD_KIND


@click.command("verify-statement")
@with_appcontext
@click.argument("number", required=False)
@click.option("--payload", help="the signed payload (canonical JSON) exactly as the API returned it")
@click.option("--payload-file", type=click.Path(), help="file with the payload ('-' for stdin)")
@click.option("--signature", help="base64 Ed25519 signature")
@click.option("--public-key", help="base64 raw public key or PEM (default: the key id's known key)")
@click.option("--public-key-file", type=click.Path(exists=True), help="file with the public key")
@click.option("--name", help="with --id-number: check the statement belongs to this person")
@click.option("--id-number", help="the holder's ID number (see --name)")
def verify_statement(number, payload, payload_file, signature, public_key, public_key_file, name, id_number):
    """Verify an annual statement: by NUMBER from this database, or a --payload and --signature.

    Exit status 0 when the signature checks, the payload is a statement's (and, for a NUMBER, the
    statement is not superseded).
    """
    payload = _read(payload, payload_file)
    public_key = _read(public_key, public_key_file)
    status = None
    if number:
        statement = db.session.scalar(db.select(Statement).where(Statement.number == number.strip()))
        if statement is None:
            raise click.ClickException(f"no statement {number}")
        payload, signature, status = statement.payload, statement.signature, statement.status
    if not payload or not signature:
        raise click.UsageError("give a statement NUMBER, or --payload (or --payload-file) and --signature")
    valid, explanation = check(payload, signature, public_key)
    click.echo(explanation)
    try:
        fields = json.loads(payload)
    except ValueError:
        fields = {}
    if not isinstance(fields, dict) or fields.get("kind") != PAYLOAD_KIND:
        click.echo("not an annual statement's payload")
        valid, fields = False, {}
    for key in ("number", "year", "name_masked", "id_number_masked", "totals", "required", "issued_on", "kid"):
        if key in fields:
            click.echo(f"  {key}: {fields[key]}")
    if fields:
        click.echo(f"  entries: {len(fields.get('entries', []))}")
    if name and id_number and fields:
        same = holder_digest(fields.get("number", ""), name.strip(), normalize_code(id_number))
        holder_ok = same == fields.get("holder_sha256")
        click.echo("holder matches" if holder_ok else "holder does NOT match the name and ID number")
        valid = valid and holder_ok
    if status is not None:
        click.echo(f"status: {status}")
        valid = valid and status == StatementStatus.VALID
    sys.exit(0 if valid else 1)


COMMANDS = (verify_statement,)
