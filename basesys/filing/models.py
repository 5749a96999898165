"""Course filing (备案, DOMAIN.md §4): the filing number sequence per base and year. The history of
submissions and decisions is the audit log's (filing.history)."""

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from basesys.extensions import db


class FilingSequence(db.Model):
    """The last filing number used per base and year: one row, updated under a row lock, so two
    simultaneous approvals can never get the same number (the unique key settles the first insert)."""

    __tablename__ = "filing_sequence"
    __table_args__ = (UniqueConstraint("base_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    last_value: Mapped[int] = mapped_column(nullable=False, default=0)
