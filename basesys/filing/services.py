"""Course filing (备案, DOMAIN.md §4): submit, approve or return, change filings, filing numbers.

draft → submitted → approved | returned; returned → (edit) → submitted. Editing the sessions,
category, kind or hours of an approved course puts it back to submitted (变更备案), which suspends
check-in until the bureau approves again (filing hears of the edit through `course_changed`).
Every step is one audit record (filing.history), the one record of the filing's history.
"""

from datetime import datetime

from sqlalchemy import case, func, update
from sqlalchemy.exc import IntegrityError

from basesys.accounts.scope import can_supervise_base
from basesys.core.errors import CORE_REFUSALS, DomainError, NotFound, ValidationFailed
from basesys.core.paging import MAX_LIMIT, Keyset
from basesys.courses.listing import course_page, courses_in_scope
from basesys.courses.models import Course, CourseSession, FilingStatus
from basesys.courses.state import changed_fields, course_state, field_label, filed_terms, session_changes
from basesys.courses.year import course_year
from basesys.extensions import db
from basesys.filing.history import FilingAction, record_step
from basesys.filing.models import FilingSequence
from basesys.filing.refusals import REFUSALS

# Fields of the Zaozhuang form (附件2) that must be filled before the bureau sees the filing.
REQUIRED_FOR_FILING = ("title", "responsible", "contact", "contact_phone", "target", "location", "plan")


def _first_start(course: Course) -> datetime | None:
    return min((s.starts_at for s in course.sessions), default=None)


def is_late(course: Course, *, now: datetime) -> bool:
    """Filed after the first session has started: accepted but flagged 补备案 (§4)."""
    first = _first_start(course)
    return first is not None and now >= first


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
    if course.filing_status == FilingStatus.SUBMITTED:
        raise DomainError("filing_already_submitted")
    if course.filing_status == FilingStatus.APPROVED:
        raise DomainError("filing_already_approved")
    _check_complete(course)
    before = FilingStatus(course.filing_status)
    action = FilingAction.RESUBMITTED if before == FilingStatus.RETURNED else FilingAction.SUBMITTED
    changes = changed_fields(course.approved_snapshot, course_state(course)) or None
    course.filing_status, course.submitted_at = FilingStatus.SUBMITTED, now
    course.filing_late = is_late(course, now=now)
    record_step(actor, course, action, before=before, now=now, changes=changes)
    db.session.flush()
    return course


def _locked_status(course: Course) -> str:
    """The course's filing status in the database, its row locked until the caller commits (PostgreSQL;
    SQLite runs one writer at a time): a decision and a withdrawal at once see each other's result."""
    query = db.select(Course.filing_status).where(Course.id == course.id).with_for_update()
    return db.session.scalar(query)


def withdraw_filing(actor, course: Course, *, now: datetime) -> Course:
    """撤回: submitted → draft before the bureau decides (a change filing too: the edits stay and
    check-in stays suspended until it is filed and approved again). The course row is locked first,
    so a decision and a withdrawal at once cannot both succeed. Refuses `filing_not_withdrawable`."""
    if _locked_status(course) != FilingStatus.SUBMITTED:
        raise DomainError("filing_not_withdrawable")
    course.filing_status = FilingStatus.DRAFT
    record_step(actor, course, FilingAction.WITHDRAWN, before=FilingStatus.SUBMITTED, now=now)
    db.session.flush()
    return course


def file_edit(actor, course: Course, *, before: dict, after: dict, now: datetime) -> Course:
    """An edit of an approved course (sent by courses as `course_changed`): one of its sessions,
    category, kind or hours goes back to the bureau (变更备案, check-in suspended until approved
    again); any other edit is recorded for the bureau without suspending anything (§4). The filed
    form must stay complete: refuses `no_sessions`, `filing_incomplete`."""
    if course.filing_status != FilingStatus.APPROVED:
        return course
    _check_complete(course)
    if filed_terms(after) == filed_terms(before):
        record_step(
            actor,
            course,
            FilingAction.AMENDED,
            before=FilingStatus.APPROVED,
            now=now,
            changes=changed_fields(before, after),
        )
        db.session.flush()
        return course
    changes = changed_fields(course.approved_snapshot or before, after)
    course.filing_status, course.submitted_at = FilingStatus.SUBMITTED, now
    course.filing_late = is_late(course, now=now)
    record_step(actor, course, FilingAction.CHANGE_SUBMITTED, before=FilingStatus.APPROVED, now=now, changes=changes)
    db.session.flush()
    return course


