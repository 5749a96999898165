"""Revocation (DOMAIN.md §8): a mandatory reason, the ledger entry voided, audited, nothing deleted."""

import pytest

from basesys.certificates.models import Certificate, LedgerEntry
from basesys.certificates.services import get_certificate_for, revoke_certificate
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError, ValidationFailed


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoke_needs_a_reason(db, finalized, now, reason):
    with pytest.raises(ValidationFailed) as error:
        revoke_certificate(finalized.admin_a, finalized.certificate, reason=reason, now=now)
    assert error.value.status == 422 and "reason" in error.value.fields


def test_revoke_voids_the_ledger_entry_and_keeps_every_row(db, finalized, now):
    revoke_certificate(finalized.officer_a, finalized.certificate, reason="出勤记录不实", now=now)
    db.session.commit()
    certificate = db.session.scalar(db.select(Certificate))
    assert (certificate.status, certificate.revoked_reason, certificate.revoked_at) == ("revoked", "出勤记录不实", now)
    assert certificate.revoked_by_id == finalized.officer_a.id
    entry = db.session.scalar(db.select(LedgerEntry))
    assert entry.status == "void" and entry.voided_at == now
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "certificate.revoke"))
    assert record.reason == "出勤记录不实" and record.base_id == finalized.base_a.id
    assert record.actor_id == finalized.officer_a.id
    assert finalized.trainee.fraud_flag is False


def test_revoke_twice_is_refused(db, finalized, now):
    revoke_certificate(finalized.admin_a, finalized.certificate, reason="重复发放", now=now)
    with pytest.raises(DomainError) as error:
        revoke_certificate(finalized.admin_a, finalized.certificate, reason="再次", now=now)
    assert error.value.code == "already_revoked" and error.value.status == 409


def test_revoke_for_fraud_flags_the_trainee(db, finalized, now):
    revoke_certificate(finalized.officer_province, finalized.certificate, reason="代签到", now=now, fraud=True)
    db.session.commit()
    trainee = finalized.trainee
    db.session.refresh(trainee)
    assert (
        trainee.fraud_flag is True
        and "代签到" in trainee.fraud_note
        and finalized.certificate.number in trainee.fraud_note
    )
    assert db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "trainee.fraud_flag")) is not None


def test_who_may_revoke_and_download(db, finalized):
    number = finalized.certificate.number
    for user in (finalized.admin_a, finalized.officer_a, finalized.officer_province):
        assert get_certificate_for(user, number, manage=True).number == number
    for user in (finalized.admin_b, finalized.officer_b, finalized.officer_county, finalized.admin_county):
        with pytest.raises(DomainError) as error:
            get_certificate_for(user, number, manage=True)
        assert error.value.code == "not_found"
    owner = finalized.trainee.user
    assert get_certificate_for(owner, number).number == number
    with pytest.raises(DomainError) as error:
        get_certificate_for(owner, number, manage=True)
    assert error.value.code == "forbidden"
    with pytest.raises(DomainError) as error:
        get_certificate_for(finalized.other_trainee.user, number)
    assert error.value.code == "not_found"
