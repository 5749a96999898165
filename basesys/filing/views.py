"""Filing pages: the base submits; the officer's inbox, review page (the whole plan and what changed
since the last approval) and decision; the printable form."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from basesys.core.errors import DomainError
from basesys.core.forms import show_refusal
from basesys.core.time import now_utc
from basesys.core.web import roles_required
from basesys.courses import services as courses
from basesys.courses.access import get_course_for, get_managed_course
from basesys.courses.state import FIELD_LABELS
from basesys.extensions import db
from basesys.filing import services
from basesys.filing.forms import DecisionForm
from basesys.filing.pdf import filing_pdf_response

bp = Blueprint("filing", __name__, url_prefix="/filing")

TABS = ("submitted", "approved", "returned", "decisions")


@bp.post("/courses/<int:course_id>/submit")
@roles_required("base_admin")
def submit(course_id: int):
    course = get_managed_course(current_user, course_id)
    try:
        services.submit_filing(current_user, course, now=now_utc())
    except DomainError as error:
        db.session.rollback()
        missing = "、".join(FIELD_LABELS.get(name, name) for name in getattr(error, "fields", {}) or {})
        flash(error.message + (f"（{missing}）" if missing else ""), "error")
        return redirect(url_for("courses.course_detail", course_id=course.id))
    db.session.commit()
    flash(_("Submitted to the bureau for review."), "success")
    return redirect(url_for("courses.course_detail", course_id=course.id))


@bp.get("/")
@roles_required("bureau_officer")
def inbox():
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "submitted"
    courses_ = services.list_filings(current_user, tab) if tab != "decisions" else []
    return render_template(
        "filing/inbox.html",
        tab=tab,
        courses=courses_,
        counts=courses.enrolled_counts(c.id for c in courses_),
        decisions=services.recent_decisions(current_user) if tab == "decisions" else [],
        waiting=services.count_waiting(current_user),
        now=now_utc(),
    )


def _render_review(course, form=None, status=200):
    return render_template(
        "filing/review.html",
        course=course,
        form=form or DecisionForm(formdata=None),
        changes=services.changes_since_approval(course),
        history=services.filing_history(course),
        enrolled=courses.enrolled_count(course),
        now=now_utc(),
    ), status


@bp.get("/courses/<int:course_id>")
@roles_required("bureau_officer")
def review(course_id: int):
    return _render_review(get_course_for(current_user, course_id))


@bp.post("/courses/<int:course_id>/decision")
@roles_required("bureau_officer")
def decide(course_id: int):
    course = get_course_for(current_user, course_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_review(course, form, 422)
    try:
        services.decide_filing(
            current_user, course, decision=form.decision.data, comment=form.comment.data, now=now_utc()
        )
    except DomainError as error:
        db.session.rollback()
        show_refusal(form, error)
        return _render_review(course, form, error.status)
    db.session.commit()
    if course.filing_status == "approved":
        flash(_("Approved. Filing number %(number)s.", number=course.filing_number), "success")
    else:
        flash(_("Returned to the base with your comment."), "success")
    return redirect(url_for("filing.inbox"))


@bp.get("/courses/<int:course_id>/form.pdf")
@roles_required("base_admin", "bureau_officer", "sysadmin")
def filing_pdf(course_id: int):
    return filing_pdf_response(get_course_for(current_user, course_id), now_utc())
