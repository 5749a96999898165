"""How the audit log names declarations, their evidence and rule sets, and reads their steps (§11, §12)."""

from basesys.core.audit_text import AuditField, AuditSubject
from basesys.declarations.models import DeclarationStatus


def _declaration_keys(declaration) -> dict:
    trainee = declaration.trainee
    return {
        "trainee_name": trainee.name if trainee else "",
        "id_number": trainee.id_number if trainee else "",
        "declaration_title": declaration.title,
    }


def _evidence_keys(evidence) -> dict:
    trainee = evidence.trainee
    return {
        "trainee_name": trainee.name if trainee else "",
        "id_number": trainee.id_number if trainee else "",
        "file_name": evidence.original_name,
    }


SUBJECTS = {
    "declaration": AuditSubject("学时申报", _declaration_keys, "{trainee_name}的学时申报「{declaration_title}」"),
    "evidence": AuditSubject("证明材料", _evidence_keys, "{trainee_name}的证明材料「{file_name}」"),
    "ruleset": AuditSubject(
        "学时折算标准", lambda rule_set: {"rule_set_name": rule_set.name, "year": rule_set.year}, "{rule_set_name}"
    ),
}

ACTIONS = {
    "declaration.submitted": "提交了{subject}",
    "declaration.resubmitted": "修改后重新提交了{subject}",
    "declaration.employer_approved": "（用人单位）审核通过了{subject}",
    "declaration.recognized": "（人社部门）审核通过并认定了{subject}",
    "declaration.returned": "退回了{subject}",
    "declaration.moved": "学员更换工作单位，{subject}转至新单位审核",
    "declaration_evidence.uploaded": "上传了{subject}",
    "declaration_rule_set.loaded": "导入了{subject}",
}

STATUSES = {
    DeclarationStatus.SUBMITTED: "待审核",
    DeclarationStatus.EMPLOYER_APPROVED: "单位已审核",
    DeclarationStatus.RECOGNIZED: "已认定",
    DeclarationStatus.RETURNED: "已退回",
}
STAGES = {"employer": "用人单位", "bureau": "人社部门"}
_ID = AuditField("", hidden=True)

FIELDS = {
    "declaration": {
        "year": AuditField("年度"),
        "rule": AuditField("申报项目"),
        "option": AuditField("选项"),
        "category": AuditField("科目类别", values={"public": "公需科目", "professional": "专业科目", "both": "两类"}),
        "quantity": AuditField("数量"),
        "title": AuditField("名称"),
        "hours_claimed": AuditField("申报学时"),
        "hours_granted": AuditField("核定学时"),
        "grant_note": AuditField("核定说明"),
        "status": AuditField("状态", values=STATUSES),
        "stage": AuditField("审核环节", values=STAGES),
        "employer_id": _ID,
    },
    "evidence": {
        "sha256": AuditField("SHA-256"),
        "size": AuditField("大小（字节）"),
        "media_type": AuditField("文件类型"),
    },
    "ruleset": {
        "name": AuditField("名称"),
        "year": AuditField("年度"),
        "source_sha256": AuditField("文件SHA-256"),
    },
}
