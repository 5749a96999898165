"""Queries, bodies and answers of the "Oversight and audit" anomaly rows of API.md."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from basesys.core.api import Answer, DbId

KindValue = Literal["shared_device", "impossible_presence", "manual_share", "late_filing", "roster_overdue"]
StatusValue = Literal["open", "reviewed"]


class AnomalyListQuery(BaseModel):
    kind: KindValue | None = None
    status: StatusValue | None = None
    base_id: DbId | None = None  # addition: one base in scope (404 outside it)
    page: int = Field(default=1, ge=1, le=100_000)  # addition: 50 findings a page


class ReviewBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    comment: str = Field(default="", max_length=2000)


class AnomalyItem(Answer):
    """A finding (DOMAIN §14); `other_base_id`, `other_course_id` (impossible_presence), `occurred_on`
    and the review are additions"""

    id: int
    kind: KindValue
    base_id: int
    course_id: int | None
    other_base_id: int | None
    other_course_id: int | None
    trainee_ids: list[int]
    detected_on: date
    occurred_on: date | None
    summary: str
    status: StatusValue
    review_comment: str
    reviewed_at: str | None


class AnomalyList(Answer):
    """Findings in the officer's scope, open first; `total` and `page` are additions"""

    items: list[AnomalyItem]
    total: int
    page: int


class ReviewAnswer(Answer):
    """The reviewed finding"""

    id: int
    status: Literal["reviewed"]
