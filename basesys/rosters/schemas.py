"""Request bodies and queries of the "Roster filing" API (API.md)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from basesys.core.api import ApiDate


class RosterDecision(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    decision: Literal["accept", "return"]
    comment: str = Field(default="", max_length=2000)


class RosterListQuery(BaseModel):
    status: Literal["pending", "submitted", "accepted", "returned", "overdue"] | None = None


class AcceptedRange(BaseModel):
    """Rosters accepted on a local date from `start` to `end`, both included."""

    start: ApiDate
    end: ApiDate
