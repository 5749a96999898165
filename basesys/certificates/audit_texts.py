"""How the audit log names certificates and ledger entries, and reads finalisation (§8, §12)."""

from flask import url_for

from basesys.accounts.audit_texts import trainee_keys
from basesys.certificates.models import CERTIFICATE_STATUSES, LEDGER_STATUSES
from basesys.core.audit_text import AuditField, AuditSubject
from basesys.courses.audit_texts import course_keys, course_link


def _certificate_keys(certificate) -> dict:
    return {
        **course_keys(certificate.course),
        "trainee_name": certificate.holder_name,
        "id_number": certificate.trainee.id_number,
        "certificate_number": certificate.number,
    }


def _certificate_link(_object_id, keys: dict) -> str | None:
    number = keys.get("certificate_number")
    return url_for("certificates.download", number=number) if number else None


def _ledger_keys(entry) -> dict:
    return {**course_keys(entry.course), **trainee_keys(entry.trainee)}


SUBJECTS = {
    "certificate": AuditSubject("证书", _certificate_keys, "{certificate_number}", link=_certificate_link),
    "ledgerentry": AuditSubject("学时记录", _ledger_keys, "「{course_title}」", link=course_link),
}

ACTIONS = {
    "certificate.issue": (
        "为学员{trainee_name}（{id_number}）颁发了「{course_title}」的证书 {subject}（{after[hours]} 学时）"
    ),
    "certificate.revoke": "撤销了学员{trainee_name}（{id_number}）「{course_title}」的证书 {subject}",
    "ledger.void": "作废了学员{trainee_name}（{id_number}）在{subject}的学时",
    "trainee.fraud_flag": "将学员{subject}标记为弄虚作假（一票否决）",
    "course.finalize": "对{subject}进行了结业认定：结业 {after[completed]} 人，未结业 {after[not_completed]} 人",
    "ledger.recognize": "认定了{subject}的 {after[recognized]} 条学时记录",
}

_HIDDEN = AuditField("", hidden=True)

FIELDS = {
    "certificate": {
        "number": AuditField("证书编号"),
        "trainee_id": _HIDDEN,
        "hours": AuditField("学时"),
        "status": AuditField("状态", values=CERTIFICATE_STATUSES),
        "fraud": AuditField("因弄虚作假撤销"),
    },
    "ledgerentry": {"status": AuditField("状态", values=LEDGER_STATUSES)},
    "course": {
        "completed": AuditField("结业人数"),
        "not_completed": AuditField("未结业人数"),
        "certificates": AuditField("发证数"),
        "recognized": AuditField("认定学时记录数"),
    },
}
