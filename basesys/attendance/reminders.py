"""The check-out reminder's job and notification kind (DOMAIN.md §6): declared in attendance's feature.

The notifications are committed before anything is e-mailed (notifications.jobs), so a failing
SMTP server never loses the in-app reminder, and the e-mail leaves in the same run.
"""

from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l

from basesys.attendance.services import session_reminders
from basesys.attendance.services.reminders import KIND, remind_missing_checkouts
from basesys.extensions import db
from basesys.notifications.jobs import email_summary
from basesys.notifications.kinds import NotificationKind


def checkout_reminders(now: datetime) -> str:
    reminded = remind_missing_checkouts(now=now)
    db.session.commit()
    return f"reminded {reminded}, {email_summary(now)}"


def session_reminders_job(now: datetime) -> str:
    reminded = session_reminders.remind_upcoming_sessions(now=now)
    db.session.commit()
    return f"reminded {reminded}, {email_summary(now)}"


def _values(data: dict) -> dict:
    return {"title": "", "ends": "", "closes": "", "date": "", "starts": "", "location": "", **data}


def _where(data: dict) -> str:
    return f"，地点：{data['location']}" if data.get("location") else ""


CHECKOUT_REMINDER = NotificationKind(
    name=KIND,
    text=lambda data: (
        str(
            _l(
                "“%(title)s” ends at %(ends)s: scan the check-out code on the projector by %(closes)s. "
                "Without a check-out the session earns no hours."
            )
        )
        % _values(data)
    ),
    email=lambda data: (
        "签退提醒：{title}".format(**_values(data)),
        (
            "您已签到的培训“{title}”本课次将于 {ends} 结束。"
            "请在 {closes} 前扫描投影屏幕上的签退二维码完成签退；未签退，本课次不计学时。"
        ).format(**_values(data)),
    ),
    link=lambda _session_id: url_for("attendance.enter_code"),
    link_label=_l("Enter the check-in code"),
)


SESSION_REMINDER = NotificationKind(
    name=session_reminders.KIND,
    text=lambda data: (
        str(_l("“%(title)s” has a session on %(date)s from %(starts)s to %(ends)s.")) % _values(data)
        + (" " + str(_l("Place: %(location)s", location=data["location"])) if data.get("location") else "")
    ),
    email=lambda data: (
        "培训提醒：{title}".format(**_values(data)),
        "您报名的培训“{title}”将于 {date} {starts}—{ends} 上课{where}。请按时到场，并扫码签到。".format(
            **_values(data), where=_where(data)
        ),
    ),
    link=lambda course_id: url_for("courses.course_detail", course_id=course_id),
    link_label=_l("Open the course"),
)
