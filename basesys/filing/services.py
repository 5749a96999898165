"""Course filing (备案, DOMAIN.md §4): submit, approve or return, change filings, filing numbers.

draft → submitted → approved | returned; returned → (edit) → submitted. Editing the sessions,
category, kind or hours of an approved course puts it back to submitted (变更备案), which suspends
check-in until the bureau approves again. Every step is a FilingEvent plus an audit record.
"""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from basesys.accounts.scope import can_supervise_base, visible_base_ids
from basesys.core.audit import audit
from basesys.core.errors import CORE_REFUSALS, DomainError, NotFound, Refusal, ValidationFailed, register_refusals
from basesys.core.time import local_date
from basesys.courses.models import Course, CourseSession
from basesys.courses.state import FIELD_LABELS, changed_fields, course_state, session_changes
from basesys.extensions import db
from basesys.filing.models import FilingEvent, FilingSequence

REFUSALS = {
    "no_sessions": Refusal(422, "请至少添加一个课次后再提交备案。", "Add at least one session before filing."),
    "filing_incomplete": Refusal(
        422, "备案信息不完整，请补全标出的项目后再提交。", "The filing is incomplete; fill in the marked fields."
    ),
    "filing_already_submitted": Refusal(
        409, "该课程已提交备案，正在等待人社部门审核。", "This course is already waiting for the bureau."
    ),
    "filing_already_approved": Refusal(
        409,
        "该课程已备案通过；修改课次、类别或学时后会自动提交变更备案。",
        "This course is approved; changing its sessions, category or hours files a change.",
    ),
    "filing_not_submitted": Refusal(
        409, "该课程当前不在待审核状态，不能审核。", "This course is not waiting for a decision."
    ),
    "invalid_decision": Refusal(422, "审核结论只能是通过或退回。", "The decision must be approve or return."),
}
register_refusals("filing", REFUSALS)

# Fields of the Zaozhuang form (附件2) that must be filled before the bureau sees the filing.
REQUIRED_FOR_FILING = ("title", "responsible", "contact", "contact_phone", "target", "location", "plan")


def _actor_name(actor) -> str:
    return getattr(actor, "label", None) or getattr(actor, "username", "") or "system"


def _scope(course: Course) -> dict:
    return {"base_id": course.base_id, "bureau_id": course.base.bureau_id}


def _first_start(course: Course) -> datetime | None:
    return min((s.starts_at for s in course.sessions), default=None)


def is_late(course: Course, now: datetime) -> bool:
    """Filed after the first session has started: accepted but flagged 补备案 (§4)."""
    first = _first_start(course)
    return first is not None and now >= first


def _record(actor, course: Course, action: str, *, now: datetime, comment: str = "", changes=None) -> FilingEvent:
    event = FilingEvent(
        course=course,
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_name=_actor_name(actor),
        at=now,
        comment=comment,
        late=course.filing_late,
        filing_number=course.filing_number,
        changes=changes,
        snapshot=course_state(course),
    )
    db.session.add(event)
    return event


def _check_complete(course: Course) -> None:
    if not course.sessions:
        raise ValidationFailed({"sessions": REFUSALS["no_sessions"].zh}, code="no_sessions")
    missing = {name: "备案时必填" for name in REQUIRED_FOR_FILING if not (getattr(course, name) or "").strip()}
    if not course.planned_headcount or course.planned_headcount < 1:
        missing["planned_headcount"] = "备案时必填"
    if missing:
        raise ValidationFailed(missing, code="filing_incomplete")


def submit_filing(actor, course: Course, *, now: datetime) -> Course:
    """Draft or returned → submitted. Refuses `course_finalized`, `filing_already_submitted`,
    `filing_already_approved`, `no_sessions`, `filing_incomplete`."""
    if course.finalized:
        raise DomainError("course_finalized")
    if course.filing_status == "submitted":
        raise DomainError("filing_already_submitted")
    if course.filing_status == "approved":
        raise DomainError("filing_already_approved")
    _check_complete(course)
    before = course.filing_status
    action = "resubmitted" if before == "returned" else "submitted"
    changes = changed_fields(course.approved_snapshot, course_state(course)) or None
    course.filing_status, course.submitted_at = "submitted", now
    course.filing_late = is_late(course, now)
    _record(actor, course, action, now=now, changes=changes)
    audit(
        actor,
        f"filing.{action}",
        course,
        now=now,
        before={"filing_status": before},
        after={"filing_status": "submitted", "late": course.filing_late},
        **_scope(course),
    )
    db.session.flush()
    return course


def file_change(actor, course: Course, *, before: dict, now: datetime) -> Course:
    """An approved course whose sessions, category, kind or hours changed goes back to the bureau
    (变更备案); check-in stays suspended until it is approved again (§4). Refuses, like a first
    filing, `no_sessions` and `filing_incomplete`."""
    _check_complete(course)
    changes = changed_fields(course.approved_snapshot or before, course_state(course))
    course.filing_status, course.submitted_at = "submitted", now
    course.filing_late = is_late(course, now)
    _record(actor, course, "change_submitted", now=now, changes=changes)
    audit(
        actor,
        "filing.change_submitted",
        course,
        now=now,
        before={"filing_status": "approved"},
        after={"filing_status": "submitted", "late": course.filing_late, "changes": changes},
        **_scope(course),
    )
    db.session.flush()
    return course


def record_amendment(actor, course: Course, *, before: dict, now: datetime) -> FilingEvent:
    """Another edit of an approved course (contact, location, plan text): nothing is suspended, but
    the bureau sees it in the filing history (§4). The filed form must stay complete."""
    _check_complete(course)
    event = _record(actor, course, "amended", now=now, changes=changed_fields(before, course_state(course)))
    db.session.flush()
    return event


