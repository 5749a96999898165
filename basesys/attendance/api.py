"""The "Attendance" endpoints of API.md: QR codes, scans, 补签 and the course's attendance."""

from flask import request

from basesys.accounts.models import Trainee
from basesys.attendance import services
from basesys.attendance.models import ScanVia
from basesys.attendance.schemas import (
    AttendanceAnswer,
    CourseAttendance,
    ManualEntry,
    QrAnswer,
    QrQuery,
    ScanRequest,
    ScanResult,
)
from basesys.attendance.transactions import perform_scan, reads_first
from basesys.core.api import api_blueprint, api_endpoint
from basesys.core.errors import NotFound
from basesys.core.ids import normalize_code
from basesys.core.time import iso, now_utc
from basesys.courses.access import get_course_for
from basesys.courses.models import CourseSession
from basesys.extensions import db

bp = api_blueprint("attendance_api", __name__)


def get_session_for(actor, session_id: int, roles: tuple[str, ...]) -> CourseSession:
    """The session, 404 when unknown or its course is outside the actor's scope, 403 for other roles."""
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None:
        raise NotFound()
    get_course_for(actor, course_session.course_id, roles=roles)
    return course_session


@api_endpoint(
    bp,
    "/sessions/<int:session_id>/qr",
    summary="The current check-in (or check-out) code of a session, for a projector or kiosk",
    roles=["base_admin"],
    query=QrQuery,
    answer=QrAnswer,
    refuses=("course_not_approved",),
)
def session_qr(actor, session_id: int, query: QrQuery):
    course_session = get_session_for(actor, session_id, ("base_admin",))
    policy = services.scan_policy(course_session.course)
    issued = services.issue_code(course_session, query.purpose, now=now_utc(), policy=policy)
    return {
        "url": issued.url,
        "token": issued.token,
        "code": issued.code,
        "expires_at": iso(issued.expires_at),
        "purpose": query.purpose,
        "session_id": course_session.id,
        "refresh_at": iso(issued.refresh_at),
    }


@api_endpoint(
    bp,
    "/scan",
    "POST",
    summary="Check in or out with a QR token or a session's numeric code (send X-Device-Id)",
    roles=["trainee"],
    body=ScanRequest,
    verify_user_in_view=True,  # the scan's one statement checks the token's user (hot path)
    answer=ScanResult,
    refuses=(
        "not_enrolled",
        "course_not_approved",
        "outside_window",
        "device_already_used",
        "course_finalized",
        "token_expired",
        "token_invalid",
        "too_many_codes",
    ),
)
def scan(actor, body: ScanRequest):
    outcome = perform_scan(
        actor,
        token=body.token or None,
        session_id=body.session_id,
        code=body.code,
        device_id=request.headers.get("X-Device-Id"),
        now=now_utc(),
        via=ScanVia.API,
    )
    if outcome.refusal is not None:
        raise outcome.refusal  # logged and committed by perform_scan; answered as API.md's error body
    result = outcome.result
    return {"result": result.result, "at": iso(result.at), "session_id": result.session_id, "purpose": result.purpose}


reads_first(bp, "scan")


def attendance_json(row) -> dict:
    return {
        "session_id": row.session_id,
        "trainee_id": row.trainee_id,
        "check_in": iso(row.check_in_at),
        "check_out": iso(row.check_out_at),
        "check_in_manual": row.check_in_manual,
        "check_out_manual": row.check_out_manual,
        "manual": row.manual,
    }


@api_endpoint(
    bp,
    "/sessions/<int:session_id>/attendance",
    "POST",
    summary="补签: set or correct a trainee's check-in or check-out by hand, with a reason",
    roles=["base_admin"],
    body=ManualEntry,
    answer=AttendanceAnswer,
    status=201,
    refuses=("not_enrolled", "course_not_approved", "course_finalized", "reason_required"),
)
def manual_entry(actor, session_id: int, body: ManualEntry):
    course_session = get_session_for(actor, session_id, ("base_admin",))
    trainee = db.session.scalar(db.select(Trainee).where(Trainee.id_number == normalize_code(body.id_number)))
    row = services.record_manual(
        actor,
        course_session,
        trainee,
        purpose=body.purpose,
        at=body.at,
        reason=body.reason,
        now=now_utc(),
        policy=services.course_policy(course_session.course),
    )
    return attendance_json(row), 201


def trainee_line_json(line, course) -> dict:
    sessions = []
    for course_session in course.sessions:
        row = line.rows.get(course_session.id)
        credit = line.credit.session(course_session.id)
        sessions.append(
            {
                "session_id": course_session.id,
                "check_in": iso(row.check_in_at) if row else None,
                "check_out": iso(row.check_out_at) if row else None,
                "credited_hours": credit.credited_hours,
                "capped_hours": credit.capped_hours,
                "manual": bool(row and row.manual),
                "check_in_manual": bool(row and row.check_in_manual),
                "check_out_manual": bool(row and row.check_out_manual),
                "explanation": credit.explanation,
            }
        )
    return {
        "trainee_id": line.trainee.id,
        "name": line.trainee.name,
        "id_number_masked": line.trainee.id_number_masked,
        "credited_hours": line.credit.credited_hours,
        "capped_hours": line.credit.capped_hours,
        "completed": line.credit.completed,
        "explanation": line.credit.explanation,
        "sessions": sessions,
    }


@api_endpoint(
    bp,
    "/courses/<int:course_id>/attendance",
    summary="Every enrolled trainee's check-ins, check-outs and credited hours (after the daily cap)",
    roles=["base_admin", "bureau_officer", "sysadmin"],
    answer=CourseAttendance,
)
def course_attendance(actor, course_id: int):
    course = get_course_for(actor, course_id, roles=("base_admin", "bureau_officer", "sysadmin"))
    lines = services.course_attendance(course, services.course_policy(course))
    return {"course_id": course.id, "trainees": [trainee_line_json(line, course) for line in lines]}
