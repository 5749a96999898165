"""Notifications: in-app messages and their e-mail copies, for every feature above this one.

A feature sends one with `services.notify(...)` and declares the texts of its kinds
(`kinds.NotificationKind`) in `Feature(notification_kinds=...)`.
"""

from basesys.core.features import Feature, Job, Panel
from basesys.notifications import jobs, panels, views
from basesys.notifications.kinds import notification_link, notification_text

STAFF = ("base_admin", "bureau_officer", "sysadmin")

FEATURE = Feature(
    name="notifications",
    blueprints=(views.bp,),
    # Trainees too: the check-out reminder (attendance) reaches them here (DOMAIN.md §6).
    panels=(Panel(panels.unread_panel, (*STAFF, "trainee"), order=5),),
    jobs=(Job("notification_emails", 5, jobs.email_summary),),
    template_filters={"notification_text": notification_text, "notification_link": notification_link},
)
