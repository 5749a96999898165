"""What the trainee's scan pages share: the phone's device cookie, the pending-scan proof, the answer.

A scan opened before logging in still counts, at the time it was opened, if the login takes at most
PENDING_SECONDS and happens on the same phone (the signed proof is bound to its device cookie).
"""

import secrets
from datetime import datetime

from flask import current_app, render_template, request
from flask_babel import get_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer

from basesys.attendance import services
from basesys.attendance.models import Attendance, ScanAnswer
from basesys.attendance.transactions import ScanOutcome
from basesys.core.errors import DomainError, message_for
from basesys.courses.models import CourseSession
from basesys.extensions import db

DEVICE_COOKIE = "basesys_device"
DEVICE_COOKIE_SECONDS = 5 * 365 * 24 * 3600
PENDING_SECONDS = 15 * 60


def device_id() -> str:
    """This phone's device id (its cookie), or a new one that `with_device` will set."""
    return request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(18)


def _pending_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="basesys-pending-scan")


def pending_proof(token: str, device: str, moment: datetime) -> str:
    """A signed note that this phone opened this scan at `moment`."""
    return _pending_serializer().dumps({"t": token, "d": device, "at": moment.isoformat()})


def pending_moment(proof: str | None, token: str, device: str | None) -> datetime | None:
    """When this phone opened this scan, if the signed proof says so and is fresh enough."""
    if not proof or not device:
        return None
    try:
        data = _pending_serializer().loads(proof, max_age=PENDING_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != token or data.get("d") != device:
        return None
    return datetime.fromisoformat(data["at"])


def token_target(token: str, *, now: datetime) -> tuple[CourseSession | None, str | None, DomainError | None]:
    """The session and purpose of a QR token, or the refusal the scan page shows instead."""
    try:
        course_session, purpose, _policy = services.resolve_token(token, now=now)
    except DomainError as refusal:
        return None, None, refusal
    return course_session, purpose, None


def with_device(response, device: str):
    """The response, setting the device cookie when the phone had none (or another)."""
    if request.cookies.get(DEVICE_COOKIE) != device:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["BASE_URL"].startswith("https://"),
        )
    return response


def result_page(status: int, device: str, **context):
    """The scan's result page (success, staff account or refusal) with its status."""
    if context.get("error") is not None:
        context["message"] = message_for(context["error"], str(get_locale()))
    html = render_template("attendance/scan_result.html", **context)
    return with_device(current_app.make_response((html, status)), device)


def answer(outcome: ScanOutcome, device: str):
    """The result page of a committed scan, from the stored row: never a success without it."""
    if outcome.refusal is not None:
        return result_page(outcome.refusal.status, device, error=outcome.refusal)
    result = outcome.result
    stored = db.session.get(Attendance, result.attendance_id)
    at = stored.check_out_at if result.result == ScanAnswer.CHECKED_OUT else stored.check_in_at
    return result_page(200, device, result=result.result, at=at, course_session=stored.course_session)
