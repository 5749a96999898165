"""Employer pages (DOMAIN.md §1): the sysadmin's and the bureau officers' list of employers in
scope, searched and paged, and the create/edit form. An officer puts employers only under bureaus
in its subtree; another city's employer answers 404, and any other role 403."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from basesys.accounts import admin_lists, services
from basesys.accounts.forms import EmployerForm
from basesys.accounts.models import Employer, Role
from basesys.accounts.scope import bureau_subtree_ids, can_see_employer
from basesys.core.errors import NotFound
from basesys.core.inputs import page_number
from basesys.core.pages import Done, page
from basesys.extensions import db

bp = Blueprint("employers", __name__)

MANAGERS = (Role.SYSADMIN.value, Role.BUREAU_OFFICER.value)
PAGE_SIZE = 50


@page(bp, "/employers", roles=MANAGERS)
def employers(ctx):
    q = request.args.get("q", "")[:100]
    query = services.employers_query(ctx.user, q)
    listed = admin_lists.page_of(query, request.args.get("page", 1, type=page_number), PAGE_SIZE)
    return render_template("accounts/admin/employers.html", employers=listed.items, listed=listed, q=q)


def _employer_in_scope(user, employer_id=None):
    """The employer of the path (404 unknown or outside the user's scope), or None at `/employers/new`."""
    if employer_id is None:
        return None
    employer = db.session.get(Employer, employer_id)
    if employer is None or not can_see_employer(user, employer):
        raise NotFound()
    return employer


def _bureau_choices(user):
    """The bureaus the user may put an employer under: every one for the sysadmin, the officer's subtree."""
    tree = services.bureau_tree()
    if user.role != Role.SYSADMIN:
        allowed = bureau_subtree_ids(user.bureau_id)
        tree = [(bureau, depth) for bureau, depth in tree if bureau.id in allowed]
    return [(None, "—")] + [(bureau.id, "　" * depth + bureau.name) for bureau, depth in tree]


def _employer_form(ctx, employer):
    form = EmployerForm()
    form.bureau_id.choices = _bureau_choices(ctx.user)
    return form


def _render_employer(ctx, employer):
    return render_template("accounts/admin/employer_form.html", form=ctx.form, employer=employer)


@page(
    bp, "/employers/<int:employer_id>/edit", ("GET", "POST"), roles=MANAGERS,
    load=_employer_in_scope, form=_employer_form, invalid=_render_employer,
)  # fmt: skip
def edit_employer(ctx, employer):
    if not ctx.form.is_submitted():
        ctx.form.process(obj=employer)
        return _render_employer(ctx, employer)
    values = {name: getattr(ctx.form, name).data for name in ("name", "credit_code", "bureau_id")}
    if employer is None:
        services.create_employer(ctx.user, **values, now=ctx.now)
    else:
        services.update_employer(ctx.user, employer, **values, now=ctx.now)
    return Done(url_for("employers.employers"), _("Saved."))


bp.add_url_rule(
    "/employers/new", "edit_employer", edit_employer, methods=["GET", "POST"], defaults={"employer_id": None}
)
