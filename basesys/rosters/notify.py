"""In-app notifications for base admins, and their e-mail copies when SMTP is configured.

A notification is stored first (its job commits), then e-mailed: a lost e-mail never loses the
reminder, and a job run twice never notifies twice (unique user + dedupe key).
"""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import User
from basesys.core.errors import ValidationFailed
from basesys.courses.models import Course
from basesys.extensions import db
from basesys.rosters.models import Notification, NotificationEmail

log = logging.getLogger("basesys.rosters")

# Chinese texts of the e-mails (the in-app ones are rendered in the reader's language).
EMAIL_TEXTS = {
    "roster_reminder": (
        "学员名单报送提醒：{title}",
        "培训项目“{title}”的学员名单应于 {due_on} 前报送人社部门，请尽快核对并报送。",
    ),
    "roster_overdue": (
        "学员名单已逾期：{title}",
        "培训项目“{title}”的学员名单已超过报送期限（{due_on}），请尽快报送。",
    ),
    "roster_returned": (
        "学员名单被退回：{title}",
        "人社部门退回了培训项目“{title}”的学员名单，意见：{comment}。请修改后重新报送。",
    ),
}
# Unsent e-mails are retried by later job runs for this long, then given up.
EMAIL_RETRY_WINDOW = timedelta(hours=24)


def base_admins(base_id: int) -> list[User]:
    return db.session.scalars(
        db.select(User)
        .where(User.role == "base_admin", User.base_id == base_id, User.active.is_(True))
        .order_by(User.id)
    ).all()


def notify_base_admins(course: Course, kind: str, dedupe_key: str, data: dict, now: datetime) -> list[Notification]:
    """One notification per active admin of the course's base, unless that key was notified already."""
    created = []
    for user in base_admins(course.base_id):
        exists = db.session.scalar(
            db.select(Notification.id).where(Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)
        )
        if exists:
            continue
        notification = Notification(
            user_id=user.id, kind=kind, dedupe_key=dedupe_key, course_id=course.id, data=data, created_at=now
        )
        try:
            with db.session.begin_nested():
                db.session.add(notification)
        except IntegrityError:  # a concurrent run stored it first
            continue
        created.append(notification)
    return created


def unread_notifications(user: User, limit: int = 20) -> list[Notification]:
    return db.session.scalars(
        db.select(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def mark_read(user: User, notification_id: int | None, now: datetime) -> int:
    """Mark one (or, with None, every) unread notification of the user as read; returns how many."""
    query = db.select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    rows = db.session.scalars(query).all()
    for row in rows:
        row.read_at = now
    db.session.flush()
    return len(rows)


def set_notification_email(user: User, email: str, now: datetime) -> NotificationEmail | None:
    """Where reminders are e-mailed; an empty address stops the e-mails. Refuses a malformed address."""
    email = (email or "").strip()
    row = db.session.get(NotificationEmail, user.id)
    if not email:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 200:
        raise ValidationFailed({"email": "电子邮箱格式不正确"})
    if row is None:
        row = NotificationEmail(user_id=user.id, email=email, updated_at=now)
        db.session.add(row)
    row.email, row.updated_at = email, now
    db.session.flush()
    return row


def notification_email(user: User) -> str:
    row = db.session.get(NotificationEmail, user.id)
    return row.email if row else ""


def pending_emails(now: datetime) -> list[tuple[Notification, str]]:
    """Notifications not e-mailed yet (within the retry window) whose user gave an address."""
    rows = db.session.execute(
        db.select(Notification, NotificationEmail.email)
        .join(NotificationEmail, NotificationEmail.user_id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.created_at >= now - EMAIL_RETRY_WINDOW)
        .order_by(Notification.id)
    ).all()
    return [(notification, email) for notification, email in rows]


def build_email(notification: Notification, to: str, sender: str) -> EmailMessage:
    subject, body = EMAIL_TEXTS[notification.kind]
    values = {"title": "", "due_on": "", "comment": "", **(notification.data or {})}
    message = EmailMessage()
    message["Subject"] = subject.format(**values)
    message["From"] = sender
    message["To"] = to
    message.set_content(body.format(**values) + "\n\n—— 继续教育基地管理系统 basesys\n")
    return message


def send_pending_emails(config: dict, now: datetime) -> tuple[int, int]:
    """E-mail the pending notifications through SMTP_HOST; returns (sent, failed). The caller commits.

    Does nothing without SMTP_HOST. A failure is logged and retried by the next run.
    """
    host = config.get("SMTP_HOST")
    if not host:
        return 0, 0
    pending = pending_emails(now)
    if not pending:
        return 0, 0
    sender = config.get("SMTP_FROM") or f"basesys@{host}"
    sent = failed = 0
    try:
        with smtplib.SMTP(host, int(config.get("SMTP_PORT") or 25), timeout=15) as smtp:
            if config.get("SMTP_USER"):
                smtp.starttls()
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            for notification, to in pending:
                try:
                    smtp.send_message(build_email(notification, to, sender))
                except smtplib.SMTPException:
                    log.exception("e-mail of notification %s to %s failed", notification.id, to)
                    failed += 1
                    continue
                notification.emailed_at = now
                sent += 1
    except (OSError, smtplib.SMTPException):
        log.exception("SMTP server %s unavailable", host)
        failed += len(pending) - sent
    db.session.flush()
    return sent, failed
