"""What the trainee's scan pages share: the phone's device cookie, the pending-scan proof, the answer.

A scan opened before logging in still counts, at the time it was opened, if the login takes at most
PENDING_SECONDS and happens on the same phone (the signed proof is bound to its device cookie).
"""

import secrets
from datetime import datetime

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from basesys.accounts.scope import trainee_of
from basesys.attendance import codes, services
from basesys.attendance.models import Attendance, Purpose, ScanAnswer, ScanVia
from basesys.attendance.services.issue import secret
from basesys.attendance.transactions import ScanOutcome
from basesys.core.errors import DomainError, message_for
from basesys.core.home import panels_for
from basesys.core.time import now_utc
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


def typed_code_error(refusal: DomainError | None) -> str | None:
    """What the code page says under a typed number that is wrong or no longer shown, else None.

    The refusal's code stays token_invalid / token_expired (API.md); its message speaks of a QR code,
    which the trainee typing digits did not scan.
    """
    if refusal is None:
        return None
    if refusal.code == "token_invalid":
        return _(
            "This code is not right, or it has changed. "
            "Check the 6 digits now on the projector screen and type them again."
        )
    if refusal.code == "token_expired":
        return _("This code has changed since: type the 6 digits now on the projector screen.")
    return None


def result_page(status: int, device: str, **context):
    """The scan's result page (success, staff account or refusal) with its status.

    A refusal shows its plain message and what to do next, never its code (issue 15): a code with
    no registered message gets a general sentence instead of itself.
    """
    error = context.get("error")
    if error is not None:
        message = message_for(error, str(get_locale()))
        context["message"] = _("The check-in was not recorded.") if message == error.code else message
        opens, closes = error.details.get("opens_at"), error.details.get("closes_at")
        context["window"] = (
            (datetime.fromisoformat(opens), datetime.fromisoformat(closes)) if opens and closes else None
        )
    else:  # what other features offer after a scan (the evaluation once the course is over)
        context["panels"] = panels_for(current_user, now_utc(), "scan_result") if current_user.is_authenticated else []
    html = render_template("attendance/scan_result.html", **context)
    return with_device(current_app.make_response((html, status)), device)


def answer(outcome: ScanOutcome, device: str):
    """The result page of a committed scan, from the stored row: never a success without it.

    It says what comes next (§6 "Guidance on the phone"): after a check-in, when check-out opens
    and closes (or, in `in_only`, that nothing more is needed); after a check-out, the hours credited.
    """
    if outcome.refusal is not None:
        return result_page(outcome.refusal.status, device, error=outcome.refusal)
    result = outcome.result
    stored = db.session.get(Attendance, result.attendance_id)
    course_session = stored.course_session
    policy = services.course_policy(course_session.course)
    if result.result == ScanAnswer.CHECKED_OUT:
        hours = services.credited_hours(course_session, stored.trainee, policy)
        return result_page(
            200, device, result=result.result, at=stored.check_out_at, course_session=course_session, hours=hours
        )
    guidance = services.checkin_guidance(course_session, policy)
    return result_page(
        200, device, result=result.result, at=stored.check_in_at, course_session=course_session, guidance=guidance
    )


def token_is_checkout(token: str) -> bool:
    try:
        return codes.parse_token(secret(), token).purpose == Purpose.OUT
    except codes.BadToken:
        return False


def early_checkout(who, *, device: str, moment: datetime, token=None, session_id=None, code=None):
    """The session of a check-out that would be recorded before the session's end, else None.

    Such a check-out is confirmed on the page first (§6); the API records it at once (API.md).
    Reads only: a scan that would be refused, or anything else, goes on as usual. A check-in token
    (the hot path: a hall scanning at once) is told apart by its letter, without reading anything.
    """
    if token is not None and not token_is_checkout(token):
        return None
    try:
        plan = services.plan_scan(
            who, token=token, session_id=session_id, code=code, device_id=device, now=moment, via=ScanVia.WEB
        )
    except DomainError:
        return None
    if plan.refusal is not None or plan.answer is not None or plan.purpose != Purpose.OUT:
        return None
    course_session = db.session.get(CourseSession, plan.situation.session_id)
    return course_session if services.is_early_checkout(course_session, moment) else None


def confirm_page(user, course_session: CourseSession, *, device: str, moment: datetime, action: str, hidden: dict):
    """The early check-out's question: the hours it will earn (the credit engine, the course's policy)."""
    trainee = trainee_of(user)
    policy = services.course_policy(course_session.course)
    preview = services.checkout_preview(course_session, trainee, moment, policy)
    stored = services.presences_for(course_session.course, trainee.id).get(course_session.id)
    full_from = services.full_credit_from(course_session, stored.check_in if stored else None, policy)
    html = render_template(
        "attendance/scan_confirm.html",
        course_session=course_session,
        preview=preview,
        moment=moment,
        full_from=full_from,
        checked_in=stored is not None and stored.check_in is not None,
        action=action,
        hidden=hidden,
    )
    return with_device(current_app.make_response(html), device)
