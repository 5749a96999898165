"""Notification pages: mark one, or all, of the user's notifications as read; where they are e-mailed."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _

from basesys.core.pages import Done, page
from basesys.notifications import services
from basesys.notifications.forms import NotificationEmailForm

bp = Blueprint("notifications", __name__)


@page(bp, "/notifications/<int:notification_id>/read", methods=("POST",))
def read(ctx, notification_id: int):
    if services.mark_read(ctx.user, notification_id, now=ctx.now) == 0:
        abort(404)  # not theirs, or read already
    return Done(url_for("accounts.home"))


@page(bp, "/notifications/read", methods=("POST",))
def read_all(ctx):
    services.mark_read(ctx.user, now=ctx.now)
    return Done(url_for("accounts.home"))


def _email_page(ctx):
    form = ctx.form if ctx.form is not None and request.method == "POST" else None
    form = form or NotificationEmailForm(email=services.notification_email(ctx.user))
    return render_template("notifications/email.html", form=form)


@page(bp, "/notifications/email", methods=("GET", "POST"), form=NotificationEmailForm, invalid=_email_page)
def email(ctx):
    """Where the user's notifications (e.g. the check-out reminder) are e-mailed, when SMTP is configured."""
    if request.method == "GET":
        return _email_page(ctx)
    services.set_notification_email(ctx.user, ctx.form.email.data, now=ctx.now)
    return Done(url_for("notifications.email"), _("Saved."))
