"""Hour declarations (DOMAIN.md §11): the rule sets, evidence files, declarations and their steps.

A declaration is reviewed first by its trainee's employer (when the trainee names one), then by the
bureau whose rules apply (the employer's bureau, else the trainee's); recognised, it becomes ledger
entries (`certificates.LedgerEntry`, source `declaration`) or, for a long absence, a requirement
reduction (`certificates.RequirementReduction`). Nothing is deleted: a return keeps the row and
its steps, and the trainee edits and submits the same declaration again.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.accounts.models import Bureau, Employer, Trainee, User
from basesys.core.hours import Hours
from basesys.core.time import UTCDateTime
from basesys.extensions import db


class DeclarationStatus(StrEnum):
    """API.md: `submitted` → (employer) `employer_approved` → (bureau) `recognized`; either reviewer
    may `returned` it, and the trainee submits it again (→ `submitted`)."""

    SUBMITTED = "submitted"
    EMPLOYER_APPROVED = "employer_approved"
    RECOGNIZED = "recognized"
    RETURNED = "returned"


class ReviewStage(StrEnum):
    """Who decides next (or who returned it)."""

    EMPLOYER = "employer"
    BUREAU = "bureau"


class DeclarationKind(StrEnum):
    """`hours`: the declaration earns hours. `requirement`: a long absence (§11) that pro-rates the
    year's requirement instead."""

    HOURS = "hours"
    REQUIREMENT = "requirement"


class RuleSet(db.Model):
    """The declaration rules of a bureau and year (§11), as loaded from the bureau's YAML/JSON file.
    A bureau without a set of its own uses the nearest bureau above it that has one (like the policy).
    `rules` is the parsed, validated document (declarations.rules.parse_rule_set)."""

    __tablename__ = "declaration_rule_set"
    __table_args__ = (UniqueConstraint("bureau_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureau.id"), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)  # e.g. 济宁市2025年学时折算标准
    rules: Mapped[dict] = mapped_column(JSON, nullable=False)
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)  # of the file as loaded
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    bureau: Mapped[Bureau] = relationship()


class Evidence(db.Model):
    """An uploaded evidence file (证书, 文件, 论文: image or PDF, §11), stored outside the web root
    under its sha256; only its trainee and the reviewers of a declaration it is attached to may open it."""

    __tablename__ = "declaration_evidence"
    __table_args__ = (Index("ix_declaration_evidence_trainee", "trainee_id", "uploaded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    media_type: Mapped[str] = mapped_column(String(40), nullable=False)  # from the content, not the name
    original_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Set when a declaration takes it; an edit may detach it (NULL again) or attach others.
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declaration.id"), index=True)

    trainee: Mapped[Trainee] = relationship()


class Declaration(db.Model):
    """One declared activity of a trainee for a year (§11), with the hours claimed and granted per
    category (a posting claims both categories; every other rule one)."""

    __tablename__ = "declaration"
    __table_args__ = (
        Index("ix_declaration_trainee_year", "trainee_id", "year"),
        # The reviewers' inboxes: waiting at an employer / at a bureau, oldest first.
        Index("ix_declaration_employer_status", "employer_id", "status", "submitted_at"),
        Index("ix_declaration_bureau_status", "bureau_id", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False)
    year: Mapped[int] = mapped_column(nullable=False)
    # The bureau whose rules apply and who decides last; the employer who reviews first (None: a
    # trainee without an employer, straight to the bureau). Both fixed at each submission.
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureau.id"), nullable=False)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"))
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("declaration_rule_set.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default=DeclarationKind.HOURS)
    rule: Mapped[str] = mapped_column(String(40), nullable=False)  # the rule's code in the set
    option: Mapped[str] = mapped_column(String(40), nullable=False)  # the option's code
    # public / professional / both (a posting): the category the hours are claimed in.
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    quantity: Mapped[float] = mapped_column(Hours, nullable=False)  # units: items, modules, months, hours
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    claimed_public: Mapped[float] = mapped_column(Hours, nullable=False, default=0)
    claimed_professional: Mapped[float] = mapped_column(Hours, nullable=False, default=0)
    granted_public: Mapped[float | None] = mapped_column(Hours)  # set at recognition (after caps)
    granted_professional: Mapped[float | None] = mapped_column(Hours)
    # A long absence (kind requirement): the months at work of the year, 0–12.
    months_at_work: Mapped[int | None] = mapped_column(Integer)
    # Why less was granted than claimed ("本年度该项剩余 10 学时，核定 10 学时"), shown to everyone.
    grant_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DeclarationStatus.SUBMITTED)
    # Who decides next while submitted/employer_approved; who returned it while returned.
    stage: Mapped[str] = mapped_column(String(10), nullable=False, default=ReviewStage.BUREAU)
    return_comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the last decision
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    extra: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # e.g. per-day grants

    trainee: Mapped[Trainee] = relationship()
    bureau: Mapped[Bureau] = relationship()
    employer: Mapped[Employer | None] = relationship()
    rule_set: Mapped[RuleSet] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(order_by=Evidence.id)
    steps: Mapped[list["DeclarationStep"]] = relationship(order_by="DeclarationStep.id")

    @property
    def hours_claimed(self) -> float:
        return float(self.claimed_public or 0) + float(self.claimed_professional or 0)

    @property
    def hours_granted(self) -> float | None:
        if self.granted_public is None and self.granted_professional is None:
            return None
        return float(self.granted_public or 0) + float(self.granted_professional or 0)


class DeclarationStep(db.Model):
    """The declaration's history as its trainee and reviewers read it: each submission and decision
    (the audit log holds the same, for the bureau's oversight)."""

    __tablename__ = "declaration_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # submit / approve / return / move (the trainee's employer changed while it waited)
    action: Mapped[str] = mapped_column(String(12), nullable=False)
    stage: Mapped[str] = mapped_column(String(10), nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    actor: Mapped[User | None] = relationship()
