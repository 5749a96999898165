"""`flask --app wsgi verify-certificate`: offline signature checks by number or payload + signature."""

import json

from basesys.certificates.services import revoke_certificate
from basesys.certificates.signing import current_signer


def test_verify_by_number(runner, finalized):
    result = runner.invoke(args=["verify-certificate", finalized.certificate.number])
    assert result.exit_code == 0, result.output
    assert "signature valid" in result.output and "status: valid" in result.output


def test_verify_a_revoked_certificate_fails(runner, finalized, now, db):
    revoke_certificate(finalized.admin_a, finalized.certificate, reason="错误", now=now)
    db.session.commit()
    result = runner.invoke(args=["verify-certificate", finalized.certificate.number])
    assert result.exit_code == 1 and "status: revoked" in result.output


def test_verify_payload_and_signature_with_a_given_public_key(runner, finalized, tmp_path):
    certificate = finalized.certificate
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(certificate.payload, encoding="utf-8")
    args = ["verify-certificate", "--payload-file", str(payload_file), "--signature", certificate.signature]
    result = runner.invoke(args=[*args, "--public-key", current_signer().public_key_b64])
    assert result.exit_code == 0 and "signature valid" in result.output
    tampered = json.loads(certificate.payload) | {"hours": 99.0}
    payload_file.write_text(json.dumps(tampered, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    result = runner.invoke(args=[*args, "--public-key", current_signer().public_key_b64])
    assert result.exit_code == 1 and "INVALID" in result.output


def test_verify_the_holder(runner, finalized):
    certificate, trainee = finalized.certificate, finalized.trainee
    base = ["verify-certificate", "--payload", certificate.payload, "--signature", certificate.signature]
    ok = runner.invoke(args=[*base, "--name", trainee.name, "--id-number", trainee.id_number])
    assert ok.exit_code == 0 and "holder matches" in ok.output
    other = runner.invoke(args=[*base, "--name", "王五", "--id-number", trainee.id_number])
    assert other.exit_code == 1 and "does NOT match" in other.output


def test_verify_needs_something_to_verify(runner, db):
    assert runner.invoke(args=["verify-certificate"]).exit_code == 2
    assert runner.invoke(args=["verify-certificate", "2025-9999-000001"]).exit_code == 1
