"""The "Courses and filing" (courses part) and "Enrolment" endpoints of API.md."""

from flask import Response, request
from pydantic import BaseModel

from basesys.accounts.scope import trainee_of
from basesys.core.api import File, api_blueprint, api_endpoint
from basesys.core.errors import NotFound, ValidationFailed
from basesys.core.spreadsheet import CSV_MIMETYPE
from basesys.core.spreadsheet import XLSX_MIMETYPE as XLSX
from basesys.core.time import iso, now_utc
from basesys.courses import enrollment_file, services
from basesys.courses.access import get_course_for, get_managed_course
from basesys.courses.listing import course_page, courses_in_scope
from basesys.courses.models import Course
from basesys.courses.schemas import (
    NULLABLE,
    CourseAnswer,
    CourseCreate,
    CourseList,
    CoursePatch,
    CourseQuery,
    EnrollmentAnswer,
    EnrollmentBody,
    ImportAnswer,
    SessionBody,
)
from basesys.courses.state import session_state

bp = api_blueprint("courses_api", __name__)


# What a course's sessions can be refused with (courses/refusals.py), on create and change.
SESSION_REFUSALS = (
    "naive_datetime",
    "session_incomplete",
    "session_ends_before_start",
    "session_crosses_midnight",
    "session_overlap",
    "invalid_credit_hours",
    "credit_hours_above_duration",
    "unknown_session",
    "session_locked",
    "sessions_span_years",
    "too_many_sessions",
    "session_out_of_range",
    "unknown_venue",
    "unknown_teacher",
    "venue_clash",
    "teacher_clash",
)


def course_json(course: Course, *, enrolled: int | None = None) -> dict:
    """A course as API.md describes it, plus the other fields of the filing form."""
    policy = services.policy_for_course(course)
    ordered = sorted(course.sessions, key=lambda s: (s.starts_at, s.ends_at))
    return {
        "id": course.id,
        "base_id": course.base_id,
        "base_name": course.base.name,
        "title": course.title,
        "category": course.category,
        "kind": course.kind,
        "delivery": course.delivery,
        "location": course.location,
        "target": course.target,
        "planned_headcount": course.planned_headcount,
        "capacity": course.capacity,
        "responsible": course.responsible,
        "contact": course.contact,
        "contact_phone": course.contact_phone,
        "plan": course.plan,
        "apply_municipal_seminar": bool(course.apply_municipal_seminar),
        "attendance_mode": course.attendance_mode,
        "pass_ratio": float(course.pass_ratio) if course.pass_ratio is not None else policy.pass_ratio,
        "filing_status": course.filing_status,
        "filing_number": course.filing_number,
        "filing_late": bool(course.filing_late),
        "submitted_at": iso(course.submitted_at),
        "approved_at": iso(course.approved_at),
        "planned_days": course.planned_days,
        "planned_hours": float(course.planned_hours),
        "starts_at": iso(ordered[0].starts_at) if ordered else None,
        "ends_at": iso(max(s.ends_at for s in ordered)) if ordered else None,
        "sessions": [session_state(s) for s in ordered],
        "enrolled": services.enrolled_count(course) if enrolled is None else enrolled,
        "finalized": course.finalized,
    }


def _session_input(item: SessionBody) -> services.SessionInput:
    """A venue or teachers not sent are kept (an existing session) or none (a new one)."""
    sent = item.model_fields_set
    venue_id = item.venue_id if "venue_id" in sent else services.KEEP
    teacher_ids = tuple(item.teacher_ids or ()) if "teacher_ids" in sent else services.KEEP
    return services.SessionInput(
        item.starts_at, item.ends_at, item.title, item.credit_hours, item.id, venue_id, teacher_ids
    )


def session_inputs(items: list[SessionBody]) -> list[services.SessionInput]:
    return [_session_input(s) for s in items]


def _values(body: BaseModel) -> dict:
    values = {}
    for name in body.model_fields_set:
        value = getattr(body, name)
        if name != "sessions" and (value is not None or name in NULLABLE):
            values[name] = value
    return values


@api_endpoint(
    bp,
    "/courses",
    "GET",
    summary="Courses of the bases in scope, newest first, optionally of one filing status (keyset pages: limit, after)",
    roles=["base_admin", "bureau_officer", "sysadmin"],
    query=CourseQuery,
    answer=CourseList,
)
def list_courses(actor, query: CourseQuery):
    conditions = [Course.filing_status == query.status] if query.status else []
    page = course_page(
        courses_in_scope(actor, *conditions), (Course.id,), limit=query.limit, after=query.after, descending=True
    )
    counts = services.enrolled_counts(c.id for c in page.items)
    return {"items": [course_json(c, enrolled=counts.get(c.id, 0)) for c in page.items], "next": page.next}


