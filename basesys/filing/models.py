"""Course filing (备案, DOMAIN.md §4): the history of submissions and decisions, and the filing
number sequence per base and year."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import User
from basesys.core.time import UTCDateTime
from basesys.courses.models import Course
from basesys.extensions import db

FILING_ACTIONS = {
    "submitted": "提交备案",
    "resubmitted": "修改后重新提交",
    "change_submitted": "提交变更备案",
    "amended": "修改非备案事项",
    "approved": "审核通过",
    "returned": "退回修改",
}


class FilingEvent(db.Model):
    """One step of a course's filing: who, when, the comment ("谁审核，谁负责"), and what was filed."""

    __tablename__ = "filing_event"
    __table_args__ = (
        Index("ix_filing_event_course_at", "course_id", "at"),
        Index("ix_filing_event_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)  # a key of FILING_ACTIONS
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)  # 补备案 (§4)
    filing_number: Mapped[str | None] = mapped_column(String(40))
    changes: Mapped[list | None] = mapped_column(JSON)  # field names changed since the last approval
    snapshot: Mapped[dict | None] = mapped_column(JSON)  # the course as filed at this step

    course: Mapped[Course] = relationship()
    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        return FILING_ACTIONS.get(self.action, self.action)

    @property
    def is_decision(self) -> bool:
        return self.action in ("approved", "returned")


class FilingSequence(db.Model):
    """The last filing number used per base and year: one row, updated under a row lock, so two
    simultaneous approvals can never get the same number (the unique key settles the first insert)."""

    __tablename__ = "filing_sequence"
    __table_args__ = (UniqueConstraint("base_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    last_value: Mapped[int] = mapped_column(nullable=False, default=0)
