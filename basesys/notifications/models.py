"""In-app notifications to users and where their e-mail copies go (shared by every feature).

A notification names what it is about generically (`object_type`, `object_id`, as the audit log
does), so this layer knows nothing of courses or rosters; the sending feature declares the texts
of its kinds (`NotificationKind`, basesys.notifications.kinds).
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import User
from basesys.core.time import UTCDateTime
from basesys.extensions import db


class Notification(db.Model):
    """A message to one user (shown on the home page); e-mailed too when SMTP is configured."""

    __tablename__ = "notification"
    __table_args__ = (
        # Jobs run again and again: the key makes "one reminder per roster and user" a database fact.
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notification_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)  # a NotificationKind's name
    dedupe_key: Mapped[str] = mapped_column(String(80), nullable=False)
    # What it is about (e.g. "course", 12): the kind turns it into a link.
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # Values the message is rendered from (title, due date, comment), in the reader's language.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class NotificationEmail(db.Model):
    """Where a staff member wants notifications e-mailed (accounts have no e-mail address of their own)."""

    __tablename__ = "notification_email"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(200), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
