"""Attendance rows, refused scans and the hours finalized per trainee and date (DOMAIN.md §6–§7)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import Trainee
from basesys.core.hours import Hours
from basesys.core.time import UTCDateTime
from basesys.courses.models import CourseSession
from basesys.extensions import db


class Purpose(StrEnum):
    """What a scan or a 补签 records (§6): the check-in or the check-out."""

    IN = "in"
    OUT = "out"


PURPOSES = {Purpose.IN: "签到", Purpose.OUT: "签退"}


class ScanVia(StrEnum):
    """How a scan reached the server (ScanRefusal.via): the scan page, the API or the typed code."""

    WEB = "web"
    API = "api"
    CODE = "code"


class ScanAnswer(StrEnum):
    """A scan's normal outcomes (§6); a repeated check-in is an answer, not a refusal."""

    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    ALREADY_CHECKED_IN = "already_checked_in"


class Attendance(db.Model):
    """One trainee at one session: the first check-in and the last check-out count (§6).

    unique(session, trainee) makes simultaneous scans of the same trainee end up as one row;
    unique(session, check_in_device) is the anti-proxy rule (防代签): a phone checks in one trainee
    per session, even when two scans race (NULL devices — manual entries — never collide).
    """

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "trainee_id"),
        UniqueConstraint("session_id", "check_in_device"),
        Index("ix_attendance_trainee", "trainee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"), nullable=False)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    check_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 补签 (§6): set by the base admin, marked as manual in every report.
    check_in_manual: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    check_out_manual: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    check_in_device: Mapped[str | None] = mapped_column(String(64))
    check_out_device: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    course_session: Mapped[CourseSession] = relationship()
    trainee: Mapped[Trainee] = relationship()

    @property
    def manual(self) -> bool:
        return self.check_in_manual or self.check_out_manual


class ScanRefusal(db.Model):
    """A refused scan, kept for the base admin (§6: "the attempt is logged for the admin")."""

    __tablename__ = "scan_refusal"
    __table_args__ = (Index("ix_scan_refusal_session_at", "session_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"), nullable=False)
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainee.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(3), nullable=False, default=Purpose.IN)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    device_id: Mapped[str | None] = mapped_column(String(64))
    # device_already_used: the trainee already checked in from that phone.
    other_trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainee.id"), index=True)
    via: Mapped[str] = mapped_column(String(8), nullable=False, default=ScanVia.WEB)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    course_session: Mapped[CourseSession] = relationship()
    trainee: Mapped[Trainee | None] = relationship(foreign_keys=[trainee_id])
    other_trainee: Mapped[Trainee | None] = relationship(foreign_keys=[other_trainee_id])


class CreditedDay(db.Model):
    """Hours FINALIZED for a trainee, local date and course (§7 "hours already finalized count first").

    Written by finalisation (certificates); read by the daily cap across every course of every base.
    """

    __tablename__ = "credited_day"
    __table_args__ = (UniqueConstraint("trainee_id", "local_date", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    local_date: Mapped[date] = mapped_column(Date, nullable=False)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), nullable=False, index=True)
    hours: Mapped[float] = mapped_column(Hours, nullable=False)
