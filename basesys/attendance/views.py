"""Attendance pages: the trainee's scan page (/q/<token>) and code page, the projector, the course's
attendance with its 补签 form and export. Each is a `core.pages.page`; scans go through `perform_scan`.
"""

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from basesys.accounts.models import Trainee
from basesys.accounts.scope import trainee_of
from basesys.attendance import cards, exports, scan_page, services, sheet
from basesys.attendance.forms import BulkManualForm, CodeForm, ManualEntryForm
from basesys.attendance.models import Purpose, ScanVia
from basesys.attendance.projector import projector_state as state_of
from basesys.attendance.projector import short_address
from basesys.attendance.transactions import perform_scan, reads_first
from basesys.core.errors import NotFound, ValidationFailed
from basesys.core.pages import Done, page
from basesys.core.policy import get_policy
from basesys.core.time import LOCAL_TZ, local_today
from basesys.courses.access import get_course_for
from basesys.courses.models import CourseSession, Enrollment
from basesys.extensions import db

bp = Blueprint("attendance", __name__)

VIEW_ROLES = ("base_admin", "bureau_officer", "sysadmin")


# --- the trainee's scan ------------------------------------------------------------------------


@page(bp, "/q/<token>", public=True, endpoint="scan_page")
def scan_landing(ctx, token: str):
    """Where the phone's camera lands: log in if needed, then confirm (the scan itself is a POST)."""
    device = scan_page.device_id()
    moment = scan_page.pending_moment(request.args.get("p"), token, device) or ctx.now
    course_session, purpose, refusal = scan_page.token_target(token, now=moment)
    if refusal is not None:
        return scan_page.result_page(refusal.status, device, error=refusal)
    proof = scan_page.pending_proof(token, device, moment)
    if ctx.user is None:
        flash(_("Log in to finish checking in: you will not need to scan again."), "info")
        target = url_for("attendance.scan_page", token=token, p=proof)
        return scan_page.with_device(redirect(url_for("accounts.login", next=target)), device)
    if ctx.user.role != "trainee":
        return scan_page.result_page(403, device, staff=True, course_session=course_session)
    if scan_page.early_checkout(_person(ctx), token=token, device=device, moment=moment) is not None:
        return _confirm_scan(ctx, course_session, token, proof, device, moment)
    html = render_template(
        "attendance/scan.html", token=token, proof=proof, purpose=purpose, course_session=course_session
    )
    return scan_page.with_device(current_app.make_response(html), device)


@page(bp, "/q/<token>", methods=("POST",))
def scan_submit(ctx, token: str):
    device = scan_page.device_id()
    if ctx.user.role != "trainee":
        return scan_page.result_page(403, device, staff=True)
    moment = scan_page.pending_moment(request.form.get("p"), token, device) or ctx.now
    if request.form.get("confirm") != "1":
        early = scan_page.early_checkout(_person(ctx), token=token, device=device, moment=moment)
        if early is not None:  # only the page's confirmation records an early check-out
            return _confirm_scan(ctx, early, token, scan_page.pending_proof(token, device, moment), device, moment)
    outcome = perform_scan(_person(ctx), token=token, device_id=device, now=moment, via=ScanVia.WEB)
    return scan_page.answer(outcome, device)


def _confirm_scan(ctx, course_session, token, proof, device, moment):
    action = url_for("attendance.scan_submit", token=token)
    return scan_page.confirm_page(
        ctx.user, course_session, device=device, moment=moment, action=action, hidden={"p": proof}
    )


def _person(ctx):
    """The logged-in User itself, not Flask-Login's proxy: the scan picks its statement by the type."""
    return ctx.user._get_current_object()


def _code_form(ctx) -> CodeForm:
    """The code form, offering the logged-in trainee's sessions of today."""
    trainee = trainee_of(ctx.user)
    form = CodeForm()
    form.todays = services.trainee_sessions_of_day(trainee.id, now=ctx.now) if trainee else []
    form.session_id.choices = [
        (s.id, f"{s.starts_at.astimezone(LOCAL_TZ):%H:%M} {s.course.title}") for s, _row in form.todays
    ]
    return form