@api_endpoint(
    bp,
    "/courses",
    "POST",
    summary="Register a course (draft) with its sessions",
    roles=["base_admin"],
    body=CourseCreate,
    answer=CourseAnswer,
    status=201,
    refuses=SESSION_REFUSALS + ("seminar_must_be_professional",),
)
def create_course(actor, body: CourseCreate):
    values = body.model_dump(exclude={"sessions"})
    course = services.create_course(
        actor, actor.base, values=values, sessions=session_inputs(body.sessions), now=now_utc()
    )
    return course_json(course, enrolled=0), 201


@api_endpoint(bp, "/courses/<int:course_id>", "GET", summary="One course", answer=CourseAnswer)
def get_course(actor, course_id: int):
    return course_json(get_course_for(actor, course_id))


@api_endpoint(
    bp,
    "/courses/<int:course_id>",
    "PATCH",
    summary="Change a course; an approved course whose sessions, category, kind or hours change goes back to submitted",
    roles=["base_admin"],
    body=CoursePatch,
    answer=CourseAnswer,
    # filing_incomplete: filing's answer to course_changed when an edit of a filed course leaves a gap
    refuses=SESSION_REFUSALS
    + ("course_finalized", "seminar_must_be_professional", "capacity_below_enrolled", "filing_incomplete"),
)
def patch_course(actor, course_id: int, body: CoursePatch):
    course = get_managed_course(actor, course_id)
    sessions = session_inputs(body.sessions) if body.sessions is not None else None
    services.update_course(actor, course, values=_values(body), sessions=sessions, now=now_utc())
    return course_json(course)


@api_endpoint(
    bp,
    "/courses/<int:course_id>/enrollments",
    "POST",
    summary="Enrol a trainee: the base admin by ID number (body), a trainee themself ({})",
    roles=["base_admin", "trainee"],
    body=EnrollmentBody,
    answer=EnrollmentAnswer,
    status=201,
    refuses=(
        "already_enrolled",
        "course_full",
        "enrolment_closed",
        "enrolment_locked",
        "course_finalized",
        "trainee_unknown",
        "invalid_id_number",
        "name_mismatch",
    ),
)
def enroll(actor, course_id: int, body: EnrollmentBody):
    course = get_course_for(actor, course_id)
    now = now_utc()
    if actor.role == "trainee":
        trainee = trainee_of(actor)
        if trainee is None:
            raise NotFound()
        enrollment = services.enroll_self(actor, trainee, course, now=now)
    else:
        if not body.id_number:
            raise ValidationFailed({"id_number": "必填项"})
        enrollment = services.enroll_trainee(
            actor,
            course,
            id_number=body.id_number,
            name=body.name,
            phone=body.phone,
            employer=body.employer,
            series=body.series,
            title=body.title,
            now=now,
        )
    return {"course_id": course.id, "trainee_id": enrollment.trainee_id}, 201


@api_endpoint(
    bp,
    "/courses/<int:course_id>/enrollments/import",
    "POST",
    summary="Import the enrolment form (multipart field `file`, XLSX or CSV): all rows or none",
    roles=["base_admin"],
    answer=ImportAnswer,
    refuses=(
        "import_invalid",
        "import_conflict",
        "course_full",
        "enrolment_closed",
        "enrolment_locked",
        "course_finalized",
    ),
    files=("file",),
)
def import_enrollments(actor, course_id: int):
    course = get_managed_course(actor, course_id)
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": "请上传文件（表单字段 file）"})
    result = services.import_enrollments(actor, course, upload.read(), filename=upload.filename or "", now=now_utc())
    return {
        "imported": result.imported,
        "created_trainees": result.created_trainees,
        "already_enrolled": result.already_enrolled,
    }


@api_endpoint(
    bp,
    "/enrollments/template.xlsx",
    summary="The enrolment form template (报名表) as XLSX",
    roles=["base_admin"],
    answer=File(XLSX),
)
def enrollment_template_xlsx(actor):
    return _template(enrollment_file.template_xlsx(), XLSX, "xlsx")


@api_endpoint(
    bp,
    "/enrollments/template.csv",
    summary="The enrolment form template (报名表) as CSV, UTF-8 with BOM",
    roles=["base_admin"],
    answer=File(CSV_MIMETYPE),
)
def enrollment_template_csv(actor):
    return _template(enrollment_file.template_csv(), CSV_MIMETYPE, "csv")


def _template(data, mimetype: str, extension: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''%E6%8A%A5%E5%90%8D%E8%A1%A8.{extension}"  # 报名表
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})
