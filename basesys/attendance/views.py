"""Attendance pages: the trainee's scan page (/q/<token>), the projector, the course's attendance."""

import secrets
from datetime import datetime

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from basesys.accounts.models import Trainee
from basesys.accounts.scope import trainee_of
from basesys.attendance import exports, services
from basesys.attendance.forms import CodeForm, ManualEntryForm
from basesys.attendance.models import Attendance
from basesys.attendance.qr import qr_svg
from basesys.attendance.transactions import begin_writes, end_writes, reads_first
from basesys.core.errors import DomainError, NotFound, message_for
from basesys.core.forms import show_refusal
from basesys.core.time import LOCAL_TZ, hhmm, iso, now_utc
from basesys.core.web import roles_required
from basesys.courses.access import get_course_for
from basesys.courses.models import CourseSession, Enrollment
from basesys.extensions import db

bp = Blueprint("attendance", __name__)

DEVICE_COOKIE = "basesys_device"
DEVICE_COOKIE_SECONDS = 5 * 365 * 24 * 3600
# A scan opened before logging in still counts, at the time it was opened, if the login takes
# at most this long and happens on the same phone (the pending proof is bound to its device cookie).
PENDING_SECONDS = 15 * 60
VIEW_ROLES = ("base_admin", "bureau_officer", "sysadmin")


# --- the trainee's scan ------------------------------------------------------------------------


def _pending_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="basesys-pending-scan")


def _pending_moment(proof: str | None, token: str, device: str | None) -> datetime | None:
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


def _with_device(response, device: str):
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


def _result(status: int, device: str, **context):
    if context.get("error") is not None:
        context["message"] = message_for(context["error"], str(get_locale()))
    page = render_template("attendance/scan_result.html", **context)
    return _with_device(current_app.make_response((page, status)), device)


@bp.get("/q/<token>")
def scan_page(token: str):
    """Where the phone's camera lands: log in if needed, then confirm (the scan itself is a POST)."""
    device = request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(18)
    moment = _pending_moment(request.args.get("p"), token, device) or now_utc()
    try:
        course_session, purpose, _policy = services.resolve_token(token, now=moment)
    except DomainError as error:
        return _result(error.status, device, error=error)
    proof = _pending_serializer().dumps({"t": token, "d": device, "at": moment.isoformat()})
    if not current_user.is_authenticated:
        flash(_("Log in to finish checking in: you will not need to scan again."), "info")
        target = url_for("attendance.scan_page", token=token, p=proof)
        return _with_device(redirect(url_for("accounts.login", next=target)), device)
    if current_user.role != "trainee":
        return _result(403, device, staff=True, course_session=course_session)
    page = render_template(
        "attendance/scan.html", token=token, proof=proof, purpose=purpose, course_session=course_session
    )
    return _with_device(current_app.make_response(page), device)


@bp.post("/q/<token>")
@login_required
def scan_submit(token: str):
    device = request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(18)
    if current_user.role != "trainee":
        return _result(403, device, staff=True)
    moment = _pending_moment(request.form.get("p"), token, device) or now_utc()
    return _scan_and_answer(device, token=token, now=moment, via="web")


def _scan_and_answer(device: str, **scan):
    """Plan the scan (reads), carry it out (one write), commit, and answer from the stored row."""
    plan = services.plan_scan(current_user._get_current_object(), device_id=device, **scan)
    begin_writes()  # SQLite: the write lock only around the INSERT (attendance/transactions.py)
    try:
        result = services.carry_out(plan)
    except DomainError as error:
        db.session.commit()  # keep the logged refusal; the scan itself changed nothing
        end_writes()
        return _result(error.status, device, error=error)
    db.session.commit()
    end_writes()
    stored = db.session.get(Attendance, result.attendance_id)  # never a success without the stored row
    at = stored.check_out_at if result.result == "checked_out" else stored.check_in_at
    return _result(200, device, result=result.result, at=at, course_session=stored.course_session)


@bp.route("/attendance/code", methods=["GET", "POST"])
@roles_required("trainee")
def enter_code():
    """The projector's numeric code, typed on a phone whose camera fails: the same scan service."""
    now = now_utc()
    trainee = trainee_of(current_user)
    todays = services.trainee_sessions_of_day(trainee.id, now) if trainee else []
    form = CodeForm()
    form.session_id.choices = [
        (s.id, f"{s.starts_at.astimezone(LOCAL_TZ):%H:%M} {s.course.title}") for s, _row in todays
    ]
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("attendance/code.html", form=form, todays=todays), status
    device = request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(18)
    return _scan_and_answer(device, session_id=form.session_id.data, code=form.code.data, now=now, via="code")


reads_first(bp, "scan_submit", "enter_code")


# --- projector ---------------------------------------------------------------------------------


def _managed_session(session_id: int) -> CourseSession:
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None:
        raise NotFound()
    get_course_for(current_user, course_session.course_id, roles=("base_admin",))
    return course_session


def _purpose() -> str:
    purpose = request.args.get("purpose", "in")
    return purpose if purpose in ("in", "out") else "in"


