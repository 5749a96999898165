"""The trainee's profile: their details and their employer by its credit code (DOMAIN.md §1, §2)."""

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from basesys.accounts import services
from basesys.accounts.forms import EmployerLinkForm, ProfileForm
from basesys.accounts.scope import trainee_of
from basesys.core.pages import Done, page

bp = Blueprint("profile", __name__)
GET_POST = ("GET", "POST")


def _own_trainee(user):
    return trainee_of(user)


def _render_profile(ctx, trainee, *, form=None, link_form=None):
    """The profile page: the details form and the employer's credit code form (DOMAIN.md §1)."""
    if form is None:
        form = ProfileForm(formdata=None, obj=trainee)
    if link_form is None:
        code = trainee.employer_record.credit_code if trainee.employer_record else ""
        link_form = EmployerLinkForm(formdata=None, employer_credit_code=code)
    return render_template("accounts/profile.html", form=form, link_form=link_form, trainee=trainee)


def _render_details(ctx, trainee):
    return _render_profile(ctx, trainee, form=ctx.form)


@page(bp, "/me/profile", GET_POST, roles=("trainee",), load=_own_trainee, form=ProfileForm, invalid=_render_details)
def profile(ctx, trainee):
    if not ctx.form.is_submitted():
        return _render_profile(ctx, trainee)
    values = {name: getattr(ctx.form, name).data for name in ("phone", "employer", "series", "title")}
    services.update_trainee_profile(ctx.user, trainee, **values, now=ctx.now)
    return Done(url_for("profile.profile"), _("Saved."))


# The page's earlier address, kept for bookmarks.
bp.add_url_rule("/account/profile", "profile", profile, methods=list(GET_POST))


def _render_link(ctx, trainee):
    return _render_profile(ctx, trainee, link_form=ctx.form)


@page(
    bp, "/me/profile/employer", ("POST",), roles=("trainee",), load=_own_trainee, form=EmployerLinkForm,
    invalid=_render_link,
)  # fmt: skip
def link_employer(ctx, trainee):
    """Set or clear the employer by its credit code (an empty code clears it)."""
    services.link_employer(ctx.user, trainee, ctx.form.employer_credit_code.data, now=ctx.now)
    return Done(url_for("profile.profile"), _("Saved."))
