"""The notification a trainee gets when a certificate is issued to them (issue 13 "Scheduling":
reminders through the shared notifications), declared in the certificates feature.

Finalisation issues thousands of certificates at once, in chunks, from the page, the API and the
scheduler, and issues a held-back one later (a name no font could print): rather than a hook in
each path, a scheduled job notifies every valid certificate of the last `LOOK_BACK` whose holder
has not been told, one INSERT … SELECT per course (`notify_selected`). The dedupe key per
certificate makes it once per certificate, whatever runs twice.
"""

from datetime import datetime, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, literal

from basesys.accounts.models import Trainee, User
from basesys.certificates.models import Certificate, CertificateStatus
from basesys.courses.models import Course
from basesys.extensions import db
from basesys.notifications.jobs import email_summary
from basesys.notifications.kinds import NotificationKind
from basesys.notifications.models import Notification
from basesys.notifications.services import notify_selected

KIND = "certificate_issued"
KEY_PREFIX = f"{KIND}:"
# How far back a run looks (bounded by the index on issued_at): a scheduler down longer than this
# does not send stale news.
LOOK_BACK = timedelta(days=2)


def certificate_key(certificate_id: int) -> str:
    return f"{KEY_PREFIX}{certificate_id}"


def _unnotified(now: datetime):
    """Valid certificates issued within LOOK_BACK whose holder has an active account and no
    notification of them yet: (course_id, user_id, dedupe_key, object_id) rows."""
    key = literal(KEY_PREFIX, String).concat(cast(Certificate.id, String))
    told = db.select(Notification.id).where(Notification.user_id == User.id, Notification.dedupe_key == key).exists()
    return (
        db.select(User.id.label("user_id"), key.label("dedupe_key"), Certificate.id.label("object_id"))
        .select_from(Certificate)
        .join(Trainee, Trainee.id == Certificate.trainee_id)
        .join(User, User.id == Trainee.user_id)
        .where(
            Certificate.issued_at >= now - LOOK_BACK,
            Certificate.issued_at <= now,
            Certificate.status == CertificateStatus.VALID,
            User.active.is_(True),
            ~told,
        )
    )


def notify_issued_certificates(*, now: datetime) -> int:
    """Tell each holder of a newly issued certificate; returns how many were notified. Flushes."""
    pending = _unnotified(now).subquery()
    course_ids = db.session.scalars(
        db.select(Certificate.course_id).join(pending, pending.c.object_id == Certificate.id).distinct()
    ).all()
    sent = 0
    for course_id in sorted(course_ids):
        course = db.session.get(Course, course_id)
        recipients = _unnotified(now).where(Certificate.course_id == course_id)
        data = {"title": course.title}
        sent += notify_selected(recipients, KIND, now=now, data=data, object_type="certificate")
    db.session.flush()
    return sent


def certificate_notices(now: datetime) -> str:
    notified = notify_issued_certificates(now=now)
    db.session.commit()
    return f"notified {notified}, {email_summary(now)}"


def _values(data: dict) -> dict:
    return {"title": "", **data}


CERTIFICATE_ISSUED = NotificationKind(
    name=KIND,
    text=lambda data: str(_l("Your certificate of “%(title)s” has been issued.")) % _values(data),
    email=lambda data: (
        "结业证书已发放：{title}".format(**_values(data)),
        "您参加的培训“{title}”已结业，结业证书已发放，学时已记入学时银行。请登录系统查看或下载证书。".format(
            **_values(data)
        ),
    ),
    link=lambda _certificate_id: url_for("certificates.my_certificates"),
    link_label=_l("My certificates"),
)
