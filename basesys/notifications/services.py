"""Notify users, list and mark what they have not read, and e-mail the copies (SMTP optional).

A notification is stored first (the caller commits), then e-mailed: a lost e-mail never loses the
message, and a job run twice never notifies twice (unique user + dedupe key). Sending one from any
feature is one call: `notify(recipients, "roster_returned", key=..., data=..., about=course, now=now)`.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import JSON, Select, String, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import User
from basesys.core.errors import ValidationFailed
from basesys.extensions import db
from basesys.notifications.kinds import kind_named
from basesys.notifications.models import Notification, NotificationEmail

log = logging.getLogger("basesys.notifications")

# Unsent e-mails are retried by later job runs for this long, then given up.
EMAIL_RETRY_WINDOW = timedelta(hours=24)
SIGNATURE = "\n\n—— 继续教育基地管理系统 basesys\n"


def admins_of_base(base_id: int) -> list[User]:
    """The active administrators of a base: who is told about the base's work."""
    return db.session.scalars(
        db.select(User)
        .where(User.role == "base_admin", User.base_id == base_id, User.active.is_(True))
        .order_by(User.id)
    ).all()


def notify(
    users: Iterable[User], kind: str, *, key: str, now: datetime, data: dict | None = None, about=None
) -> list[Notification]:
    """One notification of `kind` per user, unless that user was notified under `key` already.

    `about` is the object it concerns (its kind turns it into a link). Refuses nothing; flushes.
    """
    created = []
    for user in users:
        exists = db.session.scalar(
            db.select(Notification.id).where(Notification.user_id == user.id, Notification.dedupe_key == key)
        )
        if exists:
            continue
        notification = Notification(
            user_id=user.id,
            kind=kind,
            dedupe_key=key,
            object_type=type(about).__name__.lower() if about is not None else None,
            object_id=getattr(about, "id", None),
            data=data or {},
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(notification)
        except IntegrityError:  # a concurrent run stored it first
            continue
        created.append(notification)
    return created


def notify_selected(
    recipients: Select, kind: str, *, now: datetime, data: dict | None = None, object_type: str | None = None
) -> int:
    """One notification of `kind` per row of `recipients`, in one INSERT … SELECT: for the many at
    once (every trainee of a course, every certificate of a finalisation) where `notify` would take
    two statements per user. `recipients` selects labelled columns `user_id`, `dedupe_key` and
    `object_id`; a (user, key) notified already is skipped by the unique constraint (ON CONFLICT DO
    NOTHING), so a job run twice, or two runs at once, notify once. Returns how many were stored."""
    rows = recipients.subquery()
    table = Notification.__table__
    payload = literal(data or {}, JSON)
    select = db.select(
        rows.c.user_id,
        literal(kind, String),
        rows.c.dedupe_key,
        literal(object_type, String),
        rows.c.object_id,
        payload,
        literal(now, table.c.created_at.type),
    ).where(
        ~db.select(table.c.id)
        .where(table.c.user_id == rows.c.user_id, table.c.dedupe_key == rows.c.dedupe_key)
        .exists()
    )
    columns = ["user_id", "kind", "dedupe_key", "object_type", "object_id", "data", "created_at"]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).from_select(columns, select).on_conflict_do_nothing()
    # RETURNING counts what was stored on both databases (psycopg answers rowcount -1 here).
    return len(db.session.execute(statement.returning(table.c.id)).all())


def unread_notifications(user: User, limit: int = 20) -> list[Notification]:
    return db.session.scalars(
        db.select(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def mark_read(actor: User, notification_id: int | None = None, *, now: datetime) -> int:
    """Mark one (or, with None, every) unread notification of the actor as read; returns how many.

    Refuses nothing: someone else's notification counts as none."""
    query = db.select(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    rows = db.session.scalars(query).all()
    for row in rows:
        row.read_at = now
    db.session.flush()
    return len(rows)


def set_notification_email(actor: User, email: str, *, now: datetime) -> NotificationEmail | None:
    """Where the actor's notifications are e-mailed; empty stops the e-mails. Refuses a malformed address."""
    email = (email or "").strip()
    row = db.session.get(NotificationEmail, actor.id)
    if not email:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 200:
        raise ValidationFailed({"email": "电子邮箱格式不正确"})
    if row is None:
        row = NotificationEmail(user_id=actor.id, email=email, updated_at=now)
        db.session.add(row)
    row.email, row.updated_at = email, now
    db.session.flush()
    return row


def notification_email(user: User) -> str:
    row = db.session.get(NotificationEmail, user.id)
    return row.email if row else ""


def pending_emails(*, now: datetime) -> list[tuple[Notification, str]]:
    """Notifications not e-mailed yet (within the retry window) whose user gave an address."""
    rows = db.session.execute(
        db.select(Notification, NotificationEmail.email)
        .join(NotificationEmail, NotificationEmail.user_id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.created_at >= now - EMAIL_RETRY_WINDOW)
        .order_by(Notification.id)
    ).all()
    return [(notification, email) for notification, email in rows if _email_texts(notification)]


def _email_texts(notification: Notification) -> tuple[str, str] | None:
    kind = kind_named(notification.kind)
    return kind.email(notification.data or {}) if kind is not None and kind.email is not None else None


def build_email(notification: Notification, to: str, sender: str) -> EmailMessage:
    subject, body = _email_texts(notification)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message.set_content(body + SIGNATURE)
    return message


def send_pending_emails(config, *, now: datetime) -> tuple[int, int]:
    """E-mail the pending notifications through SMTP_HOST; returns (sent, failed). The caller commits.

    Does nothing without SMTP_HOST. A failure is logged and retried by the next run.
    """
    host = config.get("SMTP_HOST")
    pending = pending_emails(now=now) if host else []
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