def _code_page(ctx):
    return render_template("attendance/code.html", form=ctx.form, todays=ctx.form.todays)


@page(bp, "/attendance/code", methods=("GET", "POST"), roles=("trainee",), form=_code_form, invalid=_code_page)
def enter_code(ctx):
    """The projector's numeric code, typed on a phone whose camera fails: the same scan."""
    if request.method == "GET":
        return _code_page(ctx)
    device = scan_page.device_id()
    form = ctx.form
    session_id, code = form.session_id.data, form.code.data.strip()
    # A confirmed early check-out counts at the moment its code was typed (the code may expire meanwhile).
    pending = f"code:{session_id}:{code}"
    moment = scan_page.pending_moment(request.form.get("p"), pending, device) or ctx.now
    if request.form.get("confirm") != "1":
        early = scan_page.early_checkout(_person(ctx), session_id=session_id, code=code, device=device, moment=moment)
        if early is not None:
            hidden = {"session_id": session_id, "code": code, "p": scan_page.pending_proof(pending, device, moment)}
            action = url_for("attendance.enter_code")
            return scan_page.confirm_page(ctx.user, early, device=device, moment=moment, action=action, hidden=hidden)
    outcome = perform_scan(
        _person(ctx), session_id=session_id, code=code, device_id=device, now=moment, via=ScanVia.CODE
    )
    mistyped = scan_page.typed_code_error(outcome.refusal)
    if mistyped is not None:  # the form again, to retype the number now on the screen (the refusal is logged)
        form.code.errors = [mistyped]
        return scan_page.with_device(current_app.make_response((_code_page(ctx), outcome.refusal.status)), device)
    return scan_page.answer(outcome, device)


reads_first(bp, "scan_submit", "enter_code")


@page(bp, "/c", public=True, endpoint="short_code")
def short_code(ctx):
    """The code page's short address, written on the projector to be typed on a phone (issue 15)."""
    return redirect(url_for("attendance.enter_code"))


@page(bp, "/attendance/checkin-code/renew", methods=("POST",), roles=("trainee",))
def renew_checkin_code(ctx):
    """更新签到码: a new personal code; the earlier codes and printed cards stop working (audited)."""
    trainee = trainee_of(ctx.user)
    if trainee is None:
        raise NotFound()
    policy = get_policy(trainee.bureau_id, local_today(ctx.now).year)
    services.renew_checkin_code(ctx.user, trainee, now=ctx.now, policy=policy)
    message = _("Your check-in code was renewed: earlier codes and printed cards no longer work.")
    return Done(url_for("accounts.home") + "#checkin-code", message)


# --- projector ---------------------------------------------------------------------------------


def _managed_session(user, session_id: int) -> CourseSession:
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None:
        raise NotFound()
    get_course_for(user, course_session.course_id, roles=("base_admin",))
    return course_session


def _purpose() -> Purpose:
    purpose = request.args.get("purpose", Purpose.IN)
    return Purpose(purpose) if purpose in tuple(Purpose) else Purpose.IN


@page(bp, "/attendance/sessions/<int:session_id>/projector", roles=("base_admin",), load=_managed_session)
def projector(ctx, course_session: CourseSession):
    purpose = _purpose()
    state = state_of(course_session, purpose, have=None, now=ctx.now)
    address = short_address(current_app.config["BASE_URL"], url_for("attendance.short_code"))
    return render_template(
        "attendance/projector.html", course_session=course_session, state=state, purpose=purpose, address=address
    )


@page(bp, "/attendance/sessions/<int:session_id>/projector.json", roles=("base_admin",), load=_managed_session)
def projector_state(ctx, course_session: CourseSession):
    response = jsonify(state_of(course_session, _purpose(), have=request.args.get("have"), now=ctx.now))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the course's attendance -----------------------------------------------------------------


