"""Scheduled jobs of roster filing (DOMAIN.md §9): reminders before the due date, `overdue` after.

Both open the rosters of newly finalised courses first, so neither depends on the other's order.
"""

from datetime import datetime

from flask import current_app

from basesys.extensions import db
from basesys.rosters import deadlines
from basesys.rosters.notify import send_pending_emails


def roster_overdue(now: datetime) -> str:
    opened = deadlines.open_finalized_rosters(now)
    marked = deadlines.mark_overdue_rosters(now)
    db.session.commit()
    sent, failed = send_pending_emails(current_app.config, now)
    return f"opened {opened}, overdue {marked}, e-mailed {sent}" + (f", e-mail failed {failed}" if failed else "")


def roster_reminders(now: datetime) -> str:
    opened = deadlines.open_finalized_rosters(now)
    reminded = deadlines.remind_due_rosters(now)
    db.session.commit()  # the reminders are stored before anything is e-mailed
    sent, failed = send_pending_emails(current_app.config, now)
    return f"opened {opened}, reminded {reminded}, e-mailed {sent}" + (f", e-mail failed {failed}" if failed else "")
