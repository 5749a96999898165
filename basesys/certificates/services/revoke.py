"""Revocation (撤销, DOMAIN.md §8): the certificate says so, its ledger entry is voided, nothing is deleted."""

from datetime import datetime

from basesys.certificates.models import Certificate, CertificateStatus, LedgerEntry, LedgerStatus
from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.time import local_date
from basesys.courses import month_figures
from basesys.extensions import db


def revoke_certificate(
    actor, certificate: Certificate, *, reason: str, now: datetime, fraud: bool = False
) -> Certificate:
    """Revoke with a mandatory reason; refuses `validation_failed` (no reason) and `already_revoked`.

    `fraud` flags the trainee ("一票否决"). The caller has checked that the actor is the certificate's
    base or one of its supervising bureaus.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "请填写撤销原因"})
    if certificate.status == CertificateStatus.REVOKED:
        raise DomainError("already_revoked")
    certificate.status, certificate.revoked_at = CertificateStatus.REVOKED, now
    certificate.revoked_reason, certificate.revoked_by_id = reason, getattr(actor, "id", None)
    scope = {"base_id": certificate.base_id, "bureau_id": certificate.base.bureau_id}
    voided = _void_ledger_entry(actor, certificate, reason=reason, now=now, scope=scope)
    # The trends lose the certificate (培训人次) in the month it was issued, and the entry's hours.
    month_figures.add_many([(certificate.base_id, certificate.issued_at, {"trainee_times": -1}), *voided])
    audit(
        actor,
        "certificate.revoke",
        certificate,
        now=now,
        before={"status": CertificateStatus.VALID},
        after={"status": CertificateStatus.REVOKED, "fraud": fraud},
        reason=reason,
        **scope,
    )
    if fraud:
        _flag_fraud(actor, certificate, reason=reason, now=now, scope=scope)
    db.session.flush()
    return certificate


def _void_ledger_entry(actor, certificate: Certificate, *, reason: str, now: datetime, scope: dict) -> list:
    """Void the certificate's entry; returns what the trends lose (month_figures changes)."""
    entry = db.session.scalar(
        db.select(LedgerEntry).where(
            LedgerEntry.course_id == certificate.course_id, LedgerEntry.trainee_id == certificate.trainee_id
        )
    )
    if entry is None or entry.status == LedgerStatus.VOID:
        return []
    before = entry.status
    lost = [(certificate.base_id, entry.issued_at, {"hours_issued": -entry.hours})]
    if before == LedgerStatus.RECOGNIZED:
        lost.append((certificate.base_id, entry.recognized_at, {"hours_recognized": -entry.hours}))
    entry.status, entry.voided_at = LedgerStatus.VOID, now
    audit(
        actor,
        "ledger.void",
        entry,
        now=now,
        before={"status": before},
        after={"status": LedgerStatus.VOID},
        reason=reason,
        **scope,
    )
    return lost


def _flag_fraud(actor, certificate: Certificate, *, reason: str, now: datetime, scope: dict) -> None:
    """一票否决: the trainee carries the flag and a note of why."""
    trainee = certificate.trainee
    note = f"{local_date(now).isoformat()} 证书 {certificate.number} 因弄虚作假撤销：{reason}"
    trainee.fraud_flag = True
    trainee.fraud_note = f"{trainee.fraud_note}\n{note}".strip()
    audit(actor, "trainee.fraud_flag", trainee, now=now, after={"fraud_flag": True}, reason=reason, **scope)