def _viewable_course(user, course_id: int):
    return get_course_for(user, course_id, roles=VIEW_ROLES)


def _managed_course(user, course_id: int):
    return get_course_for(user, course_id, roles=("base_admin",))


def _enrolled(course) -> list[Trainee]:
    return list(
        db.session.scalars(
            db.select(Trainee).join(Enrollment).where(Enrollment.course_id == course.id).order_by(Trainee.name)
        )
    )


def _session_choices(course) -> list[tuple[int, str]]:
    return [(s.id, f"{s.starts_at.astimezone(LOCAL_TZ):%m-%d %H:%M} {s.title}") for s in course.sessions]


def _with_choices(form: ManualEntryForm, course) -> ManualEntryForm:
    form.session_id.choices = _session_choices(course)
    form.trainee_id.choices = [(t.id, f"{t.name} {t.id_number_masked}") for t in _enrolled(course)]
    return form


def _chosen(form: ManualEntryForm, course) -> tuple[CourseSession, Trainee]:
    """The session and trainee picked on the 补签 form, which must be the course's."""
    course_session = next((s for s in course.sessions if s.id == form.session_id.data), None)
    trainee = next((t for t in _enrolled(course) if t.id == form.trainee_id.data), None)
    wrong = {}
    if course_session is None:
        wrong["session_id"] = _("Not a valid choice.")
    if trainee is None:
        wrong["trainee_id"] = _("Not a valid choice.")
    if wrong:
        raise ValidationFailed(wrong)
    return course_session, trainee


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


def _bulk_form(ctx=None, course=None) -> BulkManualForm:
    return BulkManualForm(prefix="bulk")


def _attendance_page(course, now, form, bulk_form=None):
    enrolled = _enrolled(course)
    if bulk_form is not None:
        bulk_form.session_id.choices = _session_choices(course)
        bulk_form.trainee_ids.choices = [(t.id, f"{t.name} {t.id_number_masked}") for t in enrolled]
    policy = services.course_policy(course)
    lines = services.course_attendance(course, policy)
    return render_template(
        "attendance/course.html",
        course=course,
        lines=lines,
        completion=_completion(course, lines, policy, now),
        projector_for={s.id: services.projector_purpose(s, policy, now=now) for s in course.sessions},
        opened={s.id: services.has_opened(s, policy, now=now) for s in course.sessions},
        now=now,
        refusals=services.refusals_for(course),
        counts={s.id: services.session_counts(s) for s in course.sessions},
        form=None if form is None else _with_choices(form, course),
        bulk_form=bulk_form,
        refusal_label=refusal_label,
    )


def _completion(course, lines, policy, now) -> dict:
    """Trainee id → where their completion stands: a verdict only once the course is finalised."""
    closes = services.last_scan_close(course, policy)
    return {line.trainee.id: services.completion_of(course, line.credit, closes=closes, now=now) for line in lines}


@page(bp, "/attendance/courses/<int:course_id>", roles=VIEW_ROLES, load=_viewable_course)
def course_attendance(ctx, course):
    if ctx.user.role != "base_admin":
        return _attendance_page(course, ctx.now, None)
    return _attendance_page(course, ctx.now, ManualEntryForm(), _bulk_form())


def _manual_invalid(ctx, course):
    return _attendance_page(course, ctx.now, ctx.form, _bulk_form())


def _bulk_invalid(ctx, course):
    return _attendance_page(course, ctx.now, ManualEntryForm(formdata=None), ctx.form)


