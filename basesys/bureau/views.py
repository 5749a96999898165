"""The bureau's workspace pages: courses, certificates and the audit log of its scope, filtered."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from basesys.accounts.scope import bases_in_scope
from basesys.bureau import lists, panels  # noqa: F401 -- the home panel registers itself
from basesys.bureau.forms import ListFilterForm
from basesys.core.time import now_utc
from basesys.core.web import roles_required

bp = Blueprint("bureau", __name__)

STAFF = ("bureau_officer", "sysadmin")
PAGE_SIZE = 50


def _filters(status_choices) -> tuple[ListFilterForm, lists.Filters]:
    form = ListFilterForm(request.args)
    form.base.choices = [("", _("All bases"))] + [(b.id, b.name) for b in bases_in_scope(current_user)]
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
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.get("/bureau/courses")
@roles_required(*STAFF)
def courses():
    form, filters = _filters(
        [("submitted", _("Waiting for review")), ("approved", _("Filed")), ("returned", _("Returned"))]
    )
    result = lists.courses(current_user, now_utc(), filters, _page(), PAGE_SIZE)
    return render_template("bureau/courses.html", form=form, result=result)


@bp.get("/bureau/certificates")
@roles_required(*STAFF)
def certificates():
    form, filters = _filters([("valid", _("Valid")), ("revoked", _("Revoked"))])
    result = lists.certificates(current_user, filters, _page(), PAGE_SIZE)
    return render_template("bureau/certificates.html", form=form, result=result)


@bp.get("/bureau/audit")
@roles_required(*STAFF)
def audit_log():
    form, filters = _filters([(family, family) for family in lists.action_families(current_user)])
    result = lists.audit_log(current_user, filters, _page(), PAGE_SIZE)
    return render_template("bureau/audit_log.html", form=form, result=result)