def decide_filing(actor, course: Course, *, decision: str, comment: str, now: datetime) -> Course:
    """Approve (assigning the filing number on the first approval) or return with a comment.
    Refuses `invalid_decision`, `filing_not_submitted`, `comment_required`; 404 outside the
    officer's bureaus."""
    if not can_supervise_base(actor, course.base):
        raise NotFound()
    if decision not in ("approve", "return"):
        raise ValidationFailed({"decision": REFUSALS["invalid_decision"].zh}, code="invalid_decision")
    if _locked_status(course) != FilingStatus.SUBMITTED:  # a withdrawal at the same time waits (撤回)
        raise DomainError("filing_not_submitted")
    comment = (comment or "").strip()
    if decision == "return" and not comment:
        raise ValidationFailed({"comment": CORE_REFUSALS["comment_required"].zh}, code="comment_required")
    if decision == "approve":
        if course.filing_number is None:
            course.filing_number = next_filing_number(course)
        course.filing_status, course.approved_at = FilingStatus.APPROVED, now
    else:
        course.filing_status = FilingStatus.RETURNED
    state = course_state(course)
    changes = changed_fields(course.approved_snapshot, state) or None
    if decision == "approve":
        course.approved_snapshot = state
    action = FilingAction.APPROVED if decision == "approve" else FilingAction.RETURNED
    record_step(actor, course, action, before=FilingStatus.SUBMITTED, now=now, comment=comment, changes=changes)
    db.session.flush()
    return course


def next_filing_number(course: Course) -> str:
    """`备2025-0003-0012`: the course's year (DOMAIN.md §3, whenever the bureau approves it), base
    code, sequence per base and year (§4)."""
    year = course_year(course)
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


def _filings(user, status: str):
    return courses_in_scope(user, Course.filing_status == status)


def _filing_order(status: str) -> tuple[tuple, bool]:
    """The waiting ones oldest first (the longest-waiting filing is decided first), the others newest first."""
    if status == FilingStatus.SUBMITTED:
        return (Course.submitted_at, Course.id), False
    return (Course.updated_at, Course.id), True


def filings_page(user, status: str = FilingStatus.SUBMITTED, *, limit: int, after: int | None = None) -> Keyset:
    """One page of the courses of the bases the officer supervises in one filing state."""
    order, descending = _filing_order(status)
    return course_page(_filings(user, status), order, limit=limit, after=after, descending=descending)


def list_filings(user, status: str = FilingStatus.SUBMITTED, limit: int = MAX_LIMIT) -> list[Course]:
    """The first `limit` filings of `filings_page` (the officer's inbox)."""
    return filings_page(user, status, limit=limit).items


def count_waiting(user) -> tuple[int, int]:
    """(filings waiting, of which late) for the officer's home panel, counted in SQL."""
    waiting = _filings(user, FilingStatus.SUBMITTED).subquery()
    total, late = db.session.execute(
        db.select(func.count(), func.coalesce(func.sum(case((waiting.c.filing_late, 1), else_=0)), 0))
    ).one()
    return total, late


def changes_since_approval(course: Course) -> dict | None:
    """What a change filing changes: field by field and session by session; None if never approved."""
    if course.approved_snapshot is None:
        return None
    before, after = course.approved_snapshot, course_state(course)
    fields = [
        {"name": name, "label": field_label(name), "before": before.get(name), "after": after.get(name)}
        for name in changed_fields(before, after)
        if name != "sessions"
    ]
    return {"fields": fields, "sessions": session_changes(before, after)}


def sessions_of(course: Course) -> list[CourseSession]:
    return sorted(course.sessions, key=lambda s: (s.starts_at, s.ends_at))
