"""A course's filing history, read from the audit log (DOMAIN.md §4 "谁审核，谁负责", §12).

Every filing step is one audit record `filing.<step>` on the course: who (`actor_id`, shown by
the account's name), when, `reason` the comment, and `after` the state the step left (filing
status, late flag 补备案, filing number, the fields changed since the last approval). The log is the one record of these
steps; roster filing reads its history the same way.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from basesys.accounts.models import User
from basesys.accounts.scope import in_base_scope
from basesys.core.audit import AuditRecord, audit, history_of
from basesys.courses import month_figures
from basesys.courses.models import Course, FilingStatus
from basesys.extensions import db


class FilingAction(StrEnum):
    """A step of a course's filing; its audit action is `filing.<value>`."""

    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    CHANGE_SUBMITTED = "change_submitted"  # 变更备案 (§4)
    AMENDED = "amended"  # another edit of an approved course, shown to the bureau
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"  # 撤回: the base takes a waiting filing back (issue 13)


FILING_ACTIONS = {
    FilingAction.SUBMITTED: "提交备案",
    FilingAction.RESUBMITTED: "修改后重新提交",
    FilingAction.CHANGE_SUBMITTED: "提交变更备案",
    FilingAction.AMENDED: "修改非备案事项",
    FilingAction.APPROVED: "审核通过",
    FilingAction.RETURNED: "退回修改",
    FilingAction.WITHDRAWN: "撤回备案",
}
DECISIONS = (FilingAction.APPROVED, FilingAction.RETURNED)
PREFIX = "filing."
# The trends' figure each step counts in (courses.month_figures); an amendment counts in none.
FIGURE_OF_STEP = {
    FilingAction.SUBMITTED: "submitted",
    FilingAction.RESUBMITTED: "submitted",
    FilingAction.CHANGE_SUBMITTED: "submitted",
    FilingAction.APPROVED: "approved",
    FilingAction.RETURNED: "returned",
}


def _audit_actions(actions) -> tuple[str, ...]:
    return tuple(PREFIX + action for action in actions)


@dataclass(frozen=True)
class FilingStep:
    """One step of a course's filing as the pages, the PDF and the API show it."""

    course_id: int
    action: FilingAction
    at: datetime
    actor_id: int | None
    actor_name: str
    comment: str
    late: bool
    filing_number: str | None
    changes: list | None
    course: Course | None = None

    @property
    def action_label(self) -> str:
        return FILING_ACTIONS.get(self.action, self.action)

    @property
    def is_decision(self) -> bool:
        return self.action in DECISIONS

    @classmethod
    def of(cls, record: AuditRecord, names: dict, course: Course | None = None) -> "FilingStep":
        after = record.after or {}
        return cls(
            course_id=record.object_id,
            action=FilingAction(record.action.removeprefix(PREFIX)),
            at=record.at,
            actor_id=record.actor_id,
            actor_name=names.get(record.actor_id) or record.actor_label,
            comment=record.reason or "",
            late=bool(after.get("late")),
            filing_number=after.get("filing_number"),
            changes=after.get("changes"),
            course=course,
        )


def _names(records) -> dict[int, str]:
    """The display names of the records' actors (one query)."""
    ids = {r.actor_id for r in records if r.actor_id is not None}
    users = db.session.scalars(db.select(User).where(User.id.in_(ids))) if ids else []
    return {user.id: user.label for user in users}


def record_step(
    actor, course: Course, action: FilingAction, *, before: FilingStatus, now: datetime, comment: str = "", changes=None
) -> AuditRecord:
    """Append the audit record of one filing step and count it in the month's figures (the caller
    flushes)."""
    if action in FIGURE_OF_STEP:
        month_figures.add(course.base_id, now, **{FIGURE_OF_STEP[action]: 1})
    return audit(
        actor,
        PREFIX + action,
        course,
        now=now,
        before={"filing_status": before},
        after={
            "filing_status": course.filing_status,
            "late": course.filing_late,
            "filing_number": course.filing_number,
            "changes": changes,
        },
        reason=comment,
        base_id=course.base_id,
        bureau_id=course.base.bureau_id,
    )


def filing_history(course: Course) -> list[FilingStep]:
    """The course's filing steps, oldest first."""
    records = history_of("course", course.id, actions=_audit_actions(FILING_ACTIONS))
    names = _names(records)
    return [FilingStep.of(record, names, course) for record in records]


def last_event(course: Course, *actions: str) -> FilingStep | None:
    """The latest step of the course (of these actions, when given)."""
    steps = [s for s in filing_history(course) if not actions or s.action in actions]
    return steps[-1] if steps else None


def recent_decisions(user, limit: int = 50) -> list[FilingStep]:
    """The latest approvals and returns on courses of the officer's bases, newest first."""
    query = (
        db.select(AuditRecord, Course)
        .join(Course, AuditRecord.object_id == Course.id)
        .where(
            AuditRecord.object_type == "course",
            AuditRecord.action.in_(_audit_actions(DECISIONS)),
            in_base_scope(user, Course.base_id),
        )
    )
    rows = db.session.execute(query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(limit)).all()
    names = _names(record for record, _course in rows)
    return [FilingStep.of(record, names, course) for record, course in rows]
