"""The trainee hears of its declaration's outcome (DOMAIN.md §11): returned (with the reason) or
recognised (with the hours granted), in the app and by e-mail when it gave an address."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from basesys.notifications.kinds import NotificationKind
from basesys.notifications.services import notify

RETURNED = "declaration_returned"
RECOGNIZED = "declaration_recognized"


def _values(data: dict) -> dict:
    return {"title": "", "comment": "", "hours": "", **data}


def _link(declaration_id):
    return url_for("declarations.my_declaration", declaration_id=declaration_id) if declaration_id else None


DECLARATION_RETURNED = NotificationKind(
    name=RETURNED,
    text=lambda data: str(_l("Your declaration “%(title)s” was returned: %(comment)s")) % _values(data),
    email=lambda data: (
        "学时申报被退回：{title}".format(**_values(data)),
        "您的学时申报“{title}”被退回，理由：{comment}。请登录系统修改后重新提交。".format(**_values(data)),
    ),
    link=_link,
    link_label=_l("My declarations"),
)

DECLARATION_RECOGNIZED = NotificationKind(
    name=RECOGNIZED,
    text=lambda data: str(_l("Your declaration “%(title)s” is recognised: %(hours)s hours.")) % _values(data),
    email=lambda data: (
        "学时申报已认定：{title}".format(**_values(data)),
        "您的学时申报“{title}”已审核认定 {hours} 学时，已记入学时银行。".format(**_values(data)),
    ),
    link=_link,
    link_label=_l("My declarations"),
)

KINDS = (DECLARATION_RETURNED, DECLARATION_RECOGNIZED)


def tell_trainee(declaration, kind: str, *, now) -> None:
    """One notice per decision (the key holds the decision's time: a second return is a new notice)."""
    user = declaration.trainee.user
    if user is None:
        return
    hours = declaration.hours_granted
    data = {"title": declaration.title, "comment": declaration.return_comment or "", "hours": f"{hours or 0:g}"}
    notify([user], kind, key=f"{kind}:{declaration.id}:{now.isoformat()}", now=now, data=data, about=declaration)
