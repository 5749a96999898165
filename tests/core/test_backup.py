"""Backup and restore (CLI `backup` / `restore`): a restored database has the identical ledger and
every certificate still verifies with the public keys it holds. Runs on SQLite (online backup API)
and on PostgreSQL (pg_dump / pg_restore)."""

import tempfile
from pathlib import Path

from basesys import create_app
from basesys.certificates.models import Certificate, LedgerEntry
from basesys.certificates.signing import known_public_keys, payload_key_id, verify_signature
from basesys.core.cli import load_demo
from basesys.extensions import db as _db
from tests.conftest import _INSTANCE


def _ledger():
    return sorted(
        _db.session.execute(
            _db.select(
                LedgerEntry.trainee_id,
                LedgerEntry.course_id,
                LedgerEntry.year,
                LedgerEntry.category,
                LedgerEntry.hours,
                LedgerEntry.status,
                LedgerEntry.certificate_id,
            )
        ).all()
    )


def _certificates():
    return sorted(_db.session.execute(_db.select(Certificate.number, Certificate.payload, Certificate.signature)).all())


def _target_url(database_server, folder: str) -> str:
    if database_server is not None:
        return database_server.create_database("basesys_restored")
    return f"sqlite:///{folder}/restored.sqlite3"


def test_a_backup_restores_into_a_new_database_with_the_same_ledger_and_valid_certificates(
    app, db, runner, now, database_server
):
    load_demo(now)
    db.session.commit()
    ledger, certificates = _ledger(), _certificates()
    assert ledger and certificates, "the demo issues certificates"
    folder = tempfile.mkdtemp(prefix="basesys-backup-")
    dump = Path(folder) / "basesys.backup"
    made = runner.invoke(args=["backup", str(dump)])
    assert made.exit_code == 0, made.output
    assert dump.stat().st_size > 0

    restored = create_app(
        {"SQLALCHEMY_DATABASE_URI": _target_url(database_server, folder), "TESTING": True, "INSTANCE_DIR": _INSTANCE}
    )
    cli = restored.test_cli_runner()
    with restored.app_context():  # the command runs in the current app's context: the restored one
        done = cli.invoke(args=["restore", str(dump)])
        assert done.exit_code == 0, done.output
        assert _ledger() == ledger
        assert _certificates() == certificates
        keys = known_public_keys()
        for _number, payload, signature in certificates:
            assert verify_signature(payload, signature, keys[payload_key_id(payload)])
        _db.session.remove()
        again = cli.invoke(args=["restore", str(dump)])
        assert again.exit_code != 0 and "not empty" in again.output
        _db.engine.dispose()


def test_a_missing_backup_file_is_a_clear_error(runner):
    result = runner.invoke(args=["restore", "/nonexistent/basesys.backup"])
    assert result.exit_code != 0 and "does not exist" in result.output