def decide_filing(actor, course: Course, *, decision: str, comment: str, now: datetime) -> Course:
    """Approve (assigning the filing number on the first approval) or return with a comment.
    Refuses `invalid_decision`, `filing_not_submitted`, `comment_required`; 404 outside the
    officer's bureaus."""
    if not can_supervise_base(actor, course.base):
        raise NotFound()
    if decision not in ("approve", "return"):
        raise ValidationFailed({"decision": REFUSALS["invalid_decision"].zh}, code="invalid_decision")
    if course.filing_status != "submitted":
        raise DomainError("filing_not_submitted")
    comment = (comment or "").strip()
    if decision == "return" and not comment:
        raise ValidationFailed({"comment": CORE_REFUSALS["comment_required"].zh}, code="comment_required")
    if decision == "approve":
        if course.filing_number is None:
            course.filing_number = next_filing_number(course)
        course.filing_status, course.approved_at = "approved", now
    else:
        course.filing_status = "returned"
    state = course_state(course)
    changes = changed_fields(course.approved_snapshot, state) or None
    if decision == "approve":
        course.approved_snapshot = state
    action = "approved" if decision == "approve" else "returned"
    _record(actor, course, action, now=now, comment=comment, changes=changes)
    audit(
        actor,
        f"filing.{action}",
        course,
        now=now,
        before={"filing_status": "submitted"},
        after={"filing_status": course.filing_status, "filing_number": course.filing_number},
        reason=comment,
        **_scope(course),
    )
    db.session.flush()
    return course


def filing_year(course: Course) -> int:
    """Filing numbers count per base and per year of the course's first session (the training year
    of the annual plan the form belongs to), whenever the bureau approves it."""
    first = _first_start(course)
    return local_date(first).year if first is not None else local_date(course.created_at).year


def next_filing_number(course: Course) -> str:
    """`备2025-0003-0012`: year, base code, sequence per base and year (§4)."""
    year = filing_year(course)
    value = _next_sequence(course.base_id, year)
    return f"备{year}-{course.base.code}-{value:04d}"


def _next_sequence(base_id: int, year: int) -> int:
    where = (FilingSequence.base_id == base_id, FilingSequence.year == year)
    for _attempt in range(3):
        # The UPDATE takes the row lock: a concurrent approval waits and then counts on from ours.
        result = db.session.execute(
            update(FilingSequence)
            .where(*where)
            .values(last_value=FilingSequence.last_value + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            return db.session.scalar(db.select(FilingSequence.last_value).where(*where))
        try:
            with db.session.begin_nested():
                db.session.add(FilingSequence(base_id=base_id, year=year, last_value=1))
            return 1
        except IntegrityError:
            continue  # another transaction created the row first: update it
    raise DomainError("internal_error", status=500)


# --- queries ----------------------------------------------------------------------------------


def list_filings(user, status: str = "submitted") -> list[Course]:
    """Courses of the bases the officer supervises in one filing state; the waiting ones oldest
    first (so the longest-waiting filing is decided first), the others newest first."""
    base_ids = visible_base_ids(user)
    query = db.select(Course).where(Course.filing_status == status)
    if base_ids is not None:
        query = query.where(Course.base_id.in_(base_ids or {-1}))
    if status == "submitted":
        query = query.order_by(Course.submitted_at.asc(), Course.id)
    else:
        query = query.order_by(Course.updated_at.desc(), Course.id.desc())
    return list(db.session.scalars(query))


def count_waiting(user) -> tuple[int, int]:
    """(filings waiting, of which late) for the officer's home panel."""
    courses = list_filings(user, "submitted")
    return len(courses), sum(1 for c in courses if c.filing_late)


def filing_history(course: Course) -> list[FilingEvent]:
    return list(
        db.session.scalars(
            db.select(FilingEvent).where(FilingEvent.course_id == course.id).order_by(FilingEvent.at, FilingEvent.id)
        )
    )


def last_event(course: Course, *actions: str) -> FilingEvent | None:
    query = db.select(FilingEvent).where(FilingEvent.course_id == course.id)
    if actions:
        query = query.where(FilingEvent.action.in_(actions))
    return db.session.scalar(query.order_by(FilingEvent.at.desc(), FilingEvent.id.desc()).limit(1))


def recent_decisions(user, limit: int = 50) -> list[FilingEvent]:
    """The latest approvals and returns on courses of the officer's bases."""
    base_ids = visible_base_ids(user)
    query = (
        db.select(FilingEvent)
        .join(Course, FilingEvent.course_id == Course.id)
        .where(FilingEvent.action.in_(("approved", "returned")))
    )
    if base_ids is not None:
        query = query.where(Course.base_id.in_(base_ids or {-1}))
    return list(db.session.scalars(query.order_by(FilingEvent.at.desc(), FilingEvent.id.desc()).limit(limit)))


def changes_since_approval(course: Course) -> dict | None:
    """What a change filing changes: field by field and session by session; None if never approved."""
    if course.approved_snapshot is None:
        return None
    before, after = course.approved_snapshot, course_state(course)
    fields = [
        {"name": name, "label": FIELD_LABELS.get(name, name), "before": before.get(name), "after": after.get(name)}
        for name in changed_fields(before, after)
        if name != "sessions"
    ]
    return {"fields": fields, "sessions": session_changes(before, after)}


def sessions_of(course: Course) -> list[CourseSession]:
    return sorted(course.sessions, key=lambda s: (s.starts_at, s.ends_at))
