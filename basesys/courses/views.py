"""Course pages: the base admin's list, form, detail (sessions, enrollment, and the sections other
features add to it, e.g. filing's history) and week schedule; the trainee's catalog. Every page
goes through `core.pages.page`: load → authorize → validate → one service → one commit → respond."""

from datetime import date, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from basesys.accounts.scope import trainee_of
from basesys.core.errors import NotFound
from basesys.core.home import panels_for
from basesys.core.inputs import bounded_int, in_sane_years, page_number
from basesys.core.pages import Done, page
from basesys.core.spreadsheet import CSV_MIMETYPE
from basesys.core.spreadsheet import XLSX_MIMETYPE as XLSX
from basesys.core.time import local_date
from basesys.courses import enrollment_file, forms, services
from basesys.courses.access import get_course_for, get_managed_course
from basesys.courses.forms import CopyForm, CourseForm, EnrollForm, ImportForm, PatternForm, place_course_errors
from basesys.courses.models import FILING_STATUSES, Enrollment, FilingStatus
from basesys.courses.search import CourseSearchForm, EnrolmentSearchForm
from basesys.courses.services import records
from basesys.extensions import db

bp = Blueprint("courses", __name__)

ADMIN = ("base_admin",)
TRAINEE = ("trainee",)
CARDS_PAGE = 20  # course cards per page of the trainee's lists (a phone screen or two)


@page(bp, "/courses", roles=ADMIN)
def list_courses(ctx):
    status = request.args.get("status") if request.args.get("status") in FILING_STATUSES else ""
    number = request.args.get("page", 1, type=page_number)
    search = CourseSearchForm(request.args)
    courses, total, number = services.list_base_courses(
        ctx.user.base_id, status=status or None, now=ctx.now, page=number, **search.filters()
    )
    return render_template(
        "courses/list.html",
        search=search,
        courses=courses,
        listed={"page": number, "size": services.COURSE_PAGE_SIZE, "total": total},
        counts=services.enrolled_counts(c.id for c in courses),
        status=status,
        statuses=FILING_STATUSES,
        totals=services.status_counts(ctx.user.base_id),
        now=ctx.now,
    )


# --- the course form --------------------------------------------------------------------------


def _session_rows(form: CourseForm) -> list:
    return [entry.form for entry in form.sessions.entries if not entry.form.is_blank()]


def _session_inputs(form: CourseForm) -> list[services.SessionInput]:
    def hours(row):
        return None if row.credit_hours.data is None else float(row.credit_hours.data)

    def number(value):
        return int(value) if value and str(value).isdigit() else None

    rows = _session_rows(form)
    return [
        services.SessionInput(*row.instants(), row.title.data or "", hours(row), number(row.id.data), *row.booking())
        for row in rows
    ]


def render_course_form(ctx, course=None):
    """The course form, with every problem of the submitted input at once — the form's own, the
    refusal's and the other course and session rules' — each on its row or field and in a summary
    at the top; "add a session" (a submit that saves nothing, see CourseForm.validate) comes here
    too and gets one more row."""
    form, session_errors = ctx.form, []
    if form.add_row.data:
        form.sessions.append_entry()
    elif ctx.error is not None:
        session_errors = place_course_errors(form, _session_rows(form), ctx.error)
    inputs = _session_inputs(form)
    if course is not None:
        policy = services.policy_for_course(course)
    else:
        policy = services.policy_for_sessions(ctx.user.base, (i.starts_at for i in inputs if i.starts_at), now=ctx.now)
    if request.method == "POST" and not form.add_row.data:
        problems = services.list_course_problems(form.course_values(), inputs, policy)
        placed = forms.place_problems(form, _session_rows(form), problems)
        session_errors += [message for message in placed if message not in session_errors]
    locked = {
        str(s.id)
        for s in (course.sessions if course else [])
        if services.is_session_locked(course, s, policy, now=ctx.now)
    }
    html = render_template(
        "courses/form.html",
        form=form,
        course=course,
        policy=policy,
        session_errors=session_errors,
        summary=[] if form.add_row.data else forms.error_summary(form, session_errors),
        locked_ids=locked,
        venues=records.list_venues(ctx.user.base_id),
        teachers=records.list_teachers(ctx.user.base_id),
    )
    return (html, 200) if form.add_row.data else html


def _with_warnings(course, done: Done) -> Done:
    """A venue smaller than the course plans for is told after saving, never refused."""
    for warning in services.capacity_warnings(course):
        flash(warning, "warning")
    return done


def _saved(course) -> Done:
    sent = course.filing_status == FilingStatus.SUBMITTED
    message = _("Saved and sent to the bureau for review.") if sent else _("Saved.")
    return _with_warnings(course, Done(url_for("courses.course_detail", course_id=course.id), message))


@page(bp, "/courses/new", ("GET", "POST"), roles=ADMIN, form=CourseForm, invalid=render_course_form)
def new_course(ctx):
    if request.method == "GET":
        return render_course_form(ctx)
    values, sessions = ctx.form.course_values(), _session_inputs(ctx.form)
    return _saved(services.create_course(ctx.user, ctx.user.base, values=values, sessions=sessions, now=ctx.now))


