"""What the scheduler does about roster deadlines (DOMAIN.md §9): open the roster of every
finalised course, remind the base before the due date, mark it `overdue` after.

Each function takes `now`, is idempotent (running it twice changes nothing more) and only flushes;
the job commits.
"""

from datetime import datetime, timedelta

from basesys.core.audit import audit
from basesys.core.time import local_date
from basesys.courses.models import Course
from basesys.extensions import db
from basesys.rosters.models import REMINDABLE, Roster, RosterStatus
from basesys.rosters.services import notify_base, open_roster, roster_policy


def open_finalized_rosters(now: datetime) -> int:
    """A `pending` roster for every finalised course that has none yet; returns how many were opened."""
    courses = db.session.scalars(
        db.select(Course)
        .outerjoin(Roster, Roster.course_id == Course.id)
        .where(Course.finalized_at.is_not(None), Course.finalized_at <= now, Roster.id.is_(None))
        .order_by(Course.id)
    ).all()
    for course in courses:
        open_roster(None, course, now=now)
    db.session.flush()
    return len(courses)


def mark_overdue_rosters(now: datetime) -> int:
    """Rosters still owed by the base after their due date become `overdue` (and the admins are told)."""
    today = local_date(now)
    rosters = db.session.scalars(
        db.select(Roster)
        .where(Roster.status.in_(REMINDABLE), Roster.due_on < today)
        .order_by(Roster.id)
        .with_for_update()
    ).all()
    for roster in rosters:
        before = roster.status
        roster.status, roster.overdue_at, roster.updated_at = RosterStatus.OVERDUE, now, now
        course = roster.course
        audit(
            None,
            "roster.overdue",
            roster,
            now=now,
            before={"status": before},
            after={"status": RosterStatus.OVERDUE, "due_on": roster.due_on.isoformat()},
            base_id=course.base_id,
            bureau_id=course.base.bureau_id,
        )
        notify_base(course, "roster_overdue", key=f"roster_overdue:{roster.id}", roster=roster, now=now)
    db.session.flush()
    return len(rosters)


def remind_due_rosters(now: datetime) -> int:
    """Once per roster: a reminder to the base's admins when it is due within
    policy.roster_reminder_days_before days and not submitted yet. Returns how many rosters."""
    today = local_date(now)
    candidates = db.session.scalars(
        db.select(Roster)
        .where(Roster.status.in_(REMINDABLE), Roster.reminded_at.is_(None), Roster.due_on >= today)
        .order_by(Roster.id)
        .with_for_update()
    ).all()
    reminded = 0
    for roster in candidates:
        course = roster.course
        days_before = roster_policy(course).roster_reminder_days_before
        if today < roster.due_on - timedelta(days=days_before):
            continue
        roster.reminded_at = now
        notify_base(course, "roster_reminder", key=f"roster_reminder:{roster.id}", roster=roster, now=now)
        reminded += 1
    db.session.flush()
    return reminded
