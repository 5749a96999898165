"""The trainee's private calendar feed: one random token per trainee, replaced on reset (issue 13)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import Trainee
from basesys.core.time import UTCDateTime
from basesys.extensions import db

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits


class CalendarFeed(db.Model):
    """The token in the trainee's feed URL; whoever holds the URL reads their sessions, so a reset
    gives a new token and the old URL answers 404."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False, unique=True)
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    trainee: Mapped[Trainee] = relationship()
