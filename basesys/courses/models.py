"""Courses (培训项目) of a base, their sessions (课次) and enrolments (DOMAIN.md §3–§5)."""

from datetime import datetime
from enum import StrEnum
from itertools import chain

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from basesys.accounts.models import Base, Trainee
from basesys.core.hours import Hours
from basesys.core.time import UTCDateTime
from basesys.extensions import db

CATEGORIES = {"public": "公需科目", "professional": "专业科目"}
KINDS = {"course": "培训班", "advanced_seminar": "高级研修项目", "lecture": "专题讲座", "exchange": "学术交流"}
DELIVERIES = {"offline": "线下", "online": "线上", "blended": "线上线下结合"}
ATTENDANCE_MODES = {"in_out": "签到+签退", "in_only": "仅签到"}


class FilingStatus(StrEnum):
    """DOMAIN §4: draft → submitted → approved | returned; returned → (edit) → submitted."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


FILING_STATUSES = {
    FilingStatus.DRAFT: "草稿",
    FilingStatus.SUBMITTED: "待审核",
    FilingStatus.APPROVED: "已备案",
    FilingStatus.RETURNED: "已退回",
}


class Course(db.Model):
    """A 培训项目 with the fields of the Zaozhuang filing form (附件2) and its filing state (§4)."""

    __tablename__ = "course"
    __table_args__ = (
        Index("ix_course_base_status", "base_id", "filing_status"),
        # Lists sort and filter by the first session (bureau courses, catalog): a stored, indexed key.
        Index("ix_course_first_start", "first_starts_at", "id"),
        Index("ix_course_base_first_start", "base_id", "first_starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)  # public / professional
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # course / advanced_seminar / lecture / exchange
    delivery: Mapped[str] = mapped_column(String(16), nullable=False, default="offline")
    location: Mapped[str] = mapped_column(String(200), default="")  # 培训地点及培训形式
    target: Mapped[str] = mapped_column(Text, default="")  # 计划培训对象
    planned_headcount: Mapped[int] = mapped_column(default=0)  # soft limit shown to the admin (§5)
    capacity: Mapped[int | None]  # hard limit when set (§5)
    responsible: Mapped[str] = mapped_column(String(60), default="")  # 负责人
    contact: Mapped[str] = mapped_column(String(60), default="")  # 联系人
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    plan: Mapped[str] = mapped_column(Text, default="")  # 培训计划
    apply_municipal_seminar: Mapped[bool] = mapped_column(Boolean, default=False)  # 是否申请为市级高级研修班
    attendance_mode: Mapped[str] = mapped_column(String(10), nullable=False, default="in_out")
    pass_ratio: Mapped[float | None] = mapped_column(Float)  # None: the policy's (§7)
    # Derived from the sessions by the courses service whenever they change (§3); stored for lists.
    planned_days: Mapped[int] = mapped_column(default=0)
    planned_hours: Mapped[float] = mapped_column(Hours, default=0)
    # The sessions' span, kept by `_keep_schedule` below on every flush that touches a session:
    # lists sort by it without aggregating course_session.
    first_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Filing (备案, §4).
    filing_status: Mapped[str] = mapped_column(String(12), nullable=False, default=FilingStatus.DRAFT)
    filing_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    # What the bureau's course search reads (`course_search_text`): the title and the filing number,
    # case-folded, kept by `_keep_search_text` in every flush. A case-sensitive LIKE on it is what
    # the databases run fast: an ILIKE on a province's 100,000 titles folds each row (PostgreSQL:
    # 215 ms against 31 ms).
    search_text: Mapped[str] = mapped_column(String(260), nullable=False, default="")
    filing_late: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The filed fields and sessions as last approved, to show the bureau what a change filing changes.
    approved_snapshot: Mapped[dict | None] = mapped_column(JSON)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # §8
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    base: Mapped[Base] = relationship()
    sessions: Mapped[list["CourseSession"]] = relationship(
        back_populates="course", order_by="CourseSession.starts_at", cascade="all, delete-orphan"
    )
    enrollments: Mapped[list["Enrollment"]] = relationship(back_populates="course")

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def filing_status_label(self) -> str:
        return FILING_STATUSES.get(self.filing_status, self.filing_status)

    @property
    def is_approved(self) -> bool:
        return self.filing_status == FilingStatus.APPROVED

    @property
    def finalized(self) -> bool:
        return self.finalized_at is not None

    @property
    def starts_at(self) -> datetime | None:
        return self.sessions[0].starts_at if self.sessions else None

    @property
    def ends_at(self) -> datetime | None:
        return max((s.ends_at for s in self.sessions), default=None)


class Venue(db.Model):
    """A 场地 of a base: where its sessions take place; one booking at a time (issue 13)."""

    __tablename__ = "venue"
    __table_args__ = (UniqueConstraint("base_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    address: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int | None]  # seats; a course planned for more is warned, not refused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    base: Mapped[Base] = relationship()


class Teacher(db.Model):
    """A 授课教师 of a base: teaches sessions, one at a time (issue 13)."""

    __tablename__ = "teacher"
    __table_args__ = (Index("ix_teacher_base_name", "base_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    title: Mapped[str] = mapped_column(String(60), default="")  # 职称
    employer: Mapped[str] = mapped_column(String(120), default="")  # 工作单位
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    base: Mapped[Base] = relationship()

    @property
    def label(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


session_teacher = Table(
    "course_session_teacher",
    db.metadata,
    Column("session_id", ForeignKey("course_session.id", ondelete="CASCADE"), primary_key=True),
    Column("teacher_id", ForeignKey("teacher.id"), primary_key=True),
    Index("ix_course_session_teacher_teacher", "teacher_id"),
)


class CourseSession(db.Model):
    """A 课次: one sitting on one local date, with its credit hours (§3)."""

    __tablename__ = "course_session"
    __table_args__ = (
        Index("ix_course_session_course_starts", "course_id", "starts_at"),
        Index("ix_course_session_venue_starts", "venue_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    credit_hours: Mapped[float] = mapped_column(Hours, nullable=False)
    # Optional: courses from before venues existed, and API clients that send none, have none.
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))

    course: Mapped[Course] = relationship(back_populates="sessions")
    venue: Mapped[Venue | None] = relationship()
    teachers: Mapped[list[Teacher]] = relationship(secondary=session_teacher, order_by="Teacher.name")

    @property
    def duration_minutes(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 60


def _schedule_of(course: Course, gone) -> tuple[datetime | None, datetime | None]:
    kept = [s for s in course.sessions if s not in gone]
    return min((s.starts_at for s in kept), default=None), max((s.ends_at for s in kept), default=None)


@event.listens_for(Session, "before_flush")
def _keep_schedule(session, _context, _instances) -> None:
    """Course.first_starts_at / last_ends_at follow the sessions in the flush that changes them
    (same transaction): a new, changed or deleted session, or a course whose session list changed.
    A course whose sessions were never loaded in this session cannot have changed them."""
    touched: set[Course] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, CourseSession) and obj.course is not None:
            touched.add(obj.course)
        elif isinstance(obj, Course) and "sessions" not in inspect(obj).unloaded:
            touched.add(obj)
    for course in touched:
        first, last = _schedule_of(course, session.deleted)
        if (course.first_starts_at, course.last_ends_at) != (first, last):
            course.first_starts_at, course.last_ends_at = first, last


def course_search_text(title: str | None, filing_number: str | None) -> str:
    return "\n".join(part.casefold() for part in (title or "", filing_number or "") if part)


@event.listens_for(Session, "before_flush")
def _keep_search_text(session, _context, _instances) -> None:
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Course):
            text = course_search_text(obj.title, obj.filing_number)
            if obj.search_text != text:
                obj.search_text = text


class Enrollment(db.Model):
    """A trainee on a course's list (§5); one per trainee and course."""

    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("course_id", "trainee_id"),
        Index("ix_enrollment_trainee", "trainee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), nullable=False)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    source: Mapped[str] = mapped_column(String(10), nullable=False, default="admin")  # self / admin / import
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    course: Mapped[Course] = relationship(back_populates="enrollments")
    trainee: Mapped[Trainee] = relationship()