def _chosen_many(form: BulkManualForm, course) -> tuple[CourseSession, list[Trainee]]:
    """The session and the ticked trainees of the bulk 补签 form, which must all be the course's."""
    course_session = next((s for s in course.sessions if s.id == form.session_id.data), None)
    enrolled = {t.id: t for t in _enrolled(course)}
    ticked = list(dict.fromkeys(form.trainee_ids.data or []))
    wrong = {}
    if course_session is None:
        wrong["session_id"] = _("Not a valid choice.")
    if not ticked:
        wrong["trainee_ids"] = _("Tick at least one trainee.")
    elif any(trainee_id not in enrolled for trainee_id in ticked):
        wrong["trainee_ids"] = _("Not a valid choice.")
    if wrong:
        raise ValidationFailed(wrong)
    return course_session, [enrolled[trainee_id] for trainee_id in ticked]


@page(
    bp,
    "/attendance/courses/<int:course_id>/manual-bulk",
    methods=("POST",),
    roles=("base_admin",),
    load=_managed_course,
    form=lambda ctx, course: _bulk_form(),
    invalid=_bulk_invalid,
)
def manual_bulk(ctx, course):
    """Bulk 补签 (§6): every ticked trainee recorded and audited on their own, or none of them."""
    form = ctx.form
    course_session, trainees = _chosen_many(form, course)
    rows = services.record_manual_bulk(
        ctx.user,
        course_session,
        trainees,
        purpose=form.purpose.data,
        at=form.at.data.replace(tzinfo=LOCAL_TZ),
        reason=form.reason.data,
        now=ctx.now,
        policy=services.course_policy(course),
    )
    message = _("Manual entries saved for %(count)s trainees.", count=len(rows))
    return Done(url_for("attendance.course_attendance", course_id=course.id), message)


@page(bp, "/attendance/sessions/<int:session_id>/sign-in-sheet.pdf", roles=("base_admin",), load=_managed_session)
def sign_in_sheet(ctx, course_session: CourseSession):
    """The printable 签到表 of the session (§6): names, masked IDs, boxes to sign."""
    data = sheet.sign_in_sheet_pdf(course_session, _enrolled(course_session.course), now=ctx.now)
    filename = f"sign-in-sheet-{course_session.id}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"}
    return current_app.response_class(data, mimetype="application/pdf", headers=headers)


@page(
    bp,
    "/attendance/courses/<int:course_id>/manual",
    methods=("POST",),
    roles=("base_admin",),
    load=_managed_course,
    form=ManualEntryForm,
    invalid=_manual_invalid,
)
def manual_entry(ctx, course):
    form = ctx.form
    course_session, trainee = _chosen(form, course)
    services.record_manual(
        ctx.user,
        course_session,
        trainee,
        purpose=form.purpose.data,
        at=form.at.data.replace(tzinfo=LOCAL_TZ),
        reason=form.reason.data,
        now=ctx.now,
        policy=services.course_policy(course),
    )
    return Done(url_for("attendance.course_attendance", course_id=course.id), _("Manual entry saved."))


@page(bp, "/attendance/courses/<int:course_id>/attendance.xlsx", roles=VIEW_ROLES, load=_viewable_course)
def export_xlsx(ctx, course):
    policy = services.course_policy(course)
    lines = services.course_attendance(course, policy)
    return exports.xlsx_response(course, lines, _completion(course, lines, policy, ctx.now))


@page(bp, "/attendance/courses/<int:course_id>/cards.pdf", roles=("base_admin",), load=_managed_course)
def checkin_cards(ctx, course):
    """签到卡: an A4 sheet of the enrolled trainees' personal check-in codes, to print and cut."""
    trainees = _enrolled(course)
    year = local_today(ctx.now).year
    issued = services.checkin_codes(trainees, now=ctx.now, policies=lambda t: get_policy(t.bureau_id, year))
    sheet = [cards.Card(t.name, t.id_number_masked, issued[t.id].code, issued[t.id].valid_through) for t in trainees]
    try:
        data = cards.checkin_cards_pdf(sheet, course_title=course.title, base_name=course.base.name)
    except cards.CardsNotPrintable as error:
        flash(str(error), "error")
        return redirect(url_for("courses.course_detail", course_id=course.id))
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="checkin-cards-{course.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
