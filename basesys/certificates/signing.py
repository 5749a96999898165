"""Ed25519 signatures over a canonical payload (DOMAIN.md §8): anyone can check a certificate
offline with the published public key.

The private key is a PEM file at `SIGNING_KEY_PATH` (generated once, mode 0600, if absent). Its key
id — a short hash of the public key — is written into every payload, and every key that ever signed
is kept in `signing_key`, so the key can be rotated without invalidating certificates signed before.
"""

import base64
import binascii
import contextlib
import functools
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy.exc import IntegrityError

from basesys.certificates.models import SigningKey
from basesys.extensions import db

ALGORITHM = "Ed25519"
PAYLOAD_VERSION = 1


def canonical_json(fields: dict) -> str:
    """Sorted keys, no spaces, UTF-8 characters as themselves: the exact string that is signed."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def key_id_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey
    public_raw: bytes

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_raw)

    @property
    def public_key_b64(self) -> str:
        return b64(self.public_raw)

    def sign(self, payload: str) -> str:
        return b64(self.private_key.sign(payload.encode("utf-8")))


def _generate_key_file(path: Path) -> None:
    """Write a new key atomically: a temporary file linked into place, so two processes starting at
    once end up with one key and nobody reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, pem)
        os.fsync(fd)
        os.close(fd)
        with contextlib.suppress(FileExistsError):  # another process won the race: use its key
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


@functools.cache
def _load_signer(path_text: str) -> Signer:
    path = Path(path_text)
    if not path.exists():
        _generate_key_file(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} is not an Ed25519 private key")
    public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return Signer(key, public_raw)


def current_signer() -> Signer:
    """The signer of SIGNING_KEY_PATH (the key is generated on first use)."""
    return _load_signer(str(current_app.config["SIGNING_KEY_PATH"]))


def record_signing_key(signer: Signer, now: datetime) -> None:
    """Remember the key that signs from now on (idempotent, safe against a concurrent insert)."""
    if db.session.get(SigningKey, signer.key_id) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(SigningKey(key_id=signer.key_id, public_key=signer.public_key_b64, first_used_at=now))
    except IntegrityError:
        pass


def known_public_keys() -> dict[str, str]:
    """key id → base64 public key of every key that has signed, the current one included."""
    keys = {row.key_id: row.public_key for row in db.session.scalars(db.select(SigningKey))}
    signer = current_signer()
    keys[signer.key_id] = signer.public_key_b64
    return keys


def decode_public_key(text: str) -> Ed25519PublicKey:
    """A public key from base64 of the raw 32 bytes, or from a PEM (SubjectPublicKeyInfo)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("the public key is not valid base64") from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_signature(payload: str, signature_b64: str, public_key: str) -> bool:
    """Does the base64 signature sign exactly this payload string under this public key?"""
    try:
        signature = base64.b64decode(signature_b64.strip(), validate=True)
        decode_public_key(public_key).verify(signature, payload.encode("utf-8"))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def payload_key_id(payload: str) -> str | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return data.get("kid") if isinstance(data, dict) else None
