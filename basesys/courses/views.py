"""Course pages: the base admin's list, form, detail (sessions, enrolment, filing history) and week
schedule; the trainee's catalog. Load → authorize → validate → one service → commit → respond."""

from datetime import date, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from basesys.accounts.scope import trainee_of
from basesys.core.errors import DomainError, NotFound
from basesys.core.forms import show_refusal
from basesys.core.policy import policy_for_base
from basesys.core.time import local_date, now_utc
from basesys.core.web import roles_required
from basesys.courses import roster_file, services
from basesys.courses.access import get_course_for, get_managed_course
from basesys.courses.forms import CourseForm, EnrollForm, ImportForm, place_course_errors
from basesys.courses.models import FILING_STATUSES, Enrollment
from basesys.courses.state import FIELD_LABELS
from basesys.extensions import db
from basesys.filing import services as filing

bp = Blueprint("courses", __name__)


@bp.app_template_filter("field_label")
def field_label(name: str) -> str:
    """The Chinese label of a course field, for the filing history."""
    return FIELD_LABELS.get(name, name)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/courses")
@roles_required("base_admin")
def list_courses():
    now = now_utc()
    status = request.args.get("status") if request.args.get("status") in FILING_STATUSES else ""
    courses = services.list_base_courses(current_user.base_id, status=status or None, now=now)
    return render_template(
        "courses/list.html",
        courses=courses,
        counts=services.enrolled_counts(c.id for c in courses),
        status=status,
        statuses=FILING_STATUSES,
        totals=services.status_counts(current_user.base_id),
        now=now,
    )


def _render_form(form: CourseForm, course=None, status: int = 200, session_errors=None):
    if course is not None:
        policy = services.policy_for_course(course)
    else:
        policy = policy_for_base(current_user.base, local_date(now_utc()).year)
    return render_template(
        "courses/form.html",
        form=form,
        course=course,
        policy=policy,
        session_errors=session_errors or [],
        locked_ids=_locked_ids(course, policy),
    ), status


def _locked_ids(course, policy) -> set[str]:
    if course is None:
        return set()
    now = now_utc()
    return {str(s.id) for s in course.sessions if services.is_session_locked(course, s, policy, now)}


def _save_course(form: CourseForm, course=None):
    """Validate the rows, call the one service, commit; re-render with each error on its row."""
    rows = [entry.form for entry in form.sessions.entries if not entry.form.is_blank()]
    inputs = [
        services.SessionInput(*row.instants(), row.title.data or "", _hours(row), _int(row.id.data)) for row in rows
    ]
    try:
        if course is None:
            course = services.create_course(
                current_user, current_user.base, values=form.course_values(), sessions=inputs, now=now_utc()
            )
        else:
            services.update_course(current_user, course, values=form.course_values(), sessions=inputs, now=now_utc())
    except DomainError as error:
        db.session.rollback()
        return _render_form(form, course, 422, place_course_errors(form, rows, error))
    db.session.commit()
    flash(
        _("Saved.") if course.filing_status != "submitted" else _("Saved and sent to the bureau for review."), "success"
    )
    return redirect(url_for("courses.course_detail", course_id=course.id))


def _hours(row):
    return None if row.credit_hours.data is None else float(row.credit_hours.data)


def _int(value):
    return int(value) if value and str(value).isdigit() else None


@bp.route("/courses/new", methods=["GET", "POST"])
@roles_required("base_admin")
def new_course():
    form = CourseForm()
    if request.method == "POST" and "add_row" in request.form:
        form.sessions.append_entry()
        return _render_form(form)
    if form.validate_on_submit():
        return _save_course(form)
    return _render_form(form, status=422 if request.method == "POST" else 200)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@roles_required("base_admin")
def edit_course(course_id: int):
    course = get_managed_course(current_user, course_id)
    form = CourseForm()
    if request.method == "GET":
        form.fill_from(course)
    elif "add_row" in request.form:
        form.sessions.append_entry()
        return _render_form(form, course)
    if form.validate_on_submit():
        return _save_course(form, course)
    return _render_form(form, course, status=422 if request.method == "POST" else 200)


def _render_detail(course, *, enroll_form=None, import_form=None, import_rows=None, status=200):
    manage = current_user.role == "base_admin"
    return render_template(
        "courses/detail.html",
        course=course,
        manage=manage,
        policy=services.policy_for_course(course),
        enrollments=services.list_enrollments(course),
        history=filing.filing_history(course),
        changes=filing.changes_since_approval(course) if course.filing_status == "submitted" else None,
        enroll_form=enroll_form or EnrollForm(formdata=None),
        import_form=import_form or ImportForm(formdata=None),
        import_rows=import_rows,
        now=now_utc(),
    ), status


@bp.get("/courses/<int:course_id>")
@login_required
def course_detail(course_id: int):
    course = get_course_for(current_user, course_id)
    if current_user.role == "trainee":
        return redirect(url_for("courses.catalog_course", course_id=course.id))
    return _render_detail(course)


@bp.post("/courses/<int:course_id>/enrollments")
@roles_required("base_admin")
def enroll(course_id: int):
    course = get_managed_course(current_user, course_id)
    form = EnrollForm()
    if not form.validate_on_submit():
        return _render_detail(course, enroll_form=form, status=422)
    values = {name: getattr(form, name).data or "" for name in ("name", "phone", "employer", "series", "title")}
    try:
        enrollment = services.enroll_trainee(
            current_user, course, id_number=form.id_number.data, now=now_utc(), **values
        )
    except DomainError as error:
        db.session.rollback()
        show_refusal(form, error)
        if not form.errors and getattr(error, "fields", None) is None:
            form.id_number.errors = [error.message]
        return _render_detail(course, enroll_form=form, status=error.status)
    db.session.commit()
    flash(_("%(name)s is enrolled.", name=enrollment.trainee.name), "success")
    return redirect(url_for("courses.course_detail", course_id=course.id, _anchor="trainees"))


