"""Home-page panel: the user's unread notifications, whatever feature sent them."""

from datetime import datetime

from basesys.notifications.services import unread_notifications


def unread_panel(user, now: datetime):
    items = unread_notifications(user)
    if not items:
        return None
    return {"template": "notifications/panel_home.html", "notifications": items}
