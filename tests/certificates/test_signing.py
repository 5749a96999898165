"""Ed25519 signatures, the canonical payload, check codes and the key file (DOMAIN.md §8)."""

import base64
import json
import os
import stat

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from basesys.certificates.services.issue import CHECK_CODE_ALPHABET, CHECK_CODE_LENGTH, holder_digest, new_check_code
from basesys.certificates.signing import _load_signer, canonical_json, current_signer, verify_signature


def test_canonical_json_sorts_keys_without_spaces_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": "张伟", "c": 16.0}) == '{"a":"张伟","b":1,"c":16.0}'


def test_the_signature_checks_with_the_raw_public_key(db, finalized):
    certificate = finalized.certificate
    signer = current_signer()
    raw = base64.b64decode(signer.public_key_b64)
    assert len(raw) == 32
    Ed25519PublicKey.from_public_bytes(raw).verify(
        base64.b64decode(certificate.signature), certificate.payload.encode("utf-8")
    )  # raises if invalid
    assert verify_signature(certificate.payload, certificate.signature, signer.public_key_b64)
    tampered = certificate.payload.replace('"hours":16.0', '"hours":61.0')
    assert tampered != certificate.payload
    assert not verify_signature(tampered, certificate.signature, signer.public_key_b64)


def test_the_payload_has_a_version_a_key_id_and_every_printed_field(db, finalized):
    certificate, trainee = finalized.certificate, finalized.trainee
    fields = json.loads(certificate.payload)
    assert canonical_json(fields) == certificate.payload
    assert fields["v"] == 1 and fields["kid"] == current_signer().key_id == certificate.key_id
    assert fields["number"] == certificate.number and fields["hours"] == 16.0
    assert fields["name_masked"] == "李*" and fields["id_number_masked"] == trainee.id_number_masked
    assert fields["course_title"] == finalized.course.title and fields["base_name"] == "基地甲"
    assert fields["filing_number"] == finalized.course.filing_number
    assert (fields["starts_on"], fields["ends_on"], fields["issued_on"]) == ("2025-05-26", "2025-05-27", "2025-06-02")
    assert fields["holder_sha256"] == holder_digest(certificate.number, trainee.name, trainee.id_number)
    assert trainee.name not in certificate.payload and trainee.id_number not in certificate.payload


def test_check_codes_are_random_and_unambiguous():
    codes = {new_check_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CHECK_CODE_LENGTH and set(c) <= set(CHECK_CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(CHECK_CODE_ALPHABET)


def test_the_key_is_generated_once_with_mode_0600(tmp_path):
    path = tmp_path / "keys" / "signing.pem"
    first = _load_signer(str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    _load_signer.cache_clear()
    try:
        again = _load_signer(str(path))
        assert again.public_raw == first.public_raw and again.key_id == first.key_id
    finally:
        _load_signer.cache_clear()


def test_a_rotated_key_still_verifies_old_certificates(app, db, finalized, now, tmp_path):
    """After rotation the old key stays known by its id (signing_key), and new certificates use the new key."""
    from basesys.certificates.signing import known_public_keys

    old_kid = finalized.certificate.key_id
    old_path = app.config["SIGNING_KEY_PATH"]
    app.config["SIGNING_KEY_PATH"] = str(tmp_path / "new.pem")
    try:
        keys = known_public_keys()
        assert current_signer().key_id != old_kid and old_kid in keys
        assert verify_signature(finalized.certificate.payload, finalized.certificate.signature, keys[old_kid])
    finally:
        app.config["SIGNING_KEY_PATH"] = old_path
