"""Request bodies and answers of the declaration endpoints (API.md "Hour declarations")."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from basesys.core.api import Answer, ApiDate, DbId
from basesys.core.paging import PageQuery
from basesys.declarations.models import DeclarationStatus

Code = Field(min_length=1, max_length=40)


class RulesQuery(BaseModel):
    year: int = Field(ge=2000, le=2100)


class DeclarationBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    year: int = Field(ge=2000, le=2100)
    rule: str = Code
    option: str = Code
    quantity: float = Field(default=1, ge=0, le=10000)
    category: Literal["public", "professional"] | None = None  # an `either` rule: where the hours go
    started_on: ApiDate | None = None
    ended_on: ApiDate | None = None
    title: str = Field(min_length=1, max_length=200)
    evidence_ids: list[DbId] = Field(default_factory=list, max_length=50)


class DecisionBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    decision: Literal["approve", "return"]
    comment: str = Field(default="", max_length=1000)


class DeclarationQuery(PageQuery):
    status: (
        Literal[
            DeclarationStatus.SUBMITTED,
            DeclarationStatus.EMPLOYER_APPROVED,
            DeclarationStatus.RECOGNIZED,
            DeclarationStatus.RETURNED,
        ]
        | None
    ) = None
    # A reviewer's view of one trainee's declarations: 404 when none of them is in the caller's scope.
    trainee_id: DbId | None = None


class OptionAnswer(Answer):
    code: str
    name: str
    category: str
    hours: float
    hours_by_category: dict[str, float]


class RuleAnswer(Answer):
    code: str
    name: str
    kind: str
    unit: str
    options: list[OptionAnswer]
    per_unit: bool
    cap_per_year: float | None
    cap_group: str | None
    cap_group_hours: float | None
    needs_dates: bool
    evidence: str
    note: str
    used_this_year: float
    left_in_cap: float | None


class RulesAnswer(Answer):
    bureau_id: int | None
    year: int
    name: str | None
    rules: list[RuleAnswer]


class EvidenceAnswer(Answer):
    id: int
    sha256: str
    size: int
    media_type: str
    original_name: str


class StepAnswer(Answer):
    at: str
    action: str
    stage: str
    comment: str


class DeclarationAnswer(Answer):
    id: int
    trainee_id: int
    year: int
    status: str
    stage: str
    kind: str
    rule: str
    option: str
    category: str
    quantity: float
    started_on: str | None
    ended_on: str | None
    title: str
    hours_claimed: float
    claimed: dict[str, float]
    hours_left_in_cap: float | None
    hours_granted: float | None
    granted: dict[str, float] | None
    grant_note: str
    months_at_work: int | None
    return_comment: str
    employer_id: int | None
    bureau_id: int
    submitted_at: str
    decided_at: str | None
    evidence_ids: list[int]
    steps: list[StepAnswer]


class DeclarationList(Answer):
    items: list[DeclarationAnswer]
    next: int | None
