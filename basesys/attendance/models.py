"""Attendance rows, refused scans and the hours finalized per trainee and date (DOMAIN.md §6–§7)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
    STAFF = "staff"  # the base admin scanned the trainee's personal code (or typed the ID number)


class Via(StrEnum):
    """How a check-in or check-out was recorded (API.md `via`; §6 "marked … in every report").

    Stored per direction on Attendance (`check_in_via`, `check_out_via`; NULL on older rows and
    rows written before the column = `self`); a manual flag (补签) wins over the stored value.
    """

    SELF = "self"  # the trainee scanned the projector's code
    STAFF = "staff"  # the base admin scanned the trainee's personal code, online
    OFFLINE = "offline"  # a staff scan that waited on the scanning device before it was sent
    MANUAL = "manual"  # 补签


# A session's one `via` (API.md): the direction that most needs a second look decides.
VIA_PRECEDENCE = (Via.MANUAL, Via.OFFLINE, Via.STAFF, Via.SELF)
VIA_LABELS = {Via.SELF: "本人扫码", Via.STAFF: "工作人员扫码", Via.OFFLINE: "离线扫码", Via.MANUAL: "补签"}


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
    # Via (self / staff / offline) of the stored check-in and check-out; see `via_in`, `via_out`.
    check_in_via: Mapped[str | None] = mapped_column(String(8))
    check_out_via: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    course_session: Mapped[CourseSession] = relationship()
    trainee: Mapped[Trainee] = relationship()

    @property
    def manual(self) -> bool:
        return self.check_in_manual or self.check_out_manual

    @property
    def via_in(self) -> Via | None:
        return via_of(self.check_in_at, self.check_in_manual, self.check_in_via)

    @property
    def via_out(self) -> Via | None:
        return via_of(self.check_out_at, self.check_out_manual, self.check_out_via)

    @property
    def via(self) -> Via | None:
        """The session's one `via`: manual over offline over staff over self; None: nothing recorded."""
        found = {self.via_in, self.via_out}
        return next((via for via in VIA_PRECEDENCE if via in found), None)


def via_of(moment: datetime | None, manual: bool, stored: str | None) -> Via | None:
    if moment is None:
        return None
    if manual:
        return Via.MANUAL
    return Via(stored) if stored else Via.SELF


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
    """Hours FINALIZED for a trainee, local date and course (§7 "hours already finalized count first"),
    or recognised for an expert-service declaration (§11: the same 8 per date in all).

    Written by finalisation (certificates) and by declarations; read by the daily cap across every
    course of every base and every declaration.
    """

    __tablename__ = "credited_day"
    __table_args__ = (
        UniqueConstraint("trainee_id", "local_date", "course_id"),
        UniqueConstraint("trainee_id", "local_date", "declaration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    local_date: Mapped[date] = mapped_column(Date, nullable=False)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    # §11: a recognised expert-service declaration's hours of the date, under the same daily cap.
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"), index=True)
    hours: Mapped[float] = mapped_column(Hours, nullable=False)


class StaffScanResult(StrEnum):
    """A staff scan's outcome (API.md staff-scans `result`): a scan's answers, or refused."""

    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    ALREADY_CHECKED_IN = "already_checked_in"
    REFUSED = "refused"


class StaffScan(db.Model):
    """One scan of the base admin's scanner (§6 "Staff scan and offline check-in"), kept by the
    device's client id: unique(client_id) makes a resend — even two sends at once — answer the
    first result and store nothing new. The row is written (claimed) before the scan is carried out."""

    __tablename__ = "staff_scan"
    __table_args__ = (
        UniqueConstraint("client_id"),
        Index("ix_staff_scan_session", "session_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)  # a UUID, lower case, hyphenated
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainee.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(3), nullable=False)
    # What the device read: "code" (a personal check-in code) or "id_number" (typed).
    method: Mapped[str] = mapped_column(String(10), nullable=False)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)  # by the device's clock
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)  # by the device's clock
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)  # the server's now
    # The scan's time on the server's clock: scanned_at + (received_at − sent_at), at most received_at.
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    offline: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    result: Mapped[str] = mapped_column(String(20), nullable=False)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)  # the answer's `at`

    course_session: Mapped[CourseSession] = relationship()
    trainee: Mapped[Trainee | None] = relationship()


class CheckinCodeGeneration(db.Model):
    """The generation of a trainee's personal check-in codes (§6): renewing increments it, and a
    code of an older generation is refused. No row: generation 0 (nobody renewed yet)."""

    __tablename__ = "checkin_code_generation"

    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
