"""Demo filings: the courses demo's drafts filed and decided through the real services (so the audit
trail, the filing history and the filing numbers are real), with dates relative to `now`.

Runs after the courses demo and before attendance, certificates and rosters, which read the courses
by state from ctx["courses"]: approved_past, approved_today, approved_upcoming and jn_approved are
approved; submitted and submitted_late (补备案) wait; returned was sent back; change_filed was
approved, then its sessions changed (变更备案); draft stays a draft.
"""

from datetime import datetime, timedelta

from basesys.courses.services import SessionInput, update_course
from basesys.filing.services import decide_filing, submit_filing

DAY = timedelta(days=1)

# key: (submitted days before now, decided days before now, decision, comment); None: not decided
FILINGS = {
    "approved_past": (25, 24, "approve", "同意备案。"),
    "approved_today": (8, 7, "approve", ""),
    "approved_upcoming": (4, 3, "approve", "同意按市级高级研修班备案。"),
    "submitted": (2, None, None, ""),
    "returned": (5, 4, "return", "培训计划过于简略，请补充授课专家、每天的课程安排和考核方式后重新提交。"),
    "change_filed": (11, 10, "approve", ""),
    "jn_approved": (7, 6, "approve", "同意。"),
}


def _people(ctx: dict, course) -> tuple:
    """(the base admin who files, the officer who decides) of the course's demo base."""
    users = ctx["users"]
    if course.base_id == ctx["base_jn"].id:
        return users["admin_jn"], users["officer_jn"]
    return users["admin_zz"], users["officer_zz"]


def load(ctx: dict, now: datetime) -> None:
    courses = ctx["courses"]
    for key, (submitted, decided, decision, comment) in FILINGS.items():
        course = courses[key]
        admin, officer = _people(ctx, course)
        submit_filing(admin, course, now=now - submitted * DAY)
        if decided is not None:
            decide_filing(officer, course, decision=decision, comment=comment, now=now - decided * DAY)
    late = courses["submitted_late"]
    submit_filing(_people(ctx, late)[0], late, now=now - timedelta(hours=2))  # after its first session: 补备案
    changed = courses["change_filed"]
    kept = [SessionInput(s.starts_at, s.ends_at, s.title, s.credit_hours, s.id) for s in changed.sessions]
    added = SessionInput(kept[0].starts_at + DAY, kept[0].ends_at + DAY, "实训")
    update_course(_people(ctx, changed)[0], changed, values={}, sessions=[*kept, added], now=now - DAY)
