"""Request bodies and queries of the Attendance API (API.md); they also describe it in OpenAPI."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from basesys.attendance.models import ScanAnswer, StaffScanResult, Via
from basesys.attendance.personal_codes import MAX_LENGTH as CODE_MAX_LENGTH
from basesys.attendance.services.staff import MAX_SCANS
from basesys.core.api import Answer, ApiDateTime, DbId
from basesys.core.inputs import in_sane_years


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


# A device's time: within core.inputs' years, so correcting it by the offset never overflows.
DeviceTime = Annotated[ApiDateTime, AfterValidator(in_sane_years)]


class StaffScanItem(_Body):
    """One queued scan: the trainee's personal code (`code`) or a typed ID number, by the device's clock."""

    client_id: UUID
    code: str | None = Field(default=None, max_length=CODE_MAX_LENGTH)
    id_number: str | None = Field(default=None, max_length=40)
    purpose: Literal["in", "out"]
    scanned_at: DeviceTime

    @model_validator(mode="after")
    def _code_or_id_number(self):
        if not self.code and not self.id_number:
            raise ValueError("请提供 code（学员签到码）或 id_number（身份证号）")
        return self


class StaffScans(_Body):
    """A batch of the scanner's queue: at most 500 scans, `sent_at` by the device's clock."""

    sent_at: DeviceTime
    scans: list[StaffScanItem] = Field(max_length=MAX_SCANS)


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


ViaValue = Literal[tuple(via.value for via in Via)]


class SessionLine(Answer):
    session_id: int
    check_in: AwareDatetime | None
    check_out: AwareDatetime | None
    credited_hours: float
    capped_hours: float
    manual: bool
    check_in_manual: bool
    check_out_manual: bool
    via: ViaValue | None
    check_in_via: ViaValue | None
    check_out_via: ViaValue | None
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


class CheckinCodeAnswer(Answer):
    """The trainee's personal check-in code (a string to show as a QR code) and when it expires"""

    code: str
    expires_at: AwareDatetime


class StaffScanError(Answer):
    code: str
    message: str


class StaffScanLine(Answer):
    client_id: str
    result: Literal[tuple(result.value for result in StaffScanResult)]
    error: StaffScanError | None = None
    at: AwareDatetime
    trainee_id: int | None = None
    replayed: bool


class StaffScansAnswer(Answer):
    """One result per scan, in the order sent"""

    results: list[StaffScanLine]
