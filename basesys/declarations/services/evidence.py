"""Evidence files (DOMAIN.md §11): images or PDF, typed by their content, stored under their sha256
outside the web root; only their trainee and the reviewers of their declaration open them.

The type is read from the first bytes by hand (the `filetype` library is not installed, and four
signatures are all we accept): a name or a client's Content-Type is never trusted.
"""

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from basesys.accounts.models import Role
from basesys.accounts.scope import is_self
from basesys.core.audit import audit
from basesys.core.errors import DomainError, NotFound
from basesys.core.policy import get_policy
from basesys.core.time import local_date
from basesys.declarations.models import Declaration, Evidence
from basesys.declarations.services.queries import declaration_scope
from basesys.extensions import db


def sniff(data: bytes) -> str | None:
    """The media type of the content, or None when it is not one we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _clean_name(filename: str | None) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f")
    return name[:200]


def evidence_path(evidence: Evidence, storage_dir: Path) -> Path:
    """Where the file lies: <storage_dir>/<sha256[:2]>/<sha256>."""
    return Path(storage_dir) / evidence.sha256[:2] / evidence.sha256


def _write_once(path: Path, data: bytes) -> None:
    """The same content is stored once; a new one is written whole or not at all."""
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store_evidence(actor, trainee, *, data: bytes, filename: str, now: datetime, storage_dir: Path) -> Evidence:
    """Stores an uploaded file as the trainee's (unattached) evidence. Refuses `evidence_invalid`:
    empty, larger than the policy's evidence_max_bytes, or not a PDF / PNG / JPEG / WebP by content."""
    if not is_self(actor, trainee):
        raise NotFound()
    limit = get_policy(trainee.rules_bureau_id, local_date(now).year).evidence_max_bytes
    media_type = sniff(data) if data else None
    if not data or len(data) > limit or media_type is None:
        raise DomainError("evidence_invalid")
    sha256 = hashlib.sha256(data).hexdigest()
    evidence = Evidence(
        trainee_id=trainee.id,
        sha256=sha256,
        size=len(data),
        media_type=media_type,
        original_name=_clean_name(filename),
        uploaded_at=now,
    )
    db.session.add(evidence)
    db.session.flush()
    _write_once(evidence_path(evidence, storage_dir), data)
    audit(
        actor,
        "declaration_evidence.uploaded",
        evidence,
        now=now,
        after={"sha256": sha256, "size": len(data), "media_type": media_type},
        bureau_id=trainee.rules_bureau_id,
    )
    return evidence


def get_evidence_for(user, evidence_id: int) -> Evidence:
    """The evidence if the user may open it: its trainee; reviewers in scope of the declaration it
    is attached to; the sysadmin. NotFound otherwise (unattached evidence: its trainee only)."""
    evidence = db.session.get(Evidence, evidence_id) if 0 < evidence_id < 2**31 else None
    if evidence is None:
        raise NotFound()
    if user.role == Role.TRAINEE:
        if evidence.trainee.user_id == user.id:
            return evidence
        raise NotFound()
    if evidence.declaration_id is None:
        raise NotFound()
    visible = db.session.scalar(
        db.select(Declaration.id).where(Declaration.id == evidence.declaration_id, declaration_scope(user))
    )
    if visible is None:
        raise NotFound()
    return evidence
