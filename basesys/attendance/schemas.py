"""Request bodies and queries of the Attendance API (API.md); they also describe it in OpenAPI."""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from basesys.attendance.models import ScanAnswer
from basesys.core.api import Answer, ApiDateTime, DbId


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


# Answers (core.api.Answer): what the endpoints return, as the OpenAPI document describes it.


class QrAnswer(Answer):
    """The session's current code: `url` (ends with /q/<token>) for the QR image, `code` to type"""

    url: str
    token: str
    code: str
    expires_at: AwareDatetime
    purpose: Literal["in", "out"]
    session_id: int
    refresh_at: AwareDatetime


class ScanResult(Answer):
    """The scan's result"""

    result: Literal[tuple(answer.value for answer in ScanAnswer)]
    at: AwareDatetime
    session_id: int
    purpose: Literal["in", "out"]


class AttendanceAnswer(Answer):
    """The trainee's attendance of the session after the entry"""

    session_id: int
    trainee_id: int
    check_in: AwareDatetime | None
    check_out: AwareDatetime | None
    check_in_manual: bool
    check_out_manual: bool
    manual: bool


class SessionLine(Answer):
    session_id: int
    check_in: AwareDatetime | None
    check_out: AwareDatetime | None
    credited_hours: float
    capped_hours: float
    manual: bool
    check_in_manual: bool
    check_out_manual: bool
    explanation: str


class TraineeLine(Answer):
    trainee_id: int
    name: str
    id_number_masked: str
    credited_hours: float
    capped_hours: float
    completed: bool
    explanation: str
    sessions: list[SessionLine]


class CourseAttendance(Answer):
    """Every enrolled trainee's attendance and credited hours"""

    course_id: int
    trainees: list[TraineeLine]
