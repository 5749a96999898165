"""Notification pages: mark one, or all, of the user's notifications as read."""

from flask import Blueprint, abort, url_for

from basesys.core.pages import Done, page
from basesys.notifications import services

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
