"""The trainee's private feed token (issue 13): created or reset by the trainee, audited.

No request here: the actor and `now` are passed in; the caller commits.
"""

import re
import secrets
from datetime import datetime

from basesys.accounts.models import Trainee
from basesys.calendars.models import TOKEN_BYTES, CalendarFeed
from basesys.core.audit import audit
from basesys.extensions import db

# What secrets.token_urlsafe writes; anything else in a feed URL is refused before the database.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def get_feed(trainee: Trainee) -> CalendarFeed | None:
    return db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.trainee_id == trainee.id))


def reset_feed(trainee: Trainee, *, actor, now: datetime) -> CalendarFeed:
    """Give the trainee a new random feed token (the first one, or a replacement: the old URL then
    answers 404). Audited without the token, which is a secret."""
    feed = get_feed(trainee)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    if feed is None:
        feed = CalendarFeed(trainee=trainee, token=token, created_at=now)
        db.session.add(feed)
        action = "calendar_feed.created"
    else:
        feed.token, feed.reset_at = token, now
        action = "calendar_feed.reset"
    db.session.flush()
    audit(actor, action, feed, now=now)  # a trainee's own setting: in the sysadmin's log, as a password change
    return feed


def trainee_for_token(token: str) -> Trainee | None:
    """The trainee whose current feed token this is; None for an unknown, old or malformed one."""
    if not _TOKEN.match(token):
        return None
    return db.session.scalar(
        db.select(Trainee).join(CalendarFeed, CalendarFeed.trainee_id == Trainee.id).where(CalendarFeed.token == token)
    )
