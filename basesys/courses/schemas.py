"""Request bodies of the "Courses and filing" and "Enrolment" API (API.md); they also describe it
in the OpenAPI document. Datetimes carry an offset and fit UTC, ids fit the database (core.api
ApiDateTime, DbId: 422 otherwise)."""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from basesys.core.api import Answer, ApiDateTime, DbId
from basesys.core.paging import PageQuery

Category = Literal["public", "professional"]
Kind = Literal["course", "advanced_seminar", "lecture", "exchange"]
Delivery = Literal["offline", "online", "blended"]
AttendanceMode = Literal["in_out", "in_only"]


class _Body(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class SessionBody(_Body):
    id: DbId | None = Field(default=None, description="an existing session of the course (PATCH)")
    starts_at: ApiDateTime
    ends_at: ApiDateTime
    title: str = Field(default="", max_length=200)
    credit_hours: float | None = Field(default=None, ge=0, le=24, description="default: from the duration")
    venue_id: DbId | None = Field(default=None, description="a venue of the base; not sent: kept (PATCH) or none")
    teacher_ids: list[DbId] | None = Field(
        default=None, max_length=20, description="teachers of the base; not sent: kept (PATCH) or none"
    )


class CourseCreate(_Body):
    title: str = Field(min_length=1, max_length=200)
    category: Category
    kind: Kind
    delivery: Delivery = "offline"
    location: str = Field(default="", max_length=200)
    target: str = Field(default="", max_length=2000)
    planned_headcount: int = Field(default=0, ge=0, le=100000)
    responsible: str = Field(default="", max_length=60)
    contact: str = Field(default="", max_length=60)
    contact_phone: str = Field(default="", max_length=40)
    plan: str = Field(default="", max_length=20000)
    apply_municipal_seminar: bool = False
    attendance_mode: AttendanceMode = "in_out"
    pass_ratio: float | None = Field(default=None, gt=0, le=1)
    capacity: int | None = Field(default=None, ge=1, le=100000)
    sessions: list[SessionBody] = Field(default_factory=list, max_length=200)


class CoursePatch(_Body):
    """Only the fields sent change; `sessions`, when sent, is the whole new list (keep `id`s)."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    category: Category | None = None
    kind: Kind | None = None
    delivery: Delivery | None = None
    location: str | None = Field(default=None, max_length=200)
    target: str | None = Field(default=None, max_length=2000)
    planned_headcount: int | None = Field(default=None, ge=0, le=100000)
    responsible: str | None = Field(default=None, max_length=60)
    contact: str | None = Field(default=None, max_length=60)
    contact_phone: str | None = Field(default=None, max_length=40)
    plan: str | None = Field(default=None, max_length=20000)
    apply_municipal_seminar: bool | None = None
    attendance_mode: AttendanceMode | None = None
    pass_ratio: float | None = Field(default=None, gt=0, le=1)
    capacity: int | None = Field(default=None, ge=1, le=100000)
    sessions: list[SessionBody] | None = Field(default=None, max_length=200)


# Fields that may be set back to null (null means "the policy's" or "no limit").
NULLABLE = ("pass_ratio", "capacity")


class EnrollmentBody(_Body):
    """A base admin sends the person; a trainee sends `{}` (enrols themself)."""

    id_number: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=60)
    phone: str = Field(default="", max_length=20)
    employer: str = Field(default="", max_length=120)
    series: str = Field(default="", max_length=40)
    title: str = Field(default="", max_length=40)


class CourseQuery(PageQuery):
    status: Literal["draft", "submitted", "approved", "returned"] | None = None


# Answers (core.api.Answer): what the endpoints return, as the OpenAPI document describes it.


class SessionAnswer(Answer):
    id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    credit_hours: float
    title: str
    venue_id: int | None
    venue: str
    teacher_ids: list[int]
    teachers: list[str]


class CourseAnswer(Answer):
    """A course (API.md), with the other fields of the filing form"""

    id: int
    base_id: int
    base_name: str
    title: str
    category: Category
    kind: Kind
    delivery: Delivery
    location: str
    target: str
    planned_headcount: int
    capacity: int | None
    responsible: str
    contact: str
    contact_phone: str
    plan: str
    apply_municipal_seminar: bool
    attendance_mode: AttendanceMode
    pass_ratio: float
    filing_status: Literal["draft", "submitted", "approved", "returned"]
    filing_number: str | None
    filing_late: bool
    submitted_at: AwareDatetime | None
    approved_at: AwareDatetime | None
    planned_days: int
    planned_hours: float
    starts_at: AwareDatetime | None
    ends_at: AwareDatetime | None
    sessions: list[SessionAnswer]
    enrolled: int
    finalized: bool


class CourseList(Answer):
    """Courses, one page"""

    items: list[CourseAnswer]
    next: int | None = Field(description="`after` for the next page; null on the last page")


class EnrollmentAnswer(Answer):
    """The enrolment"""

    course_id: int
    trainee_id: int


class ImportAnswer(Answer):
    """The rows imported (all of them)"""

    imported: int
    created_trainees: int
    already_enrolled: int
