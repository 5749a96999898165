"""Annual statements (学时证明, DOMAIN.md §15): one signed record of a trainee's year.

A statement is issued the first time the trainee asks for a year; asked again, the same statement
answers as long as the year's ledger (and requirement, and the trainee's printed name) is what it
signed. When they changed, the next request issues a new statement and the old one becomes
`superseded`: its verification says so, and the trainee hands over the new number. Nothing is
deleted.
"""

import json
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import Trainee
from basesys.core.hours import Hours
from basesys.core.time import UTCDateTime
from basesys.extensions import db


class StatementStatus(StrEnum):
    VALID = "valid"
    SUPERSEDED = "superseded"  # the year's ledger changed after it was issued: a newer one exists


STATEMENT_STATUSES = {StatementStatus.VALID: "有效", StatementStatus.SUPERSEDED: "已更新（以新证明为准）"}

_VALID_ONLY = text("status = 'valid'")


class Statement(db.Model):
    """学时证明 of one trainee and year: number, check code, the totals and the exact signed payload."""

    __tablename__ = "statement"
    __table_args__ = (
        # At most one valid statement per trainee and year: two simultaneous first requests end up
        # with one (the loser re-reads the winner's).
        Index(
            "ux_statement_valid",
            "trainee_id",
            "year",
            unique=True,
            sqlite_where=_VALID_ONLY,
            postgresql_where=_VALID_ONLY,
        ),
        Index("ix_statement_trainee_year", "trainee_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # `XS2025-00000123`: the year and a sequence per year (StatementSequence).
    number: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    # Printed with the number, so numbers cannot be enumerated to harvest names (as certificates').
    check_code: Mapped[str] = mapped_column(String(16), nullable=False)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    holder_name: Mapped[str] = mapped_column(String(60), nullable=False)  # as printed and signed
    year: Mapped[int] = mapped_column(nullable=False)
    # issued + recognized hours per category, and the requirement they are held against (§10, §11).
    total_public: Mapped[float] = mapped_column(Hours, nullable=False)
    total_professional: Mapped[float] = mapped_column(Hours, nullable=False)
    required_public: Mapped[float] = mapped_column(Hours, nullable=False)
    required_professional: Mapped[float] = mapped_column(Hours, nullable=False)
    # sha256 of what the statement states (entries, totals, requirement, holder): an unchanged
    # digest means the statement still tells the truth and is answered again.
    content_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    # The canonical JSON exactly as signed, its Ed25519 signature (base64) and the signing key's id.
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    signature: Mapped[str] = mapped_column(String(120), nullable=False)
    key_id: Mapped[str] = mapped_column(String(32), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=StatementStatus.VALID)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    trainee: Mapped[Trainee] = relationship()

    @property
    def totals(self) -> dict:
        public, professional = float(self.total_public), float(self.total_professional)
        return {"public": public, "professional": professional, "total": public + professional}

    @property
    def fields(self) -> dict:
        """The signed payload's fields (what the statement states)."""
        return json.loads(self.payload)

    @property
    def status_label(self) -> str:
        return STATEMENT_STATUSES.get(self.status, self.status)

    @property
    def is_valid(self) -> bool:
        return self.status == StatementStatus.VALID


class StatementSequence(db.Model):
    """The last statement sequence number used per year."""

    __tablename__ = "statement_sequence"

    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(nullable=False, default=0)
