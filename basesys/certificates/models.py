"""Course results, hours ledger entries and electronic certificates (DOMAIN.md §8).

Finalisation writes one CourseResult per enrolled trainee, and for each completer one LedgerEntry
and one Certificate; the unique (course, trainee) constraints make running it twice harmless.
Nothing here is ever deleted: a revocation changes statuses and keeps every row.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import Base, Trainee
from basesys.core.hours import Hours
from basesys.core.time import UTCDateTime
from basesys.courses.models import CATEGORIES, Course
from basesys.extensions import db


class LedgerStatus(StrEnum):
    """§8: `issued` by the base until the bureau accepts the roster (§9), then `recognized`;
    `void` once its certificate is revoked."""

    ISSUED = "issued"
    RECOGNIZED = "recognized"
    VOID = "void"


class LedgerSource(StrEnum):
    """Where a ledger entry's hours come from (API.md `entries[].source`): a finalised course (§8)
    or a recognised hour declaration (§11)."""

    COURSE = "course"
    DECLARATION = "declaration"


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


LEDGER_STATUSES = {LedgerStatus.ISSUED: "已发放", LedgerStatus.RECOGNIZED: "已认定", LedgerStatus.VOID: "已作废"}
CERTIFICATE_STATUSES = {CertificateStatus.VALID: "有效", CertificateStatus.REVOKED: "已撤销"}


class Certificate(db.Model):
    """An electronic certificate (电子证书): its number, check code and the exact signed payload."""

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("course_id", "trainee_id"),
        UniqueConstraint("base_id", "year", "sequence"),
        Index("ix_certificate_trainee", "trainee_id"),
        # The bureau's certificate list: newest first, in a base or across the scope (issue 11).
        Index("ix_certificate_base_issued", "base_id", "issued_at"),
        Index("ix_certificate_issued", "issued_at"),
        Index("ix_certificate_holder_name", "holder_name"),  # the search by a name's beginning
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # `2025-0003-000127`: year, base code, sequence per base and year (§8).
    number: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    # Short random code printed on the certificate, so numbers cannot be enumerated to harvest names.
    check_code: Mapped[str] = mapped_column(String(16), nullable=False)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    # The name as printed and bound by the signature, so a later correction cannot alter an issued certificate.
    holder_name: Mapped[str] = mapped_column(String(60), nullable=False)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), nullable=False)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    sequence: Mapped[int] = mapped_column(nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    hours: Mapped[float] = mapped_column(Hours, nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # The canonical JSON exactly as signed, its Ed25519 signature (base64) and the signing key's id.
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    signature: Mapped[str] = mapped_column(String(120), nullable=False)
    key_id: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=CertificateStatus.VALID)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)

    trainee: Mapped[Trainee] = relationship()
    course: Mapped[Course] = relationship()
    base: Mapped[Base] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    @property
    def status_label(self) -> str:
        return CERTIFICATE_STATUSES.get(self.status, self.status)

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)


class CourseResult(db.Model):
    """The outcome of a finalised course for one enrolled trainee, completer or not (§7, §9 roster)."""

    __tablename__ = "course_result"
    __table_args__ = (UniqueConstraint("course_id", "trainee_id"), Index("ix_course_result_trainee", "trainee_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), nullable=False)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    credited_hours: Mapped[float] = mapped_column(Hours, nullable=False)  # after the daily cap
    capped_hours: Mapped[float] = mapped_column(Hours, nullable=False, default=0)  # trimmed by the cap
    completed: Mapped[bool] = mapped_column(Boolean, nullable=False)  # 结业 (§7)
    explanation: Mapped[str] = mapped_column(Text, default="")  # from the hours engine, shown to the admin
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"), index=True)
    # Why a completer has no certificate yet (e.g. a character of the name no installed font has).
    certificate_problem: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    course: Mapped[Course] = relationship()
    trainee: Mapped[Trainee] = relationship()
    certificate: Mapped[Certificate | None] = relationship()


class LedgerEntry(db.Model):
    """A 学时银行 record (§8, §11). `source` course: hours of one completed course, `issued` until the
    bureau accepts the roster, then `recognized`. `source` declaration: hours of one recognised hour
    declaration and category (a posting's declaration grants public and professional: two entries),
    `recognized` from the start. `title` is what the trainee's pages and the statement print."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        UniqueConstraint("course_id", "trainee_id"),
        UniqueConstraint("declaration_id", "category"),
        Index("ix_ledger_entry_trainee_year", "trainee_id", "year"),
        # The bureau's figures of recognised declarations (bureau.stats.declared_figures).
        Index("ix_ledger_entry_source_recognized", "source", "recognized_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    source: Mapped[str] = mapped_column(
        String(12), nullable=False, default=LedgerSource.COURSE, server_default=LedgerSource.COURSE.value
    )
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))  # source course
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"))  # source declaration
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    year: Mapped[int] = mapped_column(nullable=False)  # the course's year (§3, courses.year.course_year)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    hours: Mapped[float] = mapped_column(Hours, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=LedgerStatus.ISSUED)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    recognized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course | None] = relationship()
    trainee: Mapped[Trainee] = relationship()
    certificate: Mapped[Certificate | None] = relationship()

    @property
    def status_label(self) -> str:
        return LEDGER_STATUSES.get(self.status, self.status)

    @property
    def display_title(self) -> str:
        """The course's title, or the declaration's (stored on the entry)."""
        if self.course_id is not None and self.course is not None:
            return self.course.title
        return self.title

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)


class CertificateSequence(db.Model):
    """The last certificate sequence number used per base and year (numbers are sequential, §8)."""

    __tablename__ = "certificate_sequence"

    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(nullable=False, default=0)


class RequirementReduction(db.Model):
    """A recognised long-absence declaration (§11: abroad, sick or maternity leave over 6 months):
    the trainee's requirement of that year is pro-rated by `months_at_work` / 12. Written by the
    declarations feature; read wherever the requirement is (§10). Void when its declaration is."""

    __tablename__ = "requirement_reduction"
    __table_args__ = (Index("ix_requirement_reduction_trainee_year", "trainee_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), nullable=False, unique=True)
    months_at_work: Mapped[int] = mapped_column(nullable=False)  # 0–12
    void: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class SigningKey(db.Model):
    """Every Ed25519 public key that has signed certificates, by key id, so keys can be rotated."""

    __tablename__ = "signing_key"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64), nullable=False)  # base64 of the raw 32 bytes
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
