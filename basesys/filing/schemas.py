"""Request bodies of the filing endpoints (API.md "Courses and filing")."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from basesys.core.api import Answer, DbId
from basesys.core.paging import PageQuery
from basesys.courses.models import FilingStatus


class DecisionBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    decision: Literal["approve", "return"]
    comment: str = Field(default="", max_length=2000)


class FilingQuery(PageQuery):
    status: Literal[FilingStatus.SUBMITTED, FilingStatus.APPROVED, FilingStatus.RETURNED] = FilingStatus.SUBMITTED


# A batch is bounded: one request decides at most this many filings (API.md "Oversight and audit").
MAX_BATCH = 200


class BatchDecisionBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    course_ids: list[DbId] = Field(min_length=1, max_length=MAX_BATCH)
    decision: Literal["approve", "return"]
    comment: str = Field(default="", max_length=2000)


class ItemError(Answer):
    code: str
    message: str


class DecisionResult(Answer):
    course_id: int
    filing_status: str | None  # None for a course not found (or outside the officer's bureaus)
    filing_number: str | None
    error: ItemError | None = None  # absent when the course was decided


class BatchDecisionAnswer(Answer):
    results: list[DecisionResult]
