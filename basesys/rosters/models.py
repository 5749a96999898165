"""Roster filings (学员名单备案, DOMAIN.md §9) and the in-app notifications that remind bases of them."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import Base, User
from basesys.core.time import UTCDateTime
from basesys.courses.models import Course
from basesys.extensions import db

# §9: pending → submitted → accepted | returned → submitted; pending/returned past the due date → overdue.
ROSTER_STATUSES = {
    "pending": "待提交",
    "submitted": "待审核",
    "accepted": "已接收",
    "returned": "已退回",
    "overdue": "已逾期",
}
# The base still has to act: these become `overdue` once the due date has passed (§9).
OPEN_STATUSES = ("pending", "returned", "overdue")


class Roster(db.Model):
    """The roster filing of one finalised course (§9); one per course."""

    __tablename__ = "roster"
    __table_args__ = (
        Index("ix_roster_base_status", "base_id", "status"),
        Index("ix_roster_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), nullable=False, unique=True)
    # The course's base, kept here so bureau lists filter rosters without joining courses.
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    # policy.roster_due_days after the local date of the last session (§9 "结业30日内").
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Submitted after the due date: accepted like any other, flagged for the bureau.
    submitted_late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    submission_count: Mapped[int] = mapped_column(nullable=False, default=0)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    return_count: Mapped[int] = mapped_column(nullable=False, default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The rows as submitted (what the bureau reviews and accepts): a filed document does not change
    # when data change later. None until the first submission.
    rows: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    course: Mapped[Course] = relationship()
    base: Mapped[Base] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return ROSTER_STATUSES.get(self.status, self.status)


class Notification(db.Model):
    """An in-app message to one user (shown on the home page); e-mailed too when SMTP is configured."""

    __tablename__ = "notification"
    __table_args__ = (
        # Jobs run again and again: the key makes "one reminder per roster and user" a database fact.
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notification_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)  # roster_reminder / roster_overdue / roster_returned
    dedupe_key: Mapped[str] = mapped_column(String(80), nullable=False)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    # Values the message is rendered from (course title, due date, comment), in the reader's language.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    course: Mapped[Course | None] = relationship()


class NotificationEmail(db.Model):
    """Where a staff member wants reminders e-mailed (accounts have no e-mail address of their own)."""

    __tablename__ = "notification_email"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(200), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
