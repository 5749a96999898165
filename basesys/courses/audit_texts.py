"""How the audit log names courses and enrolments and reads a course's changes (§12)."""

from flask import url_for

from basesys.accounts.audit_texts import trainee_keys
from basesys.core.audit_text import AuditField, AuditSubject, readable
from basesys.courses.models import ATTENDANCE_MODES, CATEGORIES, DELIVERIES, FILING_STATUSES, KINDS
from basesys.courses.state import FIELD_LABELS


def course_keys(course) -> dict:
    """A course as the log names it (by title and filing number), linked by its id."""
    return {"course_title": course.title, "filing_number": course.filing_number, "course_id": course.id}


def course_link(_object_id, keys: dict) -> str | None:
    return url_for("courses.course_detail", course_id=keys["course_id"]) if keys.get("course_id") else None


def _enrollment_keys(enrollment) -> dict:
    return {**course_keys(enrollment.course), **trainee_keys(enrollment.trainee)}


def _sessions(value) -> str:
    """The sessions as local dates and times: "2025-06-10 09:00–12:00（3学时）、…"."""
    shown = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        start, end = readable(None, item.get("starts_at")) or "", readable(None, item.get("ends_at")) or ""
        hours = readable(None, item.get("credit_hours"))
        notes = [f"{hours}学时" if hours else "", item.get("venue") or "", "、".join(item.get("teachers") or [])]
        notes = "，".join(note for note in notes if note)
        shown.append(f"{start}–{end[11:] if end[:10] == start[:10] else end}" + (f"（{notes}）" if notes else ""))
    return "、".join(shown) or "无"


def _field_names(value) -> str:
    return "、".join(FIELD_LABELS.get(name, name) for name in value) if isinstance(value, list) else str(value)


def _venue_keys(venue) -> dict:
    return {"venue_name": venue.name, "venue_id": venue.id}


def _teacher_keys(teacher) -> dict:
    return {"teacher_name": teacher.name, "teacher_id": teacher.id}


def _venue_link(_object_id, keys: dict) -> str | None:
    return url_for("records.edit_venue", venue_id=keys["venue_id"]) if keys.get("venue_id") else None


def _teacher_link(_object_id, keys: dict) -> str | None:
    return url_for("records.edit_teacher", teacher_id=keys["teacher_id"]) if keys.get("teacher_id") else None


SUBJECTS = {
    "course": AuditSubject("培训项目", course_keys, "「{course_title}」", link=course_link),
    "enrollment": AuditSubject("报名", _enrollment_keys, "「{course_title}」", link=course_link),
    "venue": AuditSubject("场地", _venue_keys, "「{venue_name}」", link=_venue_link),
    "teacher": AuditSubject("授课教师", _teacher_keys, "{teacher_name}", link=_teacher_link),
}

ACTIONS = {
    "course.created": "创建了培训项目{subject}",
    "course.updated": "修改了培训项目{subject}",
    "course.copied": "复制了培训项目{subject}（复制自「{after[copied_from]}」）",
    "enrollment.created": "将学员{trainee_name}（{id_number}）加入了{subject}",
    "enrollment.removed": "将学员{trainee_name}（{id_number}）移出了{subject}",
    "venue.created": "添加了场地{subject}",
    "venue.updated": "修改了场地{subject}",
    "teacher.created": "添加了授课教师{subject}",
    "teacher.updated": "修改了授课教师{subject}",
    "enrollment.imported": "向{subject}导入了学员名单（新增报名 {after[imported]} 人）",
}

_HIDDEN = AuditField("", hidden=True)

FIELDS = {
    "course": {
        **{name: AuditField(label) for name, label in FIELD_LABELS.items()},
        "category": AuditField(FIELD_LABELS["category"], values=CATEGORIES),
        "kind": AuditField(FIELD_LABELS["kind"], values=KINDS),
        "delivery": AuditField(FIELD_LABELS["delivery"], values=DELIVERIES),
        "attendance_mode": AuditField(FIELD_LABELS["attendance_mode"], values=ATTENDANCE_MODES),
        "sessions": AuditField(FIELD_LABELS["sessions"], show=_sessions),
        "filing_status": AuditField("备案状态", values=FILING_STATUSES),
        "changes": AuditField("变更事项", show=_field_names),
        "file": AuditField("导入文件"),
        "imported": AuditField("新增报名人数"),
        "copied_from": AuditField("复制自"),
        "copied_from_id": _HIDDEN,
        "already_enrolled": AuditField("已在名单中"),
        "created_trainee_ids": _HIDDEN,
        "enrolled_trainee_ids": _HIDDEN,
    },
    "venue": {"name": AuditField("场地名称"), "address": AuditField("地址"), "capacity": AuditField("容纳人数")},
    "teacher": {"name": AuditField("姓名"), "title": AuditField("职称"), "employer": AuditField("工作单位")},
    "enrollment": {
        "course_id": _HIDDEN,
        "trainee_id": _HIDDEN,
        "source": AuditField("报名方式", values={"self": "学员自主报名", "admin": "基地添加", "import": "批量导入"}),
    },
}
