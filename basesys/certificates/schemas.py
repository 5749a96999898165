"""Request bodies and query strings of the "Hours and certificates" endpoints (API.md)."""

from pydantic import BaseModel, ConfigDict, Field


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, description="mandatory reason (撤销原因)")
    fraud: bool = Field(default=False, description="flag the trainee for fraud (一票否决)")


class HoursQuery(BaseModel):
    year: int | None = Field(default=None, ge=2000, le=2100)


class VerifyQuery(BaseModel):
    # No length limit: any wrong code is the same 404 as an unknown number, never a 422.
    code: str = Field(default="", description="the check code printed on the certificate")
