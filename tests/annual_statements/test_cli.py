"""`flask verify-statement`: the offline check of an annual statement's signature."""

import json

from basesys.certificates.signing import current_signer
from basesys.extensions import db
from basesys.statements.services import current_statement


def issue(trainee, now):
    statement = current_statement(trainee.user, trainee, 2025, signer=current_signer(), now=now)
    db.session.commit()
    return statement


def test_verify_by_number(runner, finalized, now):
    statement = issue(finalized.trainee, now)
    result = runner.invoke(args=["verify-statement", statement.number])
    assert result.exit_code == 0, result.output
    assert "signature valid" in result.output and "status: valid" in result.output and "entries: 1" in result.output


def test_a_superseded_statement_fails_by_number(runner, finalized, declared, now):
    statement = issue(finalized.trainee, now)
    declared(finalized.trainee, finalized.city_a, hours=10)
    issue(finalized.trainee, now)
    result = runner.invoke(args=["verify-statement", statement.number])
    assert result.exit_code == 1 and "status: superseded" in result.output


def test_offline_payload_signature_and_public_key(runner, finalized, now, tmp_path):
    statement = issue(finalized.trainee, now)
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(statement.payload, encoding="utf-8")
    key = ["--public-key", current_signer().public_key_b64]
    args = ["verify-statement", "--payload-file", str(payload_file), "--signature", statement.signature, *key]
    assert runner.invoke(args=args).exit_code == 0
    tampered = json.loads(statement.payload)
    tampered["totals"]["total"] = 90.0
    payload_file.write_text(json.dumps(tampered, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "INVALID" in result.output


def test_the_holder_and_a_certificates_payload(runner, finalized, now):
    statement, trainee = issue(finalized.trainee, now), finalized.trainee
    base = ["verify-statement", "--payload", statement.payload, "--signature", statement.signature]
    ok = runner.invoke(args=[*base, "--name", trainee.name, "--id-number", trainee.id_number])
    assert ok.exit_code == 0 and "holder matches" in ok.output
    other = runner.invoke(args=[*base, "--name", "王五", "--id-number", trainee.id_number])
    assert other.exit_code == 1 and "does NOT match" in other.output
    certificate = finalized.certificate
    mixed = runner.invoke(
        args=["verify-statement", "--payload", certificate.payload, "--signature", certificate.signature]
    )
    assert mixed.exit_code == 1 and "not an annual statement" in mixed.output


def test_verify_needs_something_to_verify(runner, db):
    assert runner.invoke(args=["verify-statement"]).exit_code == 2
    assert runner.invoke(args=["verify-statement", "XS2025-99999999"]).exit_code == 1


def test_verify_certificates_offline_check_also_takes_a_statement(runner, finalized, now):
    """The same key signs both: verify-certificate's payload + signature check passes a statement."""
    statement = issue(finalized.trainee, now)
    args = ["verify-certificate", "--payload", statement.payload, "--signature", statement.signature]
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "signature valid" in result.output
