"""Roster pages: the officer's inbox, the base's rosters and reminder e-mail, one roster with its
actions and files, and the export of accepted rosters."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from basesys.accounts.scope import bases_in_scope
from basesys.core.batch import summary
from basesys.core.inputs import bounded_int, page_number
from basesys.core.pages import Done, page
from basesys.core.web import nav_url
from basesys.courses.access import get_course_for
from basesys.evaluation.forms import ITEM_LABELS
from basesys.notifications.services import notification_email, set_notification_email
from basesys.rosters import batch, downloads, queries, services, summary_pdf
from basesys.rosters.forms import (
    BatchDecisionForm,
    DecisionForm,
    EmailForm,
    ExportForm,
    RosterFilterForm,
    SubmitRosterForm,
    SummaryForm,
)
from basesys.rosters.models import RosterStatus

bp = Blueprint("rosters", __name__)

READERS = ("base_admin", "bureau_officer", "sysadmin")
OFFICERS = ("bureau_officer", "sysadmin")
PAGE_SIZE = 50
BATCH_MESSAGES = {
    "accept": (_l("Accepted %(n)s rosters."), _l("Accepted %(n)s rosters; %(m)s not decided: %(items)s")),
    "return": (_l("Returned %(n)s rosters."), _l("Returned %(n)s rosters; %(m)s not decided: %(items)s")),
}


def _page_number() -> int:
    return request.args.get("page", 1, type=page_number)


def _readable(user, course_id: int):
    return get_course_for(user, course_id, roles=READERS)


def _inbox_filters(user) -> tuple[RosterFilterForm, dict]:
    form = RosterFilterForm(request.args)
    form.base.choices = [("", _("All bases"))] + [(b.id, b.name) for b in bases_in_scope(user)]
    if not request.args:
        form.status.data = RosterStatus.SUBMITTED  # what waits for the officer
    form.validate()
    filters = dict(
        status=form.status.data or None,
        base_id=form.base.data,
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
    )
    return form, filters


def _inbox_page(ctx):
    form, filters = _inbox_filters(ctx.user)
    number, user = _page_number(), ctx.user
    items = queries.list_rosters(user, ctx.now, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE, **filters)
    total = queries.count_rosters(user, ctx.now, **filters)
    picked = ctx.form if isinstance(ctx.form, BatchDecisionForm) else BatchDecisionForm(formdata=None)
    return render_template(
        "rosters/inbox.html", form=form, items=items, total=total, page=number, page_size=PAGE_SIZE, batch_form=picked
    )


@page(bp, "/rosters/inbox", roles=OFFICERS)
def inbox(ctx):
    return _inbox_page(ctx)


@page(bp, "/rosters/decisions", ("POST",), roles=("bureau_officer",), form=BatchDecisionForm, invalid=_inbox_page)
def decide_many(ctx):
    """The ticked rosters, each accepted or returned on its own (rosters.batch); the flash says how
    many were decided and why the others were not."""
    form = ctx.form
    outcomes = batch.decide_rosters(
        ctx.user, form.course_ids.data, decision=form.decision.data, comment=form.comment.data, now=ctx.now
    )
    message, category = summary(outcomes, BATCH_MESSAGES[form.decision.data], lambda course: f"《{course.title}》")
    return Done(url_for("rosters.inbox", status=RosterStatus.SUBMITTED), message, category)


def _base_rosters_page(ctx, email_form=None):
    after = request.args.get("after", type=bounded_int)
    listed = queries.base_rosters_page(ctx.user.base_id, ctx.now, limit=PAGE_SIZE, after=after)
    email_form = email_form or EmailForm(email=notification_email(ctx.user))
    return render_template(
        "rosters/base_rosters.html",
        items=listed.items,
        next_after=listed.next,
        paged=after is not None,
        email_form=email_form,
    )


@page(bp, "/rosters", roles=("base_admin",))
def base_rosters(ctx):
    return _base_rosters_page(ctx)


@page(
    bp,
    "/rosters/email",
    methods=("POST",),
    roles=("base_admin",),
    form=EmailForm,
    invalid=lambda ctx: (_base_rosters_page(ctx, ctx.form), ctx.status),
)
def reminder_email(ctx):
    set_notification_email(ctx.user, ctx.form.email.data, now=ctx.now)
    return Done(url_for("rosters.base_rosters"), _("Saved."))


def _roster_page(ctx, course, status=200):
    state = services.roster_state(course, now=ctx.now)
    # The form being re-rendered keeps its input and errors; the other one starts empty.
    submitted = isinstance(ctx.form, SubmitRosterForm)
    decided = isinstance(ctx.form, DecisionForm)
    drafted = isinstance(ctx.form, SummaryForm)
    text = {"summary_text": state.summary.text}
    forms = {
        "submit_form": ctx.form if submitted else SubmitRosterForm(formdata=None, data=text),
        "decision_form": ctx.form if decided else DecisionForm(),
        "summary_form": ctx.form if drafted else SummaryForm(formdata=None, data=text),
    }
    history = queries.roster_history(state.roster)
    page_ = render_template(
        "rosters/roster.html", state=state, course=course, history=history, item_labels=ITEM_LABELS, **forms
    )
    return page_, status


def _roster_page_again(ctx, course):
    return _roster_page(ctx, course, ctx.status)


@page(bp, "/courses/<int:course_id>/roster", roles=READERS, load=_readable)
def roster(ctx, course):
    return _roster_page(ctx, course)


@page(
    bp,
    "/courses/<int:course_id>/roster/submit",
    methods=("POST",),
    roles=("base_admin",),
    load=_readable,
    form=SubmitRosterForm,
    invalid=_roster_page_again,
)
def submit(ctx, course):
    services.submit_roster(ctx.user, course, now=ctx.now, summary_text=ctx.form.summary_text.data)
    return Done(url_for("rosters.roster", course_id=course.id), _("The roster has been submitted to the bureau."))


@page(
    bp,
    "/courses/<int:course_id>/roster/summary",
    methods=("POST",),
    roles=("base_admin",),
    load=_readable,
    form=SummaryForm,
    invalid=_roster_page_again,
)
def save_summary(ctx, course):
    services.save_summary(ctx.user, course, text=ctx.form.summary_text.data, now=ctx.now)
    return Done(url_for("rosters.roster", course_id=course.id) + "#summary", _("The training summary has been saved."))


@page(bp, "/courses/<int:course_id>/roster/summary.pdf", roles=READERS)
def summary_download(ctx, course_id: int):
    return summary_pdf.summary_pdf_response(_readable(ctx.user, course_id), ctx.now)


@page(
    bp,
    "/courses/<int:course_id>/roster/decision",
    methods=("POST",),
    roles=("bureau_officer",),
    load=_readable,
    form=DecisionForm,
    invalid=_roster_page_again,
)
def decide(ctx, course):
    decision = ctx.form.decision.data
    services.decide_roster(ctx.user, course, decision=decision, comment=ctx.form.comment.data, now=ctx.now)
    if decision == "accept":
        message = _("Roster accepted: the trainees' hours are now recognized.")
    else:
        message = _("Roster returned to the base.")
    return Done(url_for("rosters.roster", course_id=course.id), message)


@page(bp, "/courses/<int:course_id>/roster.<any(xlsx, csv):fmt>", roles=READERS)
def download(ctx, course_id: int, fmt: str):
    return downloads.course_export(_readable(ctx.user, course_id), fmt, ctx.now)


def _exports_page(ctx, status=200):
    return render_template("rosters/exports.html", form=ctx.form), status


@page(
    bp,
    "/rosters/exports",
    roles=OFFICERS,
    form=lambda ctx: ExportForm(request.args),
    invalid=lambda ctx: _exports_page(ctx, ctx.status),
)
def exports(ctx):
    """A GET form (it only reads): a refused range is shown on the form by the page lifecycle."""
    if not request.args:
        return _exports_page(ctx)
    if not ctx.form.validate():
        return _exports_page(ctx, 422)
    form = ctx.form
    return downloads.accepted_export(ctx.user, form.start.data, form.end.data, form.fmt.data)


@bp.app_template_global()
def course_url(course_id: int) -> str | None:
    """The course's own page (courses feature), for links from roster and bureau pages."""
    return nav_url("courses.course_detail", course_id=course_id)
