"""Hour declarations (DOMAIN.md §11): the rules in force, evidence, declaring and the review chain.

The pages (views.py) and the API (api.py) call only these functions. Every service takes `now`
(UTC) where time matters, raises `DomainError(code)` (codes in refusals.py) for a refusal and
`NotFound` outside the caller's scope; it flushes and the caller's request commits.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from basesys.declarations.models import Declaration, Evidence


@dataclass(frozen=True)
class OptionView:
    """One choice of a rule: "论文 · 核心期刊", "职称外语 · A级". `category` is public / professional /
    both (a posting) / either (the declaration picks one; `hours_by_category` then gives the hours
    per unit of each)."""

    code: str
    name: str
    category: str
    hours: float  # per unit (for `either`: the larger of the two; see hours_by_category)
    hours_by_category: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleView:
    """One row of the bureau's table (§11). `kind`: hours (per unit), expert_service (actual hours
    on dates, under the daily cap), posting (pro rata by months, both categories), absence (a long
    absence: pro-rates the year's requirement, no hours)."""

    code: str
    name: str
    unit: str  # the unit's label: 项, 篇, 个, 月, 学时…
    options: list[OptionView]
    per_unit: bool  # hours × quantity (False: one item, quantity 1)
    cap_per_year: float | None
    cap_group: str | None  # several rules sharing one cap (Zaozhuang: 自学考试 + 在职学历 ≤ 40)
    evidence: str  # what evidence it needs (text shown on the form)
    needs_dates: bool
    kind: str
    cap_group_hours: float | None = None  # the group's cap when cap_group is set
    note: str = ""


@dataclass(frozen=True)
class RuleSetView:
    bureau_id: int  # the bureau whose set it is (maybe above the one asked for)
    year: int
    name: str
    rules: list[RuleView]

    def rule(self, code: str) -> RuleView | None:
        return next((r for r in self.rules if r.code == code), None)


@dataclass(frozen=True)
class Preview:
    hours_public: float
    hours_professional: float
    hours_claimed: float
    left_in_cap: float | None  # None: the rule has no cap
    note: str  # e.g. "本年度该项剩余 10 学时，核定 10 学时" when the cap cuts the claim


@dataclass
class DeclarationPage:
    items: list[Declaration]
    total: int
    page: int
    size: int


def rules_in_force(bureau_id: int, year: int) -> RuleSetView | None:
    """The rule set of the bureau for the year, or of the nearest bureau above it that has one."""
    raise NotImplementedError


def rules_for_trainee(trainee, year: int) -> RuleSetView | None:
    """The rules in force for the trainee's rules_bureau_id (the employer's bureau, else its own)."""
    raise NotImplementedError


def used_this_year(trainee, year: int, rule_code: str) -> float:
    """Hours of the rule already claimed (pending) or granted (recognised) in the year."""
    raise NotImplementedError


def left_in_cap(trainee, year: int, rule: RuleView) -> float | None:
    """What the rule's (or its cap group's) yearly cap still allows; None without a cap."""
    raise NotImplementedError


def preview(
    trainee,
    *,
    year: int,
    rule: str,
    option: str,
    quantity: float,
    category: str | None = None,
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Preview:
    """The hours a declaration would claim (the form shows it); raises the same refusals as submit."""
    raise NotImplementedError


def store_evidence(actor, trainee, *, data: bytes, filename: str, now: datetime, storage_dir: Path) -> Evidence:
    """Stores an uploaded file (type by content, ≤ policy evidence_max_bytes) as the trainee's evidence."""
    raise NotImplementedError


def submit_declaration(
    actor,
    trainee,
    *,
    year: int,
    rule: str,
    option: str,
    quantity: float,
    title: str,
    evidence_ids: list[int],
    category: str | None = None,
    started_on: date | None = None,
    ended_on: date | None = None,
    now: datetime,
) -> Declaration:
    """A new declaration, submitted to the trainee's employer (or straight to the bureau)."""
    raise NotImplementedError


def resubmit_declaration(
    actor,
    declaration: Declaration,
    *,
    year: int,
    rule: str,
    option: str,
    quantity: float,
    title: str,
    evidence_ids: list[int],
    category: str | None = None,
    started_on: date | None = None,
    ended_on: date | None = None,
    now: datetime,
) -> Declaration:
    """A returned declaration, edited and submitted again (the same row, a new `submit` step)."""
    raise NotImplementedError


def decide_declaration(actor, declaration: Declaration, *, decision: str, comment: str, now: datetime) -> Declaration:
    """approve / return at the actor's stage (employer, then bureau); the bureau's approval recognises."""
    raise NotImplementedError


def declarations_of(trainee, year: int | None = None) -> list[Declaration]:
    """The trainee's declarations (of a year), latest first."""
    raise NotImplementedError


def inbox(user, *, status: str | None = None, page: int = 1, size: int = 20) -> DeclarationPage:
    """Declarations in the reviewer's scope: status None = waiting for the user's stage, "decided" =
    ones past it, or a DeclarationStatus value; oldest waiting first, latest decided first."""
    raise NotImplementedError


def get_declaration_for(user, declaration_id: int) -> Declaration:
    """The declaration if the user may see it (its trainee, a reviewer in scope, sysadmin); else NotFound."""
    raise NotImplementedError


def get_evidence_for(user, evidence_id: int) -> Evidence:
    """The evidence if the user may open it (its trainee, reviewers in scope of its declaration)."""
    raise NotImplementedError


def evidence_path(evidence: Evidence, storage_dir: Path) -> Path:
    """Where the file lies: <storage_dir>/<sha256[:2]>/<sha256>."""
    return Path(storage_dir) / evidence.sha256[:2] / evidence.sha256


def can_decide(user, declaration: Declaration) -> bool:
    """Whether the user's stage is the declaration's current one (the decision form shows)."""
    raise NotImplementedError


__all__ = [
    "DeclarationPage",
    "OptionView",
    "Preview",
    "RuleSetView",
    "RuleView",
    "can_decide",
    "decide_declaration",
    "declarations_of",
    "evidence_path",
    "get_declaration_for",
    "get_evidence_for",
    "inbox",
    "left_in_cap",
    "preview",
    "resubmit_declaration",
    "rules_for_trainee",
    "rules_in_force",
    "store_evidence",
    "submit_declaration",
    "used_this_year",
]
