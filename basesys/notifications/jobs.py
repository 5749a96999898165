"""E-mail what is pending: a scheduled job, and the call a feature's own job makes right after it
commits new notifications (so a reminder leaves in the same run)."""

from datetime import datetime

from flask import current_app

from basesys.extensions import db
from basesys.notifications.services import send_pending_emails


def email_summary(now: datetime) -> str:
    """Send the pending e-mails and say how it went: "e-mailed 1" (", e-mail failed 2")."""
    sent, failed = send_pending_emails(current_app.config, now=now)
    db.session.commit()
    return f"e-mailed {sent}" + (f", e-mail failed {failed}" if failed else "")