@bp.post("/courses/<int:course_id>/enrollments/<int:enrollment_id>/remove")
@roles_required("base_admin")
def remove_enrollment(course_id: int, enrollment_id: int):
    course = get_managed_course(current_user, course_id)
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.course_id != course.id:
        raise NotFound()
    name = enrollment.trainee.name
    try:
        services.remove_enrollment(current_user, enrollment, now=now_utc())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("courses.course_detail", course_id=course.id, _anchor="trainees"))
    db.session.commit()
    flash(_("%(name)s is no longer enrolled.", name=name), "success")
    return redirect(url_for("courses.course_detail", course_id=course.id, _anchor="trainees"))


@bp.post("/courses/<int:course_id>/enrollments/import")
@roles_required("base_admin")
def import_enrollments(course_id: int):
    course = get_managed_course(current_user, course_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_detail(course, import_form=form, status=422)
    upload = form.file.data
    try:
        result = services.import_enrollments(
            current_user, course, upload.read(), filename=upload.filename or "", now=now_utc()
        )
    except DomainError as error:
        db.session.rollback()
        rows = error.details.get("rows")
        flash(error.message, "error")
        return _render_detail(course, import_form=form, import_rows=rows, status=error.status)
    db.session.commit()
    flash(
        _(
            "Imported: %(imported)s enrolled (%(created)s new trainee records), %(skipped)s already on the list.",
            imported=result.imported,
            created=result.created_trainees,
            skipped=result.already_enrolled,
        ),
        "success",
    )
    return redirect(url_for("courses.course_detail", course_id=course.id, _anchor="trainees"))


@bp.get("/courses/enrollment-template.<any(xlsx, csv):fmt>")
@roles_required("base_admin")
def enrollment_template(fmt: str):
    data, mimetype = (
        (roster_file.template_xlsx(), XLSX)
        if fmt == "xlsx"
        else (roster_file.template_csv(), "text/csv; charset=utf-8")
    )
    quoted = "%E6%8A%A5%E5%90%8D%E8%A1%A8"  # 报名表
    headers = {"Content-Disposition": f"attachment; filename=enrolment.{fmt}; filename*=UTF-8''{quoted}.{fmt}"}
    return Response(data, mimetype=mimetype, headers=headers)


@bp.get("/courses/schedule")
@roles_required("base_admin")
def schedule():
    now = now_utc()
    try:
        picked = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        picked = local_date(now)
    monday = picked - timedelta(days=picked.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    by_day = {day: [] for day in days}
    for course_session in services.sessions_between(current_user.base_id, monday, 7):
        by_day[local_date(course_session.starts_at)].append(course_session)
    return render_template(
        "courses/schedule.html",
        days=days,
        by_day=by_day,
        today=local_date(now),
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
    )


# --- trainees ---------------------------------------------------------------------------------


def _trainee():
    trainee = trainee_of(current_user)
    if trainee is None:
        raise NotFound()
    return trainee


@bp.get("/catalog")
@roles_required("trainee")
def catalog():
    trainee, now = _trainee(), now_utc()
    offered = services.list_catalog(trainee, now)
    return render_template(
        "courses/catalog.html",
        offered=offered,
        mine=services.list_trainee_courses(trainee),
        enrolled=services.enrolled_ids(trainee, (c.id for c in offered)),
        now=now,
    )


@bp.get("/catalog/<int:course_id>")
@roles_required("trainee")
def catalog_course(course_id: int):
    trainee, course, now = _trainee(), get_course_for(current_user, course_id), now_utc()
    enrolled = bool(services.enrolled_ids(trainee, [course.id]))
    starts = course.starts_at
    open_ = course.is_approved and not course.finalized and starts is not None and starts > now
    full = course.capacity is not None and services.enrolled_count(course) >= course.capacity
    return render_template(
        "courses/catalog_course.html", course=course, enrolled=enrolled, open=open_, full=full, now=now
    )


@bp.post("/catalog/<int:course_id>/enrol")
@roles_required("trainee")
def enrol_self(course_id: int):
    trainee, course = _trainee(), get_course_for(current_user, course_id)
    try:
        services.enrol_self(current_user, trainee, course, now=now_utc())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("courses.catalog_course", course_id=course.id))
    db.session.commit()
    flash(_("You are enrolled. Scan the QR code at the venue to check in."), "success")
    return redirect(url_for("courses.catalog_course", course_id=course.id))


# --- home panels ------------------------------------------------------------------------------


def admin_panel(user, now):
    if user.base_id is None:
        return None
    upcoming = services.sessions_between(user.base_id, local_date(now), 7)
    counts = services.status_counts(user.base_id)
    return {
        "template": "courses/panel_admin.html",
        "counts": counts,
        "upcoming": upcoming[:8],
        "statuses": FILING_STATUSES,
    }


def trainee_panel(user, now):
    trainee = trainee_of(user)
    if trainee is None:
        return None
    mine = [c for c in services.list_trainee_courses(trainee) if c.ends_at is None or c.ends_at >= now]
    return {"template": "courses/panel_trainee.html", "mine": list(reversed(mine))[:5], "now": now}
