"""Filing pages: the base submits; the officer's inbox, review page (the whole plan and what changed
since the last approval) and decision; the printable form. Every page goes through `core.pages.page`."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from basesys.core.batch import summary
from basesys.core.inputs import bounded_int
from basesys.core.pages import Done, page
from basesys.courses import services as courses
from basesys.courses.access import get_course_for, get_managed_course
from basesys.courses.models import FilingStatus
from basesys.courses.state import field_label
from basesys.filing import batch, services
from basesys.filing.forms import BatchDecisionForm, DecisionForm, SubmitForm
from basesys.filing.history import filing_history, recent_decisions
from basesys.filing.pdf import filing_pdf_response

bp = Blueprint("filing", __name__, url_prefix="/filing")

INBOX_PAGE = 50  # keyset pages (core.paging): a province's approved tab holds 100,000 courses
TABS = (*(s.value for s in (FilingStatus.SUBMITTED, FilingStatus.APPROVED, FilingStatus.RETURNED)), "decisions")

BATCH_MESSAGES = {
    "approve": (_l("Approved %(n)s."), _l("Approved %(n)s; %(m)s not decided: %(items)s")),
    "return": (_l("Returned %(n)s."), _l("Returned %(n)s; %(m)s not decided: %(items)s")),
}


def _course_page(course) -> str:
    return url_for("courses.course_detail", course_id=course.id)


def _refused_submission(ctx, course):
    """Back to the course page; the lifecycle flashed the refusal, this names the missing fields."""
    missing = "、".join(field_label(name) for name in getattr(ctx.error, "fields", None) or {})
    if missing:
        flash(_("To fill in: %(fields)s", fields=missing), "error")
    return redirect(_course_page(course)), 302


@page(
    bp,
    "/courses/<int:course_id>/submit",
    ("POST",),
    roles=("base_admin",),
    load=get_managed_course,
    form=SubmitForm,
    invalid=_refused_submission,
)
def submit(ctx, course):
    services.submit_filing(ctx.user, course, now=ctx.now)
    return Done(_course_page(course), _("Submitted to the bureau for review."))


@page(
    bp,
    "/courses/<int:course_id>/withdraw",
    ("POST",),
    roles=("base_admin",),
    load=get_managed_course,
    form=SubmitForm,
    invalid=_refused_submission,
)
def withdraw(ctx, course):
    services.withdraw_filing(ctx.user, course, now=ctx.now)
    return Done(_course_page(course), _("Filing withdrawn: the course is a draft again."))


def render_inbox(ctx, tab=FilingStatus.SUBMITTED):
    after = request.args.get("after", type=bounded_int)
    listed = services.filings_page(ctx.user, tab, limit=INBOX_PAGE, after=after) if tab != "decisions" else None
    return render_template(
        "filing/inbox.html",
        tab=tab,
        courses=listed.items if listed else [],
        next_after=listed.next if listed else None,
        paged=after is not None,
        counts=courses.enrolled_counts(c.id for c in listed.items) if listed else {},
        decisions=recent_decisions(ctx.user) if tab == "decisions" else [],
        waiting=services.count_waiting(ctx.user),
        batch_form=ctx.form if isinstance(ctx.form, BatchDecisionForm) else BatchDecisionForm(formdata=None),
        now=ctx.now,
    )


@page(bp, "/", roles=("bureau_officer",))
def inbox(ctx):
    return render_inbox(ctx, request.args.get("tab") if request.args.get("tab") in TABS else FilingStatus.SUBMITTED)


@page(bp, "/decisions", ("POST",), roles=("bureau_officer",), form=BatchDecisionForm, invalid=render_inbox)
def decide_many(ctx):
    """The ticked filings of the inbox, each decided on its own (filing.batch); the flash says
    how many were decided and why the others were not."""
    form = ctx.form
    outcomes = batch.decide_filings(
        ctx.user, form.course_ids.data, decision=form.decision.data, comment=form.comment.data, now=ctx.now
    )
    message, category = summary(outcomes, BATCH_MESSAGES[form.decision.data], lambda course: f"《{course.title}》")
    return Done(url_for("filing.inbox"), message, category)


def render_review(ctx, course):
    return render_template(
        "filing/review.html",
        course=course,
        form=ctx.form or DecisionForm(formdata=None),
        changes=services.changes_since_approval(course),
        history=filing_history(course),
        enrolled=courses.enrolled_count(course),
        now=ctx.now,
    )


@page(bp, "/courses/<int:course_id>", roles=("bureau_officer",), load=get_course_for)
def review(ctx, course):
    return render_review(ctx, course)


@page(
    bp,
    "/courses/<int:course_id>/decision",
    ("POST",),
    roles=("bureau_officer",),
    load=get_course_for,
    form=DecisionForm,
    invalid=render_review,
)
def decide(ctx, course):
    form = ctx.form
    services.decide_filing(ctx.user, course, decision=form.decision.data, comment=form.comment.data, now=ctx.now)
    if course.filing_status == FilingStatus.APPROVED:
        return Done(url_for("filing.inbox"), _("Approved. Filing number %(number)s.", number=course.filing_number))
    return Done(url_for("filing.inbox"), _("Returned to the base with your comment."))


@page(bp, "/courses/<int:course_id>/form.pdf", roles=("base_admin", "bureau_officer", "sysadmin"), load=get_course_for)
def filing_pdf(ctx, course):
    return filing_pdf_response(course, ctx.now)
