"""The bureau's workspace pages: courses, certificates and the audit log of its scope, filtered."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from basesys.accounts.scope import bases_in_scope
from basesys.bureau import lists
from basesys.bureau.forms import ListFilterForm
from basesys.certificates.models import CertificateStatus
from basesys.core.inputs import page_number
from basesys.core.pages import page
from basesys.courses.models import FilingStatus

bp = Blueprint("bureau", __name__)

STAFF = ("bureau_officer", "sysadmin")
PAGE_SIZE = 50


def _filters(user, status_choices) -> tuple[ListFilterForm, lists.Filters]:
    form = ListFilterForm(request.args)
    form.base.choices = [("", _("All bases"))] + [(b.id, b.name) for b in bases_in_scope(user)]
    form.status.choices = [("", _("All"))] + status_choices
    form.validate()  # a bad date is shown on the form and ignored
    filters = lists.Filters(
        base_id=form.base.data if not form.base.errors else None,
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
        status=form.status.data or None,
        q=(form.q.data or "").strip()[:100],
    )
    return form, filters


def _page() -> int:
    return request.args.get("page", 1, type=page_number)


@page(bp, "/bureau/courses", roles=STAFF)
def courses(ctx):
    choices = [
        (FilingStatus.SUBMITTED, _("Waiting for review")),
        (FilingStatus.APPROVED, _("Filed")),
        (FilingStatus.RETURNED, _("Returned")),
    ]
    form, filters = _filters(ctx.user, choices)
    result = lists.courses(ctx.user, ctx.now, filters, _page(), PAGE_SIZE)
    return render_template("bureau/courses.html", form=form, result=result)


@page(bp, "/bureau/certificates", roles=STAFF)
def certificates(ctx):
    choices = [(CertificateStatus.VALID, _("Valid")), (CertificateStatus.REVOKED, _("Revoked"))]
    form, filters = _filters(ctx.user, choices)
    result = lists.certificates(ctx.user, filters, _page(), PAGE_SIZE)
    return render_template("bureau/certificates.html", form=form, result=result)


@page(bp, "/bureau/audit", roles=STAFF)
def audit_log(ctx):
    form, filters = _filters(ctx.user, [(family, family) for family in lists.action_families(ctx.user)])
    result = lists.audit_log(ctx.user, filters, _page(), PAGE_SIZE)
    return render_template("bureau/audit_log.html", form=form, result=result)
