"""Request bodies and queries of the Attendance API (API.md); they also describe it in OpenAPI."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from basesys.core.api import ApiDateTime, DbId


class _Body(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class QrQuery(_Body):
    purpose: Literal["in", "out"] = "in"


class ScanRequest(_Body):
    """A QR token, or the session and its 6-digit fallback code."""

    token: str | None = Field(default=None, max_length=80)
    session_id: DbId | None = None
    code: str | None = Field(default=None, max_length=12)

    @model_validator(mode="after")
    def _token_or_code(self):
        if not self.token and (self.session_id is None or not self.code):
            raise ValueError("请提供 token，或 session_id 和 code")
        return self


class ManualEntry(_Body):
    """补签: the reason is mandatory (422 `reason_required` without it)."""

    id_number: str = Field(min_length=1, max_length=18)
    purpose: Literal["in", "out"]
    at: ApiDateTime
    reason: str = Field(default="", max_length=500)