def _projector_state(course_session: CourseSession, purpose: str, have: str | None) -> dict:
    now = now_utc()
    state = {"approved": course_session.course.is_approved, "purpose": purpose, "now": iso(now)}
    state.update(services.session_counts(course_session))
    if not state["approved"]:
        return state
    policy = services.scan_policy(course_session.course)
    opens, closes = services.session_window(course_session, purpose, policy)
    state.update(
        opens=hhmm(opens),
        closes=hhmm(closes),
        window="before" if now < opens else "open" if now <= closes else "closed",
    )
    issued = services.issue_code(course_session, purpose, now=now, policy=policy)
    state.update(
        token=issued.token,
        code=issued.code,
        url=issued.url,
        expires_at=iso(issued.expires_at),
        refresh_in_ms=int((issued.refresh_at - now).total_seconds() * 1000),
        period_seconds=policy.qr_period_seconds,
    )
    if have != issued.token:
        state["svg"] = qr_svg(issued.url)
    return state


@bp.get("/attendance/sessions/<int:session_id>/projector")
@roles_required("base_admin")
def projector(session_id: int):
    course_session = _managed_session(session_id)
    purpose = _purpose()
    state = _projector_state(course_session, purpose, None)
    return render_template("attendance/projector.html", course_session=course_session, state=state, purpose=purpose)


@bp.get("/attendance/sessions/<int:session_id>/projector.json")
@roles_required("base_admin")
def projector_state(session_id: int):
    course_session = _managed_session(session_id)
    response = jsonify(_projector_state(course_session, _purpose(), request.args.get("have")))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the course's attendance -----------------------------------------------------------------


def _manual_form(course, data=None) -> ManualEntryForm:
    form = ManualEntryForm(formdata=data)
    form.session_id.choices = [
        (s.id, f"{s.starts_at.astimezone(LOCAL_TZ):%m-%d %H:%M} {s.title}") for s in course.sessions
    ]
    trainees = db.session.scalars(
        db.select(Trainee).join(Enrollment).where(Enrollment.course_id == course.id).order_by(Trainee.name)
    )
    form.trainee_id.choices = [(t.id, f"{t.name} {t.id_number_masked}") for t in trainees]
    return form


def refusal_label(code: str) -> str:
    labels = {
        "token_invalid": _("invalid code"),
        "token_expired": _("expired code"),
        "not_enrolled": _("not enrolled"),
        "course_not_approved": _("course not approved"),
        "outside_window": _("outside the time window"),
        "device_already_used": _("phone already used (proxy?)"),
        "course_finalized": _("course finalized"),
        "too_many_codes": _("too many wrong codes"),
    }
    return labels.get(code, code)


def _attendance_page(course, form, status=200):
    policy = services.course_policy(course)
    return (
        render_template(
            "attendance/course.html",
            course=course,
            lines=services.course_attendance(course, policy),
            refusals=services.refusals_for(course),
            counts={s.id: services.session_counts(s) for s in course.sessions},
            form=form,
            refusal_label=refusal_label,
        ),
        status,
    )


@bp.get("/attendance/courses/<int:course_id>")
@roles_required(*VIEW_ROLES)
def course_attendance(course_id: int):
    course = get_course_for(current_user, course_id, roles=VIEW_ROLES)
    form = _manual_form(course) if current_user.role == "base_admin" else None
    return _attendance_page(course, form)


@bp.post("/attendance/courses/<int:course_id>/manual")
@roles_required("base_admin")
def manual_entry(course_id: int):
    course = get_course_for(current_user, course_id, roles=("base_admin",))
    form = _manual_form(course, request.form)
    if not form.validate():
        return _attendance_page(course, form, 422)
    course_session = next(s for s in course.sessions if s.id == form.session_id.data)
    try:
        services.record_manual(
            course_session,
            db.session.get(Trainee, form.trainee_id.data),
            purpose=form.purpose.data,
            at=form.at.data.replace(tzinfo=LOCAL_TZ),
            reason=form.reason.data,
            actor=current_user,
            now=now_utc(),
            policy=services.course_policy(course),
        )
    except DomainError as error:
        db.session.rollback()
        show_refusal(form, error)
        return _attendance_page(course, form, 422)
    db.session.commit()
    flash(_("Manual entry saved."), "success")
    return redirect(url_for("attendance.course_attendance", course_id=course.id))


@bp.get("/attendance/courses/<int:course_id>/attendance.xlsx")
@roles_required(*VIEW_ROLES)
def export_xlsx(course_id: int):
    course = get_course_for(current_user, course_id, roles=VIEW_ROLES)
    lines = services.course_attendance(course, services.course_policy(course))
    return exports.xlsx_response(course, lines)


# --- home panel --------------------------------------------------------------------------------


def todays_sessions_panel(user, now):
    if not user.base_id:
        return None
    sessions = services.sessions_of_day(user.base_id, now)
    if not sessions:
        return None
    counts = {s.id: services.session_counts(s) for s in sessions}
    return {"template": "attendance/panel.html", "today_sessions": sessions, "today_counts": counts, "now": now}


def trainee_today_panel(user, now):
    trainee = trainee_of(user)
    todays = services.trainee_sessions_of_day(trainee.id, now) if trainee else []
    if not todays:
        return None
    return {"template": "attendance/panel_trainee.html", "todays": todays}
