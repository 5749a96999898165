"""Request bodies of the filing endpoints (API.md "Courses and filing")."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from basesys.core.paging import PageQuery
from basesys.courses.models import FilingStatus


class DecisionBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    decision: Literal["approve", "return"]
    comment: str = Field(default="", max_length=2000)


class FilingQuery(PageQuery):
    status: Literal[FilingStatus.SUBMITTED, FilingStatus.APPROVED, FilingStatus.RETURNED] = FilingStatus.SUBMITTED
