"""Scheduled jobs of roster filing (DOMAIN.md §9): reminders before the due date, `overdue` after.

Both open the rosters of newly finalised courses first, so neither depends on the other's order.
The notifications are committed before anything is e-mailed (notifications.jobs).
"""

from datetime import datetime

from basesys.extensions import db
from basesys.notifications.jobs import email_summary
from basesys.rosters import deadlines


def roster_overdue(now: datetime) -> str:
    opened = deadlines.open_finalized_rosters(now)
    marked = deadlines.mark_overdue_rosters(now)
    db.session.commit()
    return f"opened {opened}, overdue {marked}, {email_summary(now)}"


def roster_reminders(now: datetime) -> str:
    opened = deadlines.open_finalized_rosters(now)
    reminded = deadlines.remind_due_rosters(now)
    db.session.commit()
    return f"opened {opened}, reminded {reminded}, {email_summary(now)}"
