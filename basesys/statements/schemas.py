"""Answers and query strings of the "Annual statement" endpoints (API.md)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from basesys.certificates.schemas import Category, HoursTotals, Signed
from basesys.core.api import Answer

StatementStatusValue = Literal["valid", "superseded"]


class StatementQuery(BaseModel):
    # No length limit: any wrong code is the same 404 as an unknown number, never a 422.
    code: str = Field(default="", description="the check code printed on the statement")


class StatementEntry(Answer):
    source: Literal["course", "declaration"]
    title: str
    category: Category
    hours: float
    status: Literal["issued", "recognized"]


class StatementAnswer(Answer):
    """The trainee's annual statement (学时证明) of the year: issued on the first request, issued
    anew (the old one superseded) once the year's ledger changed; `code` is the check code"""

    number: str
    code: str
    year: int
    status: StatementStatusValue
    issued_on: date
    required: HoursTotals
    issued: HoursTotals
    recognized: HoursTotals
    months_at_work: int | None = Field(description="set when a long absence pro-rated the requirement (§11)")
    entries: list[StatementEntry]
    signed: Signed


class StatementVerification(Answer):
    """The statement, as anyone holding its number and check code sees it"""

    number: str
    year: int
    name_masked: str
    totals: HoursTotals
    required: HoursTotals
    status: StatementStatusValue
    issued_on: date
    signed: Signed
