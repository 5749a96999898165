"""`flask --app wsgi verify-certificate`: check a certificate's signature offline (DOMAIN.md §8)."""

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from basesys.certificates.models import Certificate, CertificateStatus
from basesys.certificates.services.issue import holder_digest
from basesys.certificates.signing import known_public_keys, payload_key_id, verify_signature
from basesys.core.ids import normalize_code
from basesys.extensions import db


def _read(value: str | None, path: str | None) -> str | None:
    if path:
        return Path(path).read_text(encoding="utf-8") if path != "-" else sys.stdin.read()
    return value


def check(payload: str, signature: str, public_key: str | None) -> tuple[bool, str]:
    """(valid, explanation): the payload's key id picks the key unless one is given."""
    if public_key is None:
        kid = payload_key_id(payload)
        public_key = known_public_keys().get(kid or "")
        if public_key is None:
            return False, f"unknown key id {kid!r}: pass --public-key"
    if verify_signature(payload, signature, public_key):
        return True, "signature valid"
    return False, "signature INVALID: the payload was altered or signed by another key"


def signed_options(what: str):
    """The options verify-certificate and verify-statement share (`what`: certificate / statement)."""

    def decorate(command):
        for option in reversed(
            (
                click.argument("number", required=False),
                click.option("--payload", help="the signed payload (canonical JSON) exactly as the API returned it"),
                click.option("--payload-file", type=click.Path(), help="file with the payload ('-' for stdin)"),
                click.option("--signature", help="base64 Ed25519 signature"),
                click.option("--public-key", help="base64 raw public key or PEM (default: the key id's known key)"),
                click.option("--public-key-file", type=click.Path(exists=True), help="file with the public key"),
                click.option("--name", help=f"with --id-number: check the {what} belongs to this person"),
                click.option("--id-number", help="the holder's ID number (see --name)"),
            )
        ):
            command = option(command)
        return command

    return decorate


def check_signed(model, what: str, *, number, payload, payload_file, signature, public_key, public_key_file):
    """The first half of both commands: the payload and signature (by NUMBER from `model`'s table,
    or as given), the signature checked and said, the payload parsed. → (valid, fields, status)."""
    payload = _read(payload, payload_file)
    public_key = _read(public_key, public_key_file)
    status = None
    if number:
        row = db.session.scalar(db.select(model).where(model.number == number.strip()))
        if row is None:
            raise click.ClickException(f"no {what} {number}")
        payload, signature, status = row.payload, row.signature, row.status
    if not payload or not signature:
        raise click.UsageError(f"give a {what} NUMBER, or --payload (or --payload-file) and --signature")
    valid, explanation = check(payload, signature, public_key)
    click.echo(explanation)
    try:
        fields = json.loads(payload)
    except ValueError:
        fields = {}
    return valid, fields if isinstance(fields, dict) else {}, status


def check_holder_and_status(valid: bool, fields: dict, status, *, name, id_number, valid_status) -> bool:
    """The second half: the holder (name and ID number against the payload's digest) and, by NUMBER,
    the stored status; says each and returns whether everything checks."""
    if name and id_number and fields:
        same = holder_digest(fields.get("number", ""), name.strip(), normalize_code(id_number))
        holder_ok = same == fields.get("holder_sha256")
        click.echo("holder matches" if holder_ok else "holder does NOT match the name and ID number")
        valid = valid and holder_ok
    if status is not None:
        click.echo(f"status: {status}")
        valid = valid and status == valid_status
    return valid


@click.command("verify-certificate")
@with_appcontext
@signed_options("certificate")
def verify_certificate(number, payload, payload_file, signature, public_key, public_key_file, name, id_number):
    """Verify a certificate: by NUMBER from this database, or a --payload and --signature.

    Exit status 0 when the signature checks (and, for a NUMBER, the certificate is not revoked).
    """
    valid, fields, status = check_signed(
        Certificate,
        "certificate",
        number=number,
        payload=payload,
        payload_file=payload_file,
        signature=signature,
        public_key=public_key,
        public_key_file=public_key_file,
    )
    for key in ("number", "name_masked", "course_title", "hours", "issued_on", "base_name", "filing_number", "kid"):
        if key in fields:
            click.echo(f"  {key}: {fields[key]}")
    valid = check_holder_and_status(
        valid, fields, status, name=name, id_number=id_number, valid_status=CertificateStatus.VALID
    )
    sys.exit(0 if valid else 1)


COMMANDS = (verify_certificate,)