@page(
    bp,
    "/courses/<int:course_id>/edit",
    ("GET", "POST"),
    roles=ADMIN,
    load=get_managed_course,
    form=CourseForm,
    invalid=render_course_form,
)
def edit_course(ctx, course):
    if request.method == "GET":
        ctx.form.fill_from(course)
        return render_course_form(ctx, course)
    values, sessions = ctx.form.course_values(), _session_inputs(ctx.form)
    return _saved(services.update_course(ctx.user, course, values=values, sessions=sessions, now=ctx.now))


# --- the course page and its enrollment ---------------------------------------------------------


def render_detail(ctx, course, *, enroll_form=None, import_form=None, import_rows=None, pattern_form=None):
    manage = ctx.user.role == "base_admin"
    who = EnrolmentSearchForm(request.args)
    return render_template(
        "courses/detail.html",
        course=course,
        pattern_form=pattern_form or PatternForm(formdata=None),
        venues=records.list_venues(course.base_id) if manage else [],
        teachers=records.list_teachers(course.base_id) if manage else [],
        warnings=services.capacity_warnings(course) if manage else [],
        manage=ctx.user.role == "base_admin",
        policy=services.policy_for_course(course),
        enrollments=services.list_enrollments(course, who=who.query()),
        who_form=who,
        enrolled_total=services.enrolled_count(course),
        panels=panels_for(ctx.user, ctx.now, "course", course),
        enroll_form=enroll_form or EnrollForm(formdata=None),
        import_form=import_form or ImportForm(formdata=None),
        import_rows=import_rows,
        now=ctx.now,
    )


def _render_enroll_form(ctx, course):
    if ctx.error is not None and not ctx.form.errors and getattr(ctx.error, "fields", None) is None:
        ctx.form.id_number.errors = [ctx.error.message]
    return render_detail(ctx, course, enroll_form=ctx.form)


def _render_import_form(ctx, course):
    rows = ctx.error.details.get("rows") if ctx.error is not None else None
    return render_detail(ctx, course, import_form=ctx.form, import_rows=rows)


def _trainees_of(course) -> str:
    return url_for("courses.course_detail", course_id=course.id, _anchor="trainees")


@page(bp, "/courses/<int:course_id>", load=get_course_for)
def course_detail(ctx, course):
    if ctx.user.role == "trainee":
        return redirect(url_for("courses.catalog_course", course_id=course.id))
    return render_detail(ctx, course)


@page(
    bp,
    "/courses/<int:course_id>/enrollments",
    ("POST",),
    roles=ADMIN,
    load=get_managed_course,
    form=EnrollForm,
    invalid=_render_enroll_form,
)
def enroll(ctx, course):
    form = ctx.form
    values = {name: getattr(form, name).data or "" for name in ("name", "phone", "employer", "series", "title")}
    enrollment = services.enroll_trainee(ctx.user, course, id_number=form.id_number.data, now=ctx.now, **values)
    return Done(_trainees_of(course), _("%(name)s is enrolled.", name=enrollment.trainee.name))


def _load_enrollment(user, course_id: int, enrollment_id: int) -> Enrollment:
    course = get_managed_course(user, course_id)
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.course_id != course.id:
        raise NotFound()
    return enrollment


@page(
    bp,
    "/courses/<int:course_id>/enrollments/<int:enrollment_id>/remove",
    ("POST",),
    roles=ADMIN,
    load=_load_enrollment,
)
def remove_enrollment(ctx, enrollment):
    course, name = enrollment.course, enrollment.trainee.name
    services.remove_enrollment(ctx.user, enrollment, now=ctx.now)
    return Done(_trainees_of(course), _("%(name)s is no longer enrolled.", name=name))


@page(
    bp,
    "/courses/<int:course_id>/enrollments/import",
    ("POST",),
    roles=ADMIN,
    load=get_managed_course,
    form=ImportForm,
    invalid=_render_import_form,
)
def import_enrollments(ctx, course):
    upload = ctx.form.file.data
    result = services.import_enrollments(ctx.user, course, upload.read(), filename=upload.filename or "", now=ctx.now)
    message = _(
        "Imported: %(imported)s enrolled (%(created)s new trainee records), %(skipped)s already on the list.",
        imported=result.imported,
        created=result.created_trainees,
        skipped=result.already_enrolled,
    )
    return Done(_trainees_of(course), message)


def _render_pattern_form(ctx, course):
    return render_detail(ctx, course, pattern_form=ctx.form)


@page(
    bp,
    "/courses/<int:course_id>/sessions/pattern",
    ("POST",),
    roles=ADMIN,
    load=get_managed_course,
    form=PatternForm,
    invalid=_render_pattern_form,
)
def add_pattern(ctx, course):
    """Sessions from a repeating pattern, all checked before any is saved."""
    added = services.add_pattern_sessions(ctx.user, course, pattern=ctx.form.pattern(), now=ctx.now)
    url = url_for("courses.course_detail", course_id=course.id, _anchor="sessions")
    return _with_warnings(course, Done(url, _("%(n)s sessions added.", n=len(added))))


