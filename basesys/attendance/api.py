"""The "Attendance" endpoints of API.md: QR codes, scans, 补签 and the course's attendance."""

from flask import request

from basesys.accounts.models import Trainee
from basesys.accounts.scope import trainee_of
from basesys.attendance import services
from basesys.attendance.models import ScanVia
from basesys.attendance.schemas import (
    AttendanceAnswer,
    CheckinCodeAnswer,
    CourseAttendance,
    ManualEntry,
    QrAnswer,
    QrQuery,
    ScanRequest,
    ScanResult,
    StaffScans,
    StaffScansAnswer,
)
from basesys.attendance.services.staff import StaffScanInput
from basesys.attendance.transactions import perform_scan, reads_first
from basesys.core.api import api_blueprint, api_endpoint
from basesys.core.errors import NotFound
from basesys.core.ids import normalize_code
from basesys.core.policy import get_policy
from basesys.core.time import iso, local_today, now_utc
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


@api_endpoint(
    bp,
    "/me/checkin-code",
    summary="The trainee's personal check-in code (个人签到码), to show as a QR code for staff to scan",
    roles=["trainee"],
    answer=CheckinCodeAnswer,
)
def my_checkin_code(actor):
    trainee = trainee_of(actor)
    if trainee is None:
        raise NotFound()
    now = now_utc()
    issued = services.checkin_code(trainee, now=now, policy=get_policy(trainee.bureau_id, local_today(now).year))
    return {"code": issued.code, "expires_at": iso(issued.expires_at)}


@api_endpoint(
    bp,
    "/sessions/<int:session_id>/staff-scans",
    "POST",
    summary="The scanner's queued scans of trainees' personal codes or ID numbers (each client_id once)",
    roles=["base_admin"],
    body=StaffScans,
    answer=StaffScansAnswer,
)
def staff_scans(actor, session_id: int, body: StaffScans):
    course_session = get_session_for(actor, session_id, ("base_admin",))
    scans = [
        StaffScanInput(
            client_id=str(item.client_id),
            purpose=item.purpose,
            scanned_at=item.scanned_at,
            code=item.code or None,
            id_number=None if item.code else item.id_number,
        )
        for item in body.scans
    ]
    answers = services.record_staff_scans(
        actor,
        course_session,
        sent_at=body.sent_at,
        scans=scans,
        now=now_utc(),
        policy=services.course_policy(course_session.course),
    )
    return {"results": [staff_scan_json(answer) for answer in answers]}


def staff_scan_json(answer) -> dict:
    line = {"client_id": answer.client_id, "result": str(answer.result), "at": iso(answer.at)}
    if answer.error_code:
        line["error"] = {"code": answer.error_code, "message": answer.error_message}
    if answer.trainee_id is not None:
        line["trainee_id"] = answer.trainee_id
    line["replayed"] = answer.replayed
    return line


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
                # How each was recorded (self / staff / offline / manual); null: nothing recorded.
                "via": row.via if row else None,
                "check_in_via": row.via_in if row else None,
                "check_out_via": row.via_out if row else None,
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
