"""The base admin's month and week calendars (the base's and a course's), the trainee's feed link
and its reset. Every page goes through `core.pages.page` (load → authorize → one service → commit)."""

from datetime import date

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _

from basesys.accounts.scope import trainee_of
from basesys.calendars import enrol_link, services
from basesys.calendars.links import course_page_url, enrol_url
from basesys.core.errors import NotFound
from basesys.core.inputs import in_sane_years
from basesys.core.pages import Done, page
from basesys.core.time import local_date
from basesys.courses import calendar, ical
from basesys.courses.access import get_managed_course
from basesys.courses.models import Course
from basesys.extensions import db

bp = Blueprint("calendars", __name__)

ADMIN = ("base_admin",)


def _span(default_day: date) -> calendar.Span:
    """The month (default) or week of `?view=` holding the date `?d=`, else `default_day`."""
    view = "week" if request.args.get("view") == "week" else "month"
    try:
        day = in_sane_years(date.fromisoformat(request.args.get("d", "")))
    except ValueError:  # no date, a malformed one, or one at the ends of the calendar
        day = default_day
    return calendar.span_of(view, day)


def _render(ctx, span, sessions, *, course=None):
    return render_template(
        "calendars/calendar.html",
        span=span,
        by_day=calendar.by_local_day(sessions, span),
        legend=calendar.LEGEND,
        today=local_date(ctx.now),
        course=course,
        endpoint="calendars.course_calendar" if course else "calendars.base_calendar",
        path={"course_id": course.id} if course else {},
    )


@page(bp, "/calendar", roles=ADMIN)
def base_calendar(ctx):
    """Every session of the base's courses in a month or a week, coloured by filing state."""
    span = _span(local_date(ctx.now))
    return _render(ctx, span, calendar.base_sessions(ctx.user.base_id, span.first, span.end))


@page(bp, "/courses/<int:course_id>/calendar", roles=ADMIN, load=get_managed_course)
def course_calendar(ctx, course):
    """One course's sessions; it opens on the course's first session."""
    span = _span(calendar.first_session_day(course, local_date(ctx.now)))
    return _render(ctx, span, calendar.course_sessions(course.id, span.first, span.end), course=course)


def _trainee(user):
    trainee = trainee_of(user)
    if trainee is None:
        raise NotFound()
    return trainee


@page(bp, "/me/calendar-feed", ("POST",), roles=("trainee",))
def reset_feed(ctx):
    """Create the trainee's private feed link, or replace it (the old link stops working)."""
    feed = services.reset_feed(_trainee(ctx.user), actor=ctx.user, now=ctx.now)
    if feed.reset_at is None:
        message = _("Your calendar link is ready.")
    else:
        message = _("Your calendar link was reset: the old link no longer works.")
    return Done(url_for("accounts.home") + "#calendar-feed", message)


# --- iCalendar feeds (public URLs: phone calendars send no cookies) ----------------------------


def _ics(name: str, sessions, now, filename: str) -> Response:
    body = ical.sessions_calendar(
        name, sessions, base_url=current_app.config["BASE_URL"], course_url=course_page_url, now=now
    )
    response = Response(body, mimetype=ical.MIMETYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _approved_course(_user, course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not course.is_approved:
        raise NotFound()
    return course


@page(bp, "/courses/<int:course_id>/calendar.ics", public=True, load=_approved_course)
def course_feed(ctx, course):
    """The public feed of an approved course (404 for any other state, as the catalogue hides it)."""
    return _ics(course.title, course.sessions, ctx.now, f"course-{course.id}.ics")


@page(bp, "/calendar/feed/<token>.ics", public=True)
def trainee_feed(ctx, token):
    """The trainee's enrolled sessions, at the private URL of their current token (404 otherwise)."""
    trainee = services.trainee_for_token(token)
    if trainee is None:
        raise NotFound()
    return _ics(_("My training sessions"), calendar.enrolled_sessions(trainee.id), ctx.now, "my-courses.ics")


# --- the self-enrolment link, its QR code and poster -------------------------------------------


def _enrolment_course(user, course_id: int, **_format) -> Course:
    """An approved course of the admin's base (only those are in the catalogue); 404 otherwise."""
    course = get_managed_course(user, course_id)
    if not course.is_approved:
        raise NotFound()
    return course


@page(bp, "/courses/<int:course_id>/enrol-qr.<any(png, svg):fmt>", roles=ADMIN, load=_enrolment_course)
def enrol_qr(ctx, course):
    fmt = ctx.values["fmt"]
    if fmt == "svg":
        body, mimetype = enrol_link.qr_svg(enrol_url(course)), "image/svg+xml"
    else:
        body, mimetype = enrol_link.qr_png(enrol_url(course)), "image/png"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="enrol-course-{course.id}.{fmt}"'
    return response


@page(bp, "/courses/<int:course_id>/poster", roles=ADMIN, load=_enrolment_course)
def enrol_poster(ctx, course):
    """A printable A4 poster: the course, its dates and place, the QR code and the link."""
    url = enrol_url(course)
    return render_template("calendars/poster.html", course=course, url=url, qr=enrol_link.qr_svg_inline(url))
