"""Roster filings (学员名单备案, DOMAIN.md §9): one per finalised course."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import Base, User
from basesys.core.time import UTCDateTime
from basesys.courses.models import Course
from basesys.extensions import db


class RosterStatus(StrEnum):
    """§9: pending → submitted → accepted | returned → submitted; what the base still owes past its
    due date is `overdue` (stored by the scheduler, and shown so before it runs)."""

    PENDING = "pending"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    OVERDUE = "overdue"


ROSTER_STATUSES = {
    RosterStatus.PENDING: "待提交",
    RosterStatus.SUBMITTED: "待审核",
    RosterStatus.ACCEPTED: "已接收",
    RosterStatus.RETURNED: "已退回",
    RosterStatus.OVERDUE: "已逾期",
}
# The base still has to act: these become `overdue` once the due date has passed (§9).
OPEN_STATUSES = (RosterStatus.PENDING, RosterStatus.RETURNED, RosterStatus.OVERDUE)
# What the scheduler reminds of and marks overdue.
REMINDABLE = (RosterStatus.PENDING, RosterStatus.RETURNED)


class Roster(db.Model):
    """The roster filing of one finalised course (§9); one per course."""

    __tablename__ = "roster"
    __table_args__ = (
        Index("ix_roster_base_status", "base_id", "status"),
        Index("ix_roster_status_due", "status", "due_on"),
        Index("ix_roster_due", "due_on", "id"),  # the inbox's rosters not waiting, by due date
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), nullable=False, unique=True)
    # The course's base, kept here so bureau lists filter rosters without joining courses.
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=RosterStatus.PENDING)
    # policy.roster_due_days after the local date of the last session (§9 "结业30日内").
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Submitted after the due date: accepted like any other, flagged for the bureau.
    submitted_late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    submission_count: Mapped[int] = mapped_column(nullable=False, default=0)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    return_count: Mapped[int] = mapped_column(nullable=False, default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The rows as submitted (what the bureau reviews and accepts): a filed document does not change
    # when data change later. None until the first submission.
    rows: Mapped[list | None] = mapped_column(JSON)
    # len(rows), stored with them: lists show how many without reading (and parsing) every JSON.
    row_count: Mapped[int] = mapped_column(nullable=False, default=0)
    # §9 培训情况总结: the base's own text, edited while the roster is the base's to submit.
    summary_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The figures the system computed (rosters.summary), as submitted with the rows; None until then.
    summary_figures: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    course: Mapped[Course] = relationship()
    base: Mapped[Base] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return ROSTER_STATUSES.get(self.status, self.status)
