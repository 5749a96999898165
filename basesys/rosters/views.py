"""Roster pages: the officer's inbox, the base's rosters, one roster with its actions and files,
the export of accepted rosters, and the notifications on the home page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from basesys.accounts.scope import bases_in_scope
from basesys.core.errors import DomainError
from basesys.core.forms import show_refusal
from basesys.core.time import now_utc
from basesys.core.web import nav_url, roles_required
from basesys.courses.access import get_course_for
from basesys.extensions import db
from basesys.rosters import downloads, panels, queries, services  # noqa: F401 -- panels register themselves
from basesys.rosters.forms import DecisionForm, EmailForm, ExportForm, RosterFilterForm, SubmitRosterForm
from basesys.rosters.notify import mark_read, notification_email, set_notification_email

bp = Blueprint("rosters", __name__)

READERS = ("base_admin", "bureau_officer", "sysadmin")
PAGE_SIZE = 50


def _page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.get("/rosters/inbox")
@roles_required("bureau_officer", "sysadmin")
def inbox():
    form = RosterFilterForm(request.args)
    form.base.choices = [("", _("All bases"))] + [(b.id, b.name) for b in bases_in_scope(current_user)]
    if not request.args:
        form.status.data = "submitted"  # what waits for the officer
    form.validate()
    filters = dict(
        status=form.status.data or None,
        base_id=form.base.data,
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
    )
    now, page = now_utc(), _page_number()
    items = queries.list_rosters(current_user, now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, **filters)
    total = queries.count_rosters(current_user, now, **filters)
    return render_template("rosters/inbox.html", form=form, items=items, total=total, page=page, page_size=PAGE_SIZE)


@bp.get("/rosters")
@roles_required("base_admin")
def base_rosters():
    items = queries.base_roster_items(current_user.base_id, now_utc())
    form = EmailForm(email=notification_email(current_user))
    return render_template("rosters/base_rosters.html", items=items, email_form=form)


@bp.post("/rosters/email")
@roles_required("base_admin")
def reminder_email():
    form = EmailForm()
    if form.validate_on_submit():
        try:
            set_notification_email(current_user, form.email.data, now_utc())
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("rosters.base_rosters"))
    items = queries.base_roster_items(current_user.base_id, now_utc())
    return render_template("rosters/base_rosters.html", items=items, email_form=form), 422


def _roster_page(course, submit_form=None, decision_form=None, status=200):
    state = services.roster_state(course, now_utc())
    return (
        render_template(
            "rosters/roster.html",
            state=state,
            course=course,
            history=queries.roster_history(state.roster),
            submit_form=submit_form or SubmitRosterForm(),
            decision_form=decision_form or DecisionForm(),
        ),
        status,
    )


@bp.get("/courses/<int:course_id>/roster")
@roles_required(*READERS)
def roster(course_id: int):
    return _roster_page(get_course_for(current_user, course_id, roles=READERS))


@bp.post("/courses/<int:course_id>/roster/submit")
@roles_required("base_admin")
def submit(course_id: int):
    course = get_course_for(current_user, course_id, roles=("base_admin",))
    form = SubmitRosterForm()
    if not form.validate_on_submit():
        return _roster_page(course, submit_form=form, status=422)
    try:
        services.submit_roster(course, current_user, now_utc())
    except DomainError as error:
        db.session.rollback()
        show_refusal(form, error)
        return _roster_page(course, submit_form=form, status=error.status)
    db.session.commit()
    flash(_("The roster has been submitted to the bureau."), "success")
    return redirect(url_for("rosters.roster", course_id=course.id))


@bp.post("/courses/<int:course_id>/roster/decision")
@roles_required("bureau_officer")
def decide(course_id: int):
    course = get_course_for(current_user, course_id, roles=("bureau_officer",))
    form = DecisionForm()
    if not form.validate_on_submit():
        return _roster_page(course, decision_form=form, status=422)
    try:
        services.decide_roster(course, current_user, form.decision.data, form.comment.data, now_utc())
    except DomainError as error:
        db.session.rollback()
        show_refusal(form, error)
        return _roster_page(course, decision_form=form, status=error.status)
    db.session.commit()
    if form.decision.data == "accept":
        flash(_("Roster accepted: the trainees' hours are now recognized."), "success")
    else:
        flash(_("Roster returned to the base."), "success")
    return redirect(url_for("rosters.roster", course_id=course.id))


@bp.get("/courses/<int:course_id>/roster.<any(xlsx, csv):fmt>")
@roles_required(*READERS)
def download(course_id: int, fmt: str):
    course = get_course_for(current_user, course_id, roles=READERS)
    return downloads.course_export(course, fmt, now_utc())


@bp.get("/rosters/exports")
@roles_required("bureau_officer", "sysadmin")
def exports():
    form = ExportForm(request.args)
    if not request.args:
        return render_template("rosters/exports.html", form=form)
    if form.validate():
        try:
            return downloads.accepted_export(current_user, form.start.data, form.end.data, form.fmt.data)
        except DomainError as error:
            show_refusal(form, error)
    return render_template("rosters/exports.html", form=form), 422


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_notification(notification_id: int):
    if mark_read(current_user, notification_id, now_utc()) == 0:
        abort(404)
    db.session.commit()
    return redirect(url_for("accounts.home"))


@bp.post("/notifications/read")
@login_required
def read_all_notifications():
    mark_read(current_user, None, now_utc())
    db.session.commit()
    return redirect(url_for("accounts.home"))


@bp.app_template_global()
def course_url(course_id: int) -> str | None:
    """The course's own page (courses feature), for links from roster and bureau pages."""
    return nav_url("courses.course_detail", course_id=course_id)
