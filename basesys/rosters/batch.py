"""Batch roster decisions (issue 11): the officer accepts or returns many submitted rosters at once,
each by `services.decide_roster` in its own savepoint (core.batch), so a refused roster neither
stops nor undoes the others; each decision is audited, acceptance recognizes that course's hours."""

from datetime import datetime

from sqlalchemy.orm import joinedload

from basesys.accounts.scope import in_base_scope
from basesys.core.batch import ItemOutcome, decide_each
from basesys.core.errors import CORE_REFUSALS, ValidationFailed
from basesys.courses.models import Course
from basesys.extensions import db
from basesys.rosters.services import DECISIONS, decide_roster

MAX_BATCH = 200


def decide_rosters(actor, course_ids: list[int], *, decision: str, comment: str, now: datetime) -> list[ItemOutcome]:
    """The rosters of these courses, each decided on its own in the order given. The whole batch is
    refused (422) for a decision outside accept/return or a return without comment; an item is
    refused `not_found` (unknown or outside the officer's bureaus) or `roster_not_submitted`."""
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": "取值无效，可选：accept、return"})
    comment = (comment or "").strip()
    if decision == "return" and not comment:
        raise ValidationFailed({"comment": CORE_REFUSALS["comment_required"].zh}, code="comment_required")
    query = (
        db.select(Course)
        .where(Course.id.in_(set(course_ids)), in_base_scope(actor, Course.base_id))
        .options(joinedload(Course.base))
    )
    loaded = {course.id: course for course in db.session.scalars(query)}
    return decide_each(
        course_ids, loaded, lambda course: decide_roster(actor, course, decision=decision, comment=comment, now=now)
    )
