"""How the audit log names a roster filing and reads its steps (§9, §12)."""

from flask import url_for

from basesys.core.audit_text import AuditField, AuditSubject
from basesys.courses.audit_texts import course_keys
from basesys.rosters.models import ROSTER_STATUSES


def _roster_keys(roster) -> dict:
    return course_keys(roster.course)


def _link(_object_id, keys: dict) -> str | None:
    return url_for("rosters.roster", course_id=keys["course_id"]) if keys.get("course_id") else None


SUBJECTS = {"roster": AuditSubject("学员名单", _roster_keys, "「{course_title}」", link=_link)}

ACTIONS = {
    "roster.open": "开启了{subject}的学员名单备案（报送截止 {after[due_on]}）",
    "roster.submit": "报送了{subject}的学员名单（{after[rows]} 人）",
    "roster.accept": "接收了{subject}的学员名单",
    "roster.return": "退回了{subject}的学员名单",
    "roster.summary": "修改了{subject}的培训情况总结",
    "roster.overdue": "记录{subject}的学员名单逾期未报送（截止 {after[due_on]}）",
}

FIELDS = {
    "roster": {
        "status": AuditField("状态", values=ROSTER_STATUSES),
        "due_on": AuditField("报送截止日期"),
        "rows": AuditField("名单人数"),
        "late": AuditField("逾期报送"),
        "summary": AuditField("培训情况总结"),
    }
}
