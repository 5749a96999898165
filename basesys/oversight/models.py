"""Anomalies (DOMAIN.md §14): findings computed from the stored records, each reviewed by an officer."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import Base, User
from basesys.core.time import UTCDateTime
from basesys.courses.models import Course
from basesys.extensions import db


class AnomalyKind(StrEnum):
    """The five kinds of §14, each with a policy threshold where it has a number."""

    SHARED_DEVICE = "shared_device"
    IMPOSSIBLE_PRESENCE = "impossible_presence"
    MANUAL_SHARE = "manual_share"
    LATE_FILING = "late_filing"
    ROSTER_OVERDUE = "roster_overdue"


ANOMALY_KINDS = {
    AnomalyKind.SHARED_DEVICE: "一机多签",
    AnomalyKind.IMPOSSIBLE_PRESENCE: "分身签到",
    AnomalyKind.MANUAL_SHARE: "补签比例过高",
    AnomalyKind.LATE_FILING: "补备案",
    AnomalyKind.ROSTER_OVERDUE: "名单逾期",
}


class AnomalyStatus(StrEnum):
    OPEN = "open"
    REVIEWED = "reviewed"


ANOMALY_STATUSES = {AnomalyStatus.OPEN: "待核查", AnomalyStatus.REVIEWED: "已核查"}


class Anomaly(db.Model):
    """One finding. `key` names what it is about within its kind (a phone and a date, a trainee and
    two courses, a course, a roster), so recomputing finds the same row again: unique(kind, key)
    keeps a finding single and its review attached. The evidence is read from the records each
    time it is shown; the row keeps only what the lists show."""

    __tablename__ = "anomaly"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_anomaly_base_status", "base_id", "status"),
        Index("ix_anomaly_other_base", "other_base_id"),
        Index("ix_anomaly_course", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    # impossible_presence across two bases: an officer of either base sees the finding.
    other_base_id: Mapped[int | None] = mapped_column(ForeignKey("base.id"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    other_course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    trainee_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    occurred_on: Mapped[date | None] = mapped_column(Date)  # the local date of what happened
    detected_on: Mapped[date] = mapped_column(Date, nullable=False)  # first found (local date)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=AnomalyStatus.OPEN)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    review_comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    base: Mapped[Base] = relationship(foreign_keys=[base_id])
    course: Mapped[Course | None] = relationship(foreign_keys=[course_id])
    other_course: Mapped[Course | None] = relationship(foreign_keys=[other_course_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def kind_label(self) -> str:
        return ANOMALY_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return ANOMALY_STATUSES.get(self.status, self.status)
