"""Bodies and answers of the "Quality evaluation" rows of API.md (DOMAIN.md §13)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from basesys.core.api import Answer

Score = Annotated[int, Field(ge=1, le=5, strict=True)]
COMMENT_MAX = 2000


class Scores(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Score = Field(description="内容实用性, 1–5")
    teaching: Score = Field(description="授课水平, 1–5")
    organisation: Score = Field(description="组织管理, 1–5")
    venue: Score = Field(description="场地与服务, 1–5")
    overall: Score = Field(description="总体满意度, 1–5")


class EvaluationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: Scores
    comment: str = Field(default="", max_length=COMMENT_MAX)


class EvaluationReceipt(Answer):
    """The answer is stored (an addition: the row documents the 201 only); nothing about it is echoed."""

    course_id: int
    evaluated: bool


class ItemAnswer(Answer):
    mean: float | None = Field(description="null without answers")
    counts: list[int] = Field(description="answers scoring 1, 2, 3, 4, 5")


class ItemsAnswer(Answer):
    content: ItemAnswer
    teaching: ItemAnswer
    organisation: ItemAnswer
    venue: ItemAnswer
    overall: ItemAnswer


class EvaluationAnswer(Answer):
    """Anonymous aggregates: never who answered."""

    responses: int
    response_rate: float = Field(description="responses / enrolled trainees with credited hours (0 when none)")
    items: ItemsAnswer
    comments: list[str] = Field(description="the non-empty comments, in an order unrelated to their arrival")
