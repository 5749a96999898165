"""Batch filing decisions (issue 11, API.md `POST /api/v1/filings/decisions`): the officer approves
or returns many submitted filings at once, each decided by `services.decide_filing` in its own
savepoint, so one refused item neither stops nor undoes the others; each decision is audited."""

from datetime import datetime

from basesys.accounts.scope import in_base_scope
from basesys.core.batch import ItemOutcome, decide_each
from basesys.core.errors import CORE_REFUSALS, ValidationFailed
from basesys.courses.listing import COURSE_ANSWER
from basesys.courses.models import Course
from basesys.extensions import db
from basesys.filing.refusals import REFUSALS
from basesys.filing.services import decide_filing

DECISIONS = ("approve", "return")


def check_batch_decision(decision: str, comment: str) -> str:
    """The one decision and comment of a batch, checked once for every item: refuses
    `invalid_decision`, and `comment_required` (422, nothing decided) when returning without one."""
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": REFUSALS["invalid_decision"].zh}, code="invalid_decision")
    comment = (comment or "").strip()
    if decision == "return" and not comment:
        raise ValidationFailed({"comment": CORE_REFUSALS["comment_required"].zh}, code="comment_required")
    return comment


def decide_filings(actor, course_ids: list[int], *, decision: str, comment: str, now: datetime) -> list[ItemOutcome]:
    """Each course decided on its own, in the order given. The whole batch is refused
    `invalid_decision` or `comment_required`; an item is refused `not_found` (unknown or outside the
    officer's bureaus: never said which) or `filing_not_submitted` (not waiting, already decided)."""
    comment = check_batch_decision(decision, comment)
    query = (
        db.select(Course)
        .where(Course.id.in_(set(course_ids)), in_base_scope(actor, Course.base_id))
        .options(*COURSE_ANSWER)
    )
    loaded = {course.id: course for course in db.session.scalars(query)}
    return decide_each(
        course_ids, loaded, lambda course: decide_filing(actor, course, decision=decision, comment=comment, now=now)
    )
