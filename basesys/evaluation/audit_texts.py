"""How the audit log names an evaluation answer (§12, §13): the course only, never the trainee.

The record has no actor (core.audit_text reads it as 系统) and no before/after: the log, which the
base and its bureaus read, says that an answer came in for the course, not whose or what."""

from flask import url_for

from basesys.core.audit_text import AuditSubject
from basesys.courses.audit_texts import course_keys


def _link(_object_id, keys: dict) -> str | None:
    return url_for("evaluation.course_results", course_id=keys["course_id"]) if keys.get("course_id") else None


SUBJECTS = {"evaluation": AuditSubject("质量评估", course_keys, "「{course_title}」", link=_link)}

ACTIONS = {"evaluation.answer": "收到一份学员对{subject}的匿名质量评估"}
