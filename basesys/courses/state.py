"""A course's filed content as plain data: for audit records, the approved snapshot and the diff the
bureau reviews (DOMAIN.md §4 "change filing", §12)."""

from basesys.core.time import iso
from basesys.courses.models import Course

# Plain fields of the Zaozhuang form (附件2) and the rules of a course (§3).
COURSE_FIELDS = (
    "title",
    "category",
    "kind",
    "delivery",
    "location",
    "target",
    "planned_headcount",
    "capacity",
    "responsible",
    "contact",
    "contact_phone",
    "plan",
    "apply_municipal_seminar",
    "attendance_mode",
    "pass_ratio",
)

# Editing one of these (or the sessions) of an approved course is a change filing (变更备案, §4).
FILED_TERMS = ("category", "kind", "planned_days", "planned_hours")

FIELD_LABELS = {
    "title": "项目名称",
    "category": "科目类别",
    "kind": "项目类型",
    "delivery": "培训形式",
    "location": "培训地点",
    "target": "计划培训对象",
    "planned_headcount": "计划培训人数",
    "capacity": "人数上限",
    "responsible": "负责人",
    "contact": "联系人",
    "contact_phone": "联系电话",
    "plan": "培训计划",
    "apply_municipal_seminar": "申请市级高级研修班",
    "attendance_mode": "考勤方式",
    "pass_ratio": "结业比例",
    "planned_days": "培训天数",
    "planned_hours": "拟计算学时",
    "sessions": "课次安排",
}


def field_label(name: str) -> str:
    """The Chinese label of a course field (the filing history, the missing fields of a filing)."""
    return FIELD_LABELS.get(name, name)


def session_state(course_session) -> dict:
    return {
        "id": course_session.id,
        "starts_at": iso(course_session.starts_at),
        "ends_at": iso(course_session.ends_at),
        "credit_hours": float(course_session.credit_hours),
        "title": course_session.title or "",
        "venue_id": course_session.venue_id,
        "venue": course_session.venue.name if course_session.venue is not None else "",
        "teacher_ids": [t.id for t in course_session.teachers],
        "teachers": [t.name for t in course_session.teachers],
    }


def course_state(course: Course) -> dict:
    """Every filed field, the planned totals and the sessions in time order (JSON-safe)."""
    state = {name: getattr(course, name) for name in COURSE_FIELDS}
    state["pass_ratio"] = None if course.pass_ratio is None else float(course.pass_ratio)
    state["planned_days"] = int(course.planned_days or 0)
    state["planned_hours"] = float(course.planned_hours or 0)
    ordered = sorted(course.sessions, key=lambda s: (s.starts_at, s.ends_at))
    state["sessions"] = [session_state(s) for s in ordered]
    return state


def filed_terms(state: dict) -> dict:
    """The part of a state whose change needs the bureau's approval again."""
    terms = {name: state.get(name) for name in FILED_TERMS}
    terms["sessions"] = [(s["starts_at"], s["ends_at"], s["credit_hours"]) for s in state.get("sessions", [])]
    return terms


def changed_fields(before: dict | None, after: dict) -> list[str]:
    """Names of the fields (and `sessions`) that differ, in form order."""
    if before is None:
        return []
    names = [n for n in (*COURSE_FIELDS, "planned_days", "planned_hours") if before.get(n) != after.get(n)]
    if _sessions_key(before) != _sessions_key(after):
        names.append("sessions")
    return names


def _sessions_key(state: dict) -> list:
    return [_one_key(s) for s in state.get("sessions", [])]


def session_changes(before: dict | None, after: dict) -> list[dict]:
    """Sessions added, removed or changed between two states, for the review page."""
    if before is None:
        return []
    old = {s["id"]: s for s in before.get("sessions", [])}
    new = {s["id"]: s for s in after.get("sessions", [])}
    out = []
    for sid, session in new.items():
        if sid not in old:
            out.append({"change": "added", "before": None, "after": session})
        elif _one_key(old[sid]) != _one_key(session):
            out.append({"change": "changed", "before": old[sid], "after": session})
    for sid, session in old.items():
        if sid not in new:
            out.append({"change": "removed", "before": session, "after": None})
    return sorted(out, key=lambda c: (c["after"] or c["before"])["starts_at"])


def _one_key(session: dict) -> tuple:
    """A session as compared: states written before venues existed have none (issue 13)."""
    booked = (session.get("venue_id"), tuple(session.get("teacher_ids") or ()))
    return (session["starts_at"], session["ends_at"], session["credit_hours"], session.get("title", ""), *booked)
