"""How the audit log names annual statements and reads their issue (§12, §15)."""

from basesys.accounts.audit_texts import trainee_keys
from basesys.core.audit_text import AuditField, AuditSubject
from basesys.statements.models import STATEMENT_STATUSES


def _statement_keys(statement) -> dict:
    return {**trainee_keys(statement.trainee), "statement_number": statement.number, "statement_year": statement.year}


SUBJECTS = {"statement": AuditSubject("学时证明", _statement_keys, "{statement_number}")}

ACTIONS = {
    "statement.issue": (
        "为学员{trainee_name}（{id_number}）出具了 {after[year]} 年度学时证明 {subject}（合计 {after[total]} 学时）"
    ),
}

FIELDS = {
    "statement": {
        "number": AuditField("证明编号"),
        "year": AuditField("年度"),
        "total": AuditField("合计学时"),
        "superseded": AuditField("取代的证明"),
        "status": AuditField("状态", values=STATEMENT_STATUSES),
    },
}
