"""Read-only roster lists for pages and the API, scoped to what the user may see (DOMAIN.md §1)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, literal, union_all
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from basesys.accounts.scope import in_base_scope
from basesys.core.audit import history_of
from basesys.core.paging import Keyset, keyset_page
from basesys.core.time import local_date
from basesys.courses.models import Course
from basesys.extensions import db
from basesys.rosters.models import OPEN_STATUSES, Roster, RosterStatus
from basesys.rosters.services import due_date, effective_status


@dataclass
class RosterItem:
    course: Course
    roster: Roster | None
    status: str
    due_on: date | None


def status_expression(today: date):
    """The effective status in SQL: what the base still owes past its due date is `overdue`."""
    return case(
        (Roster.status.in_(OPEN_STATUSES) & (Roster.due_on < today), RosterStatus.OVERDUE.value), else_=Roster.status
    )


def scoped_rosters(user, now: datetime, *, status=None, base_id=None, start=None, end=None):
    """A select of (Roster, Course) in the user's scope with the filters of the lists."""
    today = local_date(now)
    query = db.select(Roster, Course).join(Course, Course.id == Roster.course_id)
    query = query.where(in_base_scope(user, Roster.base_id))
    if base_id:
        query = query.where(Roster.base_id == base_id)
    if status:
        query = query.where(status_expression(today) == status)
    if start:
        query = query.where(Roster.due_on >= start)
    if end:
        query = query.where(Roster.due_on <= end)
    return query


def list_rosters(user, now: datetime, *, status=None, base_id=None, start=None, end=None, limit=None, offset=0):
    """Waiting for the bureau first, then by due date; a page (`limit`) is read as the first
    offset + limit of each of the two parts along its index (status, due_on) or (due_on, id), then
    merged: sorting a province's 96,000 rosters by the computed "waiting first" took 0.45 s."""
    today = local_date(now)
    query = scoped_rosters(user, now, status=status, base_id=base_id, start=start, end=end)
    if not limit:
        query = query.order_by((Roster.status != RosterStatus.SUBMITTED), Roster.due_on, Roster.id).offset(offset)
    else:
        parts = []
        for rank, part in enumerate((Roster.status == RosterStatus.SUBMITTED, Roster.status != RosterStatus.SUBMITTED)):
            first = (
                query.with_only_columns(Roster.id, literal(rank).label("rank"), Roster.due_on)
                .where(part)
                .order_by(Roster.due_on, Roster.id)
                .limit(offset + limit)
                .subquery()
            )
            parts.append(db.select(first.c.id, first.c.rank, first.c.due_on).select_from(first))
        merged = union_all(*parts).subquery()
        page = (
            db.select(merged)
            .order_by(merged.c.rank, merged.c.due_on, merged.c.id)
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        query = (
            db.select(Roster, Course)
            .join(Course, Course.id == Roster.course_id)
            .join(page, page.c.id == Roster.id)
            .order_by(page.c.rank, page.c.due_on, page.c.id)
        )
    listed = db.session.execute(query.options(defer(Roster.rows), joinedload(Course.base))).all()  # not the rows
    return [
        RosterItem(course, roster, effective_status(roster.status, roster.due_on, today), roster.due_on)
        for roster, course in listed
    ]


def rosters_page(
    user, now: datetime, *, status=None, limit: int, after: int | None
) -> tuple[list[RosterItem], int | None]:
    """A keyset page of `list_rosters` (the API's list): waiting for the bureau first, then by due date."""
    today = local_date(now)
    query = db.select(Roster).join(Course, Course.id == Roster.course_id).where(in_base_scope(user, Roster.base_id))
    if status:
        query = query.where(status_expression(today) == status)
    waiting_last = case((Roster.status == RosterStatus.SUBMITTED, 0), else_=1)
    page = keyset_page(
        query,
        (waiting_last, Roster.due_on, Roster.id),
        Roster,
        limit=limit,
        after=after,
        descending=False,
        options=(contains_eager(Roster.course).joinedload(Course.base), defer(Roster.rows)),
    )
    items = [RosterItem(r.course, r, effective_status(r.status, r.due_on, today), r.due_on) for r in page.items]
    return items, page.next


def count_rosters(user, now: datetime, **filters) -> int:
    query = scoped_rosters(user, now, **filters).with_only_columns(func.count(Roster.id))
    return db.session.scalar(query) or 0


def base_rosters_page(base_id: int, now: datetime, *, limit: int, after: int | None = None) -> Keyset:
    """A keyset page of the finalised courses of a base with their rosters, latest finalised first;
    a course whose roster is not opened yet is shown `pending`. `after`: a course id (`next`).
    Three statements whatever the page size, and no roster's rows (the list shows none)."""
    today = local_date(now)
    query = db.select(Course).where(Course.base_id == base_id, Course.finalized_at.is_not(None))
    options = (selectinload(Course.sessions), joinedload(Course.base))
    page = keyset_page(
        query, (Course.finalized_at, Course.id), Course, limit=limit, after=after, descending=True, options=options
    )
    ids = [course.id for course in page.items]  # at most `limit`: one page, not a scope
    rosters = db.select(Roster).options(defer(Roster.rows)).where(Roster.course_id.in_(ids))
    by_course = {roster.course_id: roster for roster in db.session.scalars(rosters)} if ids else {}
    items = []
    for course in page.items:
        roster = by_course.get(course.id)
        due_on = roster.due_on if roster else due_date(course)
        status = effective_status(roster.status if roster else RosterStatus.PENDING, due_on, today)
        items.append(RosterItem(course, roster, status, due_on))
    return Keyset(items, page.next)


def roster_history(roster: Roster | None) -> list:
    """The audit records of a roster, oldest first (who submitted, accepted or returned it, when, why)."""
    return [] if roster is None else history_of("roster", roster.id)