def _render_copy_form(ctx, course):
    return render_template("courses/copy.html", course=course, form=ctx.form)


def _copy_form(ctx, course):
    return CopyForm(data={"title": course.title}) if request.method == "GET" else CopyForm()


@page(
    bp,
    "/courses/<int:course_id>/copy",
    ("GET", "POST"),
    roles=ADMIN,
    load=get_managed_course,
    form=_copy_form,
    invalid=_render_copy_form,
)
def copy_course(ctx, course):
    if request.method == "GET":
        return _render_copy_form(ctx, course)
    form = ctx.form
    copy = services.copy_course(ctx.user, course, first_day=form.first_day.data, title=form.title.data, now=ctx.now)
    url = url_for("courses.course_detail", course_id=copy.id)
    return _with_warnings(copy, Done(url, _("Copied as a draft. Check it, then file it with the bureau.")))


@page(bp, "/courses/enrollment-template.<any(xlsx, csv):fmt>", roles=ADMIN)
def enrollment_template(ctx, fmt: str):
    if fmt == "xlsx":
        data, mimetype = enrollment_file.template_xlsx(), XLSX
    else:
        data, mimetype = enrollment_file.template_csv(), CSV_MIMETYPE
    quoted = "%E6%8A%A5%E5%90%8D%E8%A1%A8"  # 报名表
    headers = {"Content-Disposition": f"attachment; filename=enrolment.{fmt}; filename*=UTF-8''{quoted}.{fmt}"}
    return Response(data, mimetype=mimetype, headers=headers)


@page(bp, "/courses/schedule", roles=ADMIN)
def schedule(ctx):
    try:
        picked = in_sane_years(date.fromisoformat(request.args.get("week", "")))
    except ValueError:  # no date, or one at the ends of the calendar (a week there overflows)
        picked = local_date(ctx.now)
    monday = picked - timedelta(days=picked.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    by_day = {day: [] for day in days}
    for course_session in services.sessions_between(ctx.user.base_id, monday, 7):
        by_day[local_date(course_session.starts_at)].append(course_session)
    return render_template(
        "courses/schedule.html",
        days=days,
        by_day=by_day,
        today=local_date(ctx.now),
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
    )


# --- trainees ---------------------------------------------------------------------------------


def _trainee(user):
    trainee = trainee_of(user)
    if trainee is None:
        raise NotFound()
    return trainee


def _catalog_course(user, course_id: int):
    _trainee(user)
    return get_course_for(user, course_id)


@page(bp, "/catalog", roles=TRAINEE)
def catalog(ctx):
    """The courses open for enrolment, a page at a time; above the first page, my courses to come."""
    trainee = _trainee(ctx.user)
    after = request.args.get("after", type=bounded_int)
    offered = services.catalog_page(trainee, now=ctx.now, limit=CARDS_PAGE, after=after)
    mine = [] if after else services.upcoming_trainee_courses(trainee, now=ctx.now, limit=CARDS_PAGE)
    return render_template(
        "courses/catalog.html",
        offered=offered.items,
        next_after=offered.next,
        paged=after is not None,
        mine=mine,
        enrolled=services.enrolled_ids(trainee, (c.id for c in offered.items)),
        now=ctx.now,
    )


@page(bp, "/me/courses", roles=TRAINEE)
def my_courses(ctx):
    """Every course the trainee was enrolled in, latest first, a page at a time ("更多")."""
    after = request.args.get("after", type=bounded_int)
    mine = services.trainee_courses_page(_trainee(ctx.user), limit=CARDS_PAGE, after=after)
    return render_template(
        "courses/my_courses.html", courses=mine.items, next_after=mine.next, paged=after is not None, now=ctx.now
    )


@page(bp, "/catalog/<int:course_id>", roles=TRAINEE, load=_catalog_course)
def catalog_course(ctx, course):
    enrolled = bool(services.enrolled_ids(_trainee(ctx.user), [course.id]))
    starts = course.starts_at
    open_ = course.is_approved and not course.finalized and starts is not None and starts > ctx.now
    full = course.capacity is not None and services.enrolled_count(course) >= course.capacity
    return render_template(
        "courses/catalog_course.html",
        course=course,
        enrolled=enrolled,
        open=open_,
        full=full,
        panels=panels_for(ctx.user, ctx.now, "catalog", course),
        now=ctx.now,
    )


@page(bp, "/catalog/<int:course_id>/enrol", ("POST",), roles=TRAINEE, load=_catalog_course)
def enroll_self(ctx, course):
    services.enroll_self(ctx.user, _trainee(ctx.user), course, now=ctx.now)
    message = _("You are enrolled. Scan the QR code at the venue to check in.")
    return Done(url_for("courses.catalog_course", course_id=course.id), message)
