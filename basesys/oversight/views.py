"""The officer's anomaly pages (DOMAIN.md §14): the findings of its scope, one finding with its
evidence and the review form, and "check again" (the detection on demand)."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from basesys.core.inputs import page_number
from basesys.core.pages import Done, page
from basesys.oversight.forms import AnomalyFilterForm, RecomputeForm, ReviewForm
from basesys.oversight.services import queries
from basesys.oversight.services.evidence import anomaly_evidence
from basesys.oversight.services.recompute import recompute_anomalies
from basesys.oversight.services.review import review_anomaly

bp = Blueprint("oversight", __name__)

OFFICERS = ("bureau_officer",)
PAGE_SIZE = 50


def _filters() -> AnomalyFilterForm:
    form = AnomalyFilterForm(request.args)
    if not request.args:
        form.status.data = "open"  # what waits for the officer
    form.validate()  # an unknown choice is shown on the form and ignored
    return form


def _list(ctx, status_code=200):
    form = _filters()
    kind = form.kind.data if not form.kind.errors else None
    status = form.status.data if not form.status.errors else None
    number = request.args.get("page", 1, type=page_number)
    result = queries.list_anomalies(ctx.user, kind=kind or None, status=status or None, page=number, size=PAGE_SIZE)
    page_ = render_template("oversight/anomalies.html", form=form, result=result, recompute_form=RecomputeForm())
    return page_, status_code


@page(bp, "/bureau/anomalies", roles=OFFICERS)
def anomalies(ctx):
    return _list(ctx)


def _detail(ctx, anomaly, status=200):
    form = ctx.form if isinstance(ctx.form, ReviewForm) else ReviewForm()
    evidence = anomaly_evidence(anomaly)
    return render_template("oversight/anomaly.html", anomaly=anomaly, evidence=evidence, form=form), status


@page(bp, "/bureau/anomalies/<int:anomaly_id>", roles=OFFICERS, load=queries.get_anomaly_for)
def anomaly(ctx, anomaly):
    return _detail(ctx, anomaly)


@page(
    bp,
    "/bureau/anomalies/<int:anomaly_id>/review",
    methods=("POST",),
    roles=OFFICERS,
    load=queries.get_anomaly_for,
    form=ReviewForm,
    invalid=lambda ctx, anomaly: _detail(ctx, anomaly, ctx.status),
)
def review(ctx, anomaly):
    review_anomaly(ctx.user, anomaly, comment=ctx.form.comment.data, now=ctx.now)
    return Done(url_for("oversight.anomaly", anomaly_id=anomaly.id), _("The finding is marked reviewed."))


@page(
    bp,
    "/bureau/anomalies/recompute",
    methods=("POST",),
    roles=OFFICERS,
    form=RecomputeForm,
    invalid=lambda ctx: _list(ctx, 422),
)
def recompute(ctx):
    result = recompute_anomalies(ctx.user, now=ctx.now)
    message = _("Checked again: %(found)s findings, %(added)s new.", found=result.found, added=result.added)
    return Done(url_for("oversight.anomalies"), message)
