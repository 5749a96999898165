"""The base admin's venues (场地) and teachers (授课教师): lists and create/edit forms (issue 13).
Every page goes through `core.pages.page`; another base's record is 404."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from basesys.core.pages import Done, page
from basesys.courses.access import get_base_teacher, get_base_venue
from basesys.courses.forms import TeacherForm, VenueForm
from basesys.courses.services import records

bp = Blueprint("records", __name__)

ADMIN = ("base_admin",)


@page(bp, "/venues", roles=ADMIN)
def venues(ctx):
    return render_template("courses/venues.html", venues=records.list_venues(ctx.user.base_id))


def render_venue_form(ctx, venue=None):
    return render_template("courses/record_form.html", form=ctx.form, record=venue, kind="venue")


@page(bp, "/venues/new", ("GET", "POST"), roles=ADMIN, form=VenueForm, invalid=render_venue_form)
def new_venue(ctx):
    if request.method == "GET":
        return render_venue_form(ctx)
    venue = records.create_venue(ctx.user, ctx.user.base, values=ctx.form.values(), now=ctx.now)
    return Done(url_for("records.venues"), _("Venue %(name)s saved.", name=venue.name))


def _venue_form(ctx, venue):
    return VenueForm(obj=venue) if request.method == "GET" else VenueForm()


@page(
    bp,
    "/venues/<int:venue_id>/edit",
    ("GET", "POST"),
    roles=ADMIN,
    load=get_base_venue,
    form=_venue_form,
    invalid=render_venue_form,
)
def edit_venue(ctx, venue):
    if request.method == "GET":
        return render_venue_form(ctx, venue)
    records.update_venue(ctx.user, venue, values=ctx.form.values(), now=ctx.now)
    return Done(url_for("records.venues"), _("Venue %(name)s saved.", name=venue.name))


@page(bp, "/teachers", roles=ADMIN)
def teachers(ctx):
    return render_template("courses/teachers.html", teachers=records.list_teachers(ctx.user.base_id))


def render_teacher_form(ctx, teacher=None):
    return render_template("courses/record_form.html", form=ctx.form, record=teacher, kind="teacher")


@page(bp, "/teachers/new", ("GET", "POST"), roles=ADMIN, form=TeacherForm, invalid=render_teacher_form)
def new_teacher(ctx):
    if request.method == "GET":
        return render_teacher_form(ctx)
    teacher = records.create_teacher(ctx.user, ctx.user.base, values=ctx.form.values(), now=ctx.now)
    return Done(url_for("records.teachers"), _("Teacher %(name)s saved.", name=teacher.name))


def _teacher_form(ctx, teacher):
    return TeacherForm(obj=teacher) if request.method == "GET" else TeacherForm()


@page(
    bp,
    "/teachers/<int:teacher_id>/edit",
    ("GET", "POST"),
    roles=ADMIN,
    load=get_base_teacher,
    form=_teacher_form,
    invalid=render_teacher_form,
)
def edit_teacher(ctx, teacher):
    if request.method == "GET":
        return render_teacher_form(ctx, teacher)
    records.update_teacher(ctx.user, teacher, values=ctx.form.values(), now=ctx.now)
    return Done(url_for("records.teachers"), _("Teacher %(name)s saved.", name=teacher.name))
