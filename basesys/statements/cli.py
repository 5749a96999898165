"""`flask --app wsgi verify-statement`: check an annual statement's signature offline (DOMAIN.md §15),
the sibling of `verify-certificate` (same key, same check)."""

import sys

import click
from flask.cli import with_appcontext

from basesys.certificates.cli import check_holder_and_status, check_signed, signed_options
from basesys.statements.models import Statement, StatementStatus
from basesys.statements.services import PAYLOAD_KIND


@click.command("verify-statement")
@with_appcontext
@signed_options("statement")
def verify_statement(number, payload, payload_file, signature, public_key, public_key_file, name, id_number):
    """Verify an annual statement: by NUMBER from this database, or a --payload and --signature.

    Exit status 0 when the signature checks, the payload is a statement's (and, for a NUMBER, the
    statement is not superseded).
    """
    valid, fields, status = check_signed(
        Statement,
        "statement",
        number=number,
        payload=payload,
        payload_file=payload_file,
        signature=signature,
        public_key=public_key,
        public_key_file=public_key_file,
    )
    if fields.get("kind") != PAYLOAD_KIND:
        click.echo("not an annual statement's payload")
        valid, fields = False, {}
    for key in ("number", "year", "name_masked", "id_number_masked", "totals", "required", "issued_on", "kid"):
        if key in fields:
            click.echo(f"  {key}: {fields[key]}")
    if fields:
        click.echo(f"  entries: {len(fields.get('entries', []))}")
    valid = check_holder_and_status(
        valid, fields, status, name=name, id_number=id_number, valid_status=StatementStatus.VALID
    )
    sys.exit(0 if valid else 1)


COMMANDS = (verify_statement,)
