"""Request bodies and queries of the "Roster filing" API (API.md)."""

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from basesys.core.api import Answer, ApiDate
from basesys.core.paging import PageQuery
from basesys.rosters.summary import SUMMARY_MAX_CHARS

RosterStatusValue = Literal["pending", "submitted", "accepted", "returned", "overdue"]


class RosterDecision(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    decision: Literal["accept", "return"]
    comment: str = Field(default="", max_length=2000)


class SummaryText(BaseModel):
    """The training summary's text (培训情况总结, DOMAIN §9); empty clears it."""

    text: str = Field(max_length=SUMMARY_MAX_CHARS)


class RosterListQuery(PageQuery):
    status: RosterStatusValue | None = None


class AcceptedRange(BaseModel):
    """Rosters accepted on a local date from `start` to `end`, both included."""

    start: ApiDate
    end: ApiDate


# Answers (core.api.Answer): what the endpoints return, as the OpenAPI document describes it.


class RosterRow(Answer):
    """One enrolled trainee with the course's results (DOMAIN §9)"""

    seq: int
    trainee_id: int
    name: str
    gender: Literal["male", "female"]
    id_number: str
    employer: str
    series: str
    title: str
    course_title: str
    category: Literal["public", "professional"]
    start_date: date | None
    end_date: date | None
    credited_hours: float
    certificate_number: str | None
    completed: bool
    # Additions (issue 15): the one outcome every page shows; a revoked certificate's hours are void.
    outcome: Literal["completed", "not_completed", "revoked"] | None = None
    revoked_reason: str | None = None


class RosterSummaryFigures(Answer):
    """What the system computes for the training summary (DOMAIN §9); `evaluation` as GET …/evaluation answers"""

    enrolled: int
    attended: int
    completed: int
    hours_issued: float
    evaluation: dict


class RosterSummary(Answer):
    """The training summary (培训情况总结, DOMAIN §9): the base's text and the figures (addition)"""

    text: str
    figures: RosterSummaryFigures


class RosterAnswer(Answer):
    """The roster of a course"""

    course_id: int
    course_title: str
    base_id: int
    status: RosterStatusValue
    due_on: date | None
    finalized: bool
    submitted_at: AwareDatetime | None
    submitted_late: bool
    decided_at: AwareDatetime | None
    comment: str
    rows: list[RosterRow]
    summary: RosterSummary


class RosterListItem(Answer):
    course_id: int
    course_title: str
    base_id: int
    base_name: str
    status: RosterStatusValue
    due_on: date | None
    submitted_at: AwareDatetime | None


class RosterList(Answer):
    """Rosters, one page"""

    items: list[RosterListItem]
    next: int | None = Field(description="`after` for the next page; null on the last page")
