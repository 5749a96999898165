"""The notifications roster filing sends base admins (DOMAIN.md §9): the texts of each kind.

In-app texts are rendered in the reader's language when shown; e-mails are in Chinese.
"""

from flask import url_for
from flask_babel import lazy_gettext as _l

from basesys.notifications.kinds import NotificationKind


def _values(data: dict) -> dict:
    return {"title": "", "due_on": "", "comment": "", **data}


def _roster_link(course_id: int) -> str:
    return url_for("rosters.roster", course_id=course_id)


def _kind(name: str, text, subject: str, body: str) -> NotificationKind:
    """`text` is a lazy msgid with %(title)s, %(due_on)s, %(comment)s; subject and body Chinese {…} formats."""
    return NotificationKind(
        name=name,
        text=lambda data: str(text) % _values(data),
        email=lambda data: (subject.format(**_values(data)), body.format(**_values(data))),
        link=_roster_link,
        link_label=_l("Open the roster"),
    )


KINDS = (
    _kind(
        "roster_reminder",
        _l("The roster of “%(title)s” is due on %(due_on)s: check it and submit it to the bureau."),
        "学员名单报送提醒：{title}",
        "培训项目“{title}”的学员名单应于 {due_on} 前报送人社部门，请尽快核对并报送。",
    ),
    _kind(
        "roster_overdue",
        _l("The roster of “%(title)s” was due on %(due_on)s and is overdue: submit it now."),
        "学员名单已逾期：{title}",
        "培训项目“{title}”的学员名单已超过报送期限（{due_on}），请尽快报送。",
    ),
    _kind(
        "roster_returned",
        _l("The bureau returned the roster of “%(title)s”: %(comment)s"),
        "学员名单被退回：{title}",
        "人社部门退回了培训项目“{title}”的学员名单，意见：{comment}。请修改后重新报送。",
    ),
)
