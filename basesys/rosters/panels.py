"""Home-page panel: the base admin's courses needing action (to file, to finalise, rosters owed)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_

from basesys.core.policy import policy_for_base
from basesys.core.time import local_date
from basesys.courses.models import Course, FilingStatus
from basesys.courses.year import sessions_year
from basesys.extensions import db
from basesys.rosters.models import OPEN_STATUSES, Roster, RosterStatus
from basesys.rosters.services import effective_status


@dataclass
class ActionItem:
    course_id: int
    title: str
    kind: str  # to_file / to_finalize / roster
    status: str = ""  # filing status, or the roster's effective status
    due_on: date | None = None
    days_left: int | None = None
    urgent: bool = False


def courses_needing_action(base, now: datetime) -> list[ActionItem]:
    """One query: courses to file, to finalise, and rosters still owed, soonest due first."""
    today = local_date(now)
    rows = db.session.execute(
        db.select(
            Course.id,
            Course.title,
            Course.filing_status,
            Course.finalized_at,
            Course.first_starts_at,
            Course.last_ends_at,
            Roster.status,
            Roster.due_on,
        )
        .outerjoin(Roster, Roster.course_id == Course.id)
        .where(Course.base_id == base.id)
        .where(
            or_(
                Course.filing_status.in_((FilingStatus.DRAFT, FilingStatus.RETURNED)),
                and_(
                    Course.filing_status == FilingStatus.APPROVED,
                    Course.finalized_at.is_(None),
                    Course.last_ends_at <= now,
                ),
                and_(Course.finalized_at.is_not(None), or_(Roster.id.is_(None), Roster.status.in_(OPEN_STATUSES))),
            )
        )
        .order_by(Course.id)
    ).all()
    policies: dict[int | None, object] = {}

    def policy(year):
        if year not in policies:
            policies[year] = policy_for_base(base, year)
        return policies[year]

    reminder_days = policy(today.year).roster_reminder_days_before
    items = []
    for course_id, title, filing_status, finalized_at, first_start, last_end, roster_status, due_on in rows:
        if finalized_at is not None:
            if due_on is None and last_end is not None:
                year = sessions_year([first_start])  # the course's year (DOMAIN.md §3) selects the policy
                due_on = local_date(last_end) + timedelta(days=policy(year).roster_due_days)
            status = effective_status(roster_status or RosterStatus.PENDING, due_on, today)
            days_left = (due_on - today).days if due_on else None
            urgent = status == RosterStatus.OVERDUE or (days_left is not None and days_left <= reminder_days)
            items.append(ActionItem(course_id, title, "roster", status, due_on, days_left, urgent))
        elif filing_status == FilingStatus.APPROVED:
            # Finalising comes before the roster: its due date is the roster's (issue 15: the column was empty).
            year = sessions_year([first_start])
            due = local_date(last_end) + timedelta(days=policy(year).roster_due_days)
            items.append(ActionItem(course_id, title, "to_finalize", filing_status, due, (due - today).days, True))
        else:
            # Filed after its first session has begun, a course is 补备案 (DOMAIN.md §4): due before it runs.
            due = local_date(first_start) if first_start is not None else None
            days_left = (due - today).days if due else None
            urgent = filing_status == FilingStatus.RETURNED
            items.append(ActionItem(course_id, title, "to_file", filing_status, due, days_left, urgent))
    order = {"roster": 0, "to_finalize": 1, "to_file": 2}
    items.sort(key=lambda i: (order[i.kind], i.due_on or date.max, i.course_id))
    return items


def base_actions_panel(user, now: datetime):
    if user.base is None:
        return None
    items = courses_needing_action(user.base, now)
    if not items:
        return None
    return {
        "template": "rosters/panel_actions.html",
        "action_items": items,
        "reminder_days": policy_for_base(user.base, local_date(now).year).roster_reminder_days_before,
    }
