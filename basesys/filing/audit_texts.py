"""The sentences of a course's filing steps in the audit log (§4, §12); the course itself is
named by the courses feature."""

from basesys.core.audit_text import AuditField
from basesys.filing.history import PREFIX, FilingAction

ACTIONS = {
    PREFIX + FilingAction.SUBMITTED: "提交了{subject}的备案",
    PREFIX + FilingAction.RESUBMITTED: "修改后重新提交了{subject}的备案",
    PREFIX + FilingAction.CHANGE_SUBMITTED: "提交了{subject}的变更备案",
    PREFIX + FilingAction.AMENDED: "修改了已备案项目{subject}的非备案事项",
    PREFIX + FilingAction.APPROVED: "通过了{subject}的备案（备案号 {filing_number}）",
    PREFIX + FilingAction.RETURNED: "退回了{subject}的备案",
    PREFIX + FilingAction.WITHDRAWN: "在人社部门审核前撤回了{subject}的备案，项目回到草稿",
}

FIELDS = {
    "course": {
        "late": AuditField("补备案"),
        "filing_number": AuditField("备案号"),
    }
}
