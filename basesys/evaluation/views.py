"""Evaluation pages (DOMAIN.md §13): the trainee's phone-sized form, a course's anonymous results
(its base and its bureaus), and the trend of a base's courses across a year."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from basesys.accounts.models import Base
from basesys.accounts.scope import bases_in_scope, can_see_base, trainee_of
from basesys.core.errors import NotFound
from basesys.core.pages import Done, page
from basesys.core.time import local_date
from basesys.courses.access import get_course_for
from basesys.evaluation import charts, services
from basesys.evaluation.forms import ITEM_LABELS, EvaluationForm, TrendForm
from basesys.evaluation.models import ITEMS
from basesys.extensions import db

bp = Blueprint("evaluation", __name__)

READERS = ("base_admin", "bureau_officer", "sysadmin")


def _trainee_course(user, course_id: int):
    return get_course_for(user, course_id, roles=("trainee",))


def _reader_course(user, course_id: int):
    return get_course_for(user, course_id, roles=READERS)


def _form_page(ctx, course, status=200):
    trainee = trainee_of(ctx.user)
    if services.has_answered(course, trainee):
        state, status = "answered", 200
    elif not services.can_evaluate(course, trainee, now=ctx.now):
        state, status = "closed", 403
    else:
        state = "open"
    form = ctx.form if isinstance(ctx.form, EvaluationForm) else EvaluationForm()
    page_ = render_template("evaluation/form.html", course=course, form=form, state=state, labels=ITEM_LABELS)
    return page_, status


@page(bp, "/courses/<int:course_id>/evaluate", roles=("trainee",), load=_trainee_course)
def evaluate(ctx, course):
    return _form_page(ctx, course)


@page(
    bp,
    "/courses/<int:course_id>/evaluate",
    methods=("POST",),
    roles=("trainee",),
    load=_trainee_course,
    form=EvaluationForm,
    invalid=lambda ctx, course: _form_page(ctx, course, ctx.status),
    endpoint="submit",
)
def submit(ctx, course):
    scores = {name: getattr(ctx.form, name).data for name in ITEMS}
    trainee = trainee_of(ctx.user)
    services.submit_evaluation(trainee, course, scores=scores, comment=ctx.form.comment.data or "", now=ctx.now)
    return Done(url_for("accounts.home"), _("Thank you: your evaluation is recorded, without your name."))


@page(bp, "/courses/<int:course_id>/evaluation", roles=READERS, load=_reader_course)
def course_results(ctx, course):
    summary = services.course_summary(course)
    bars = {name: charts.count_bars(summary.items[name].counts, title=str(ITEM_LABELS[name])) for name in ITEMS}
    return render_template("evaluation/results.html", course=course, summary=summary, labels=ITEM_LABELS, bars=bars)


def _trend_base(ctx, form: TrendForm) -> Base | None:
    """The base admin's own base; for an officer, the chosen base of their scope (404 outside it)."""
    if ctx.user.role == "base_admin":
        return db.session.get(Base, ctx.user.base_id)
    bases = bases_in_scope(ctx.user)
    form.base_id.choices = [(base.id, base.name) for base in bases]
    if not bases:
        return None
    wanted = request.args.get("base_id", type=int)
    if wanted is None:
        return bases[0]
    base = db.session.get(Base, wanted)
    if base is None or not can_see_base(ctx.user, base):
        raise NotFound()
    return base


@page(bp, "/evaluations", roles=READERS)
def trend(ctx):
    form = TrendForm(request.args)
    base = _trend_base(ctx, form)
    if form.base_id.choices is None:
        del form.base_id  # a base admin sees their own base only
    year = request.args.get("year", type=int) or local_date(ctx.now).year
    if not 2000 <= year <= 2100:  # a year nobody trained in: the current one
        year = local_date(ctx.now).year
    form.year.data = year
    if base is not None and getattr(form, "base_id", None) is not None:
        form.base_id.data = base.id
    rows = services.base_trend(base.id, year) if base is not None else []
    chart = charts.trend_chart(rows, title=_("Overall satisfaction by course"))
    return render_template("evaluation/trend.html", form=form, base=base, year=year, rows=rows, chart=chart)
