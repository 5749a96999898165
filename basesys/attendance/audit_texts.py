"""How the audit log names an attendance row (a trainee at a session) and reads a manual entry (§6, §12)."""

from flask import url_for

from basesys.accounts.audit_texts import trainee_keys
from basesys.attendance.models import VIA_LABELS
from basesys.core.audit_text import AuditField, AuditSubject
from basesys.core.time import LOCAL_TZ
from basesys.courses.audit_texts import course_keys


def _attendance_keys(row) -> dict:
    course_session = row.course_session
    start = course_session.starts_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return {**course_keys(course_session.course), **trainee_keys(row.trainee), "session": start}


def _link(_object_id, keys: dict) -> str | None:
    return url_for("attendance.course_attendance", course_id=keys["course_id"]) if keys.get("course_id") else None


SUBJECTS = {"attendance": AuditSubject("考勤", _attendance_keys, "「{course_title}」", link=_link)}

ACTIONS = {
    "attendance.manual_check_in": "为学员{trainee_name}（{id_number}）补录了{subject}（{session} 课次）的签到",
    "attendance.manual_check_out": "为学员{trainee_name}（{id_number}）补录了{subject}（{session} 课次）的签退",
    # Staff scan (§6): one sentence per scan that changed a row; the changes say staff or offline.
    "attendance.staff_check_in": "扫学员码为学员{trainee_name}（{id_number}）记录了{subject}（{session} 课次）的签到",
    "attendance.staff_check_out": "扫学员码为学员{trainee_name}（{id_number}）记录了{subject}（{session} 课次）的签退",
    "attendance.checkin_code_renewed": "更新了{subject}的个人签到码（此前的签到码和签到卡作废）",
}

FIELDS = {
    "attendance": {
        "check_in": AuditField("签到时间"),
        "check_out": AuditField("签退时间"),
        "check_in_manual": AuditField("签到为补录"),
        "check_out_manual": AuditField("签退为补录"),
        "via": AuditField("记录方式", values={str(k): v for k, v in VIA_LABELS.items()}),
        "device_time": AuditField("扫码设备上的时间"),
    },
    "trainee": {"generation": AuditField("签到码版本")},
}
