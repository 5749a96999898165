"""Notifications as shared infrastructure: one call to notify, dedupe, unread, mark read, e-mail."""

import pytest

from basesys.core.errors import DomainError
from basesys.notifications import services
from basesys.notifications.kinds import NotificationKind, kind_named, notification_link, notification_text
from basesys.notifications.models import Notification
from tests.conftest import at
from tests.rosters.smtp_sink import SmtpSink


def test_notify_stores_one_per_user_and_key(db, tenants):
    now = at("2025-06-01", "09:00")
    users = [tenants.admin_a, tenants.officer_a]
    created = services.notify(
        users, "roster_reminder", key="k:1", data={"title": "甲", "due_on": "2025-06-19"}, now=now
    )
    assert [n.user_id for n in created] == [tenants.admin_a.id, tenants.officer_a.id]
    assert services.notify(users, "roster_reminder", key="k:1", now=now) == []  # a job run twice
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 2


def test_notify_names_its_object_generically(db, tenants):
    (n,) = services.notify([tenants.admin_a], "anything", key="x", about=tenants.base_a, now=at("2025-06-01", "09:00"))
    assert (n.object_type, n.object_id, n.data) == ("base", tenants.base_a.id, {})


def test_admins_of_base_are_the_active_ones(db, tenants, make_user):
    second = make_user("base_admin", base=tenants.base_a)
    second.active = False
    assert services.admins_of_base(tenants.base_a.id) == [tenants.admin_a]


def test_unread_and_mark_read_are_per_user(db, tenants):
    now = at("2025-06-01", "09:00")
    (mine,) = services.notify([tenants.admin_a], "a", key="a", now=now)
    services.notify([tenants.admin_a], "b", key="b", now=at("2025-06-01", "10:00"))
    assert services.mark_read(tenants.admin_b, mine.id, now=now) == 0  # not theirs
    assert [n.kind for n in services.unread_notifications(tenants.admin_a)] == ["b", "a"]
    assert services.mark_read(tenants.admin_a, mine.id, now=now) == 1
    assert services.mark_read(tenants.admin_a, now=now) == 1
    assert services.unread_notifications(tenants.admin_a) == []


def test_a_malformed_address_is_refused_and_empty_removes_it(db, tenants):
    now = at("2025-06-01", "09:00")
    with pytest.raises(DomainError) as error:
        services.set_notification_email(tenants.admin_a, "not an address", now=now)
    assert error.value.code == "validation_failed"
    services.set_notification_email(tenants.admin_a, "zhou@base.example.cn", now=now)
    assert services.notification_email(tenants.admin_a) == "zhou@base.example.cn"
    assert services.set_notification_email(tenants.admin_a, "", now=now) is None
    assert services.notification_email(tenants.admin_a) == ""


def test_a_features_kind_renders_texts_and_link(app, db, tenants):
    kind = kind_named("roster_returned")  # declared by rosters (rosters.notices)
    assert isinstance(kind, NotificationKind)
    (n,) = services.notify(
        [tenants.admin_a],
        "roster_returned",
        key="r",
        data={"title": "甲", "comment": "缺职称"},
        about=tenants.base_a,
        now=at("2025-06-01", "09:00"),
    )
    with app.test_request_context():
        assert "甲" in notification_text(n) and "缺职称" in notification_text(n)
        url, _label = notification_link(n)
        assert url == f"/courses/{tenants.base_a.id}/roster"
    subject, body = kind.email(n.data)
    assert subject == "学员名单被退回：甲" and "缺职称" in body


def test_an_unknown_kind_shows_its_name_and_is_not_emailed(app, db, tenants, monkeypatch):
    now = at("2025-06-01", "09:00")
    (n,) = services.notify([tenants.admin_a], "mystery", key="m", now=now)
    services.set_notification_email(tenants.admin_a, "zhou@base.example.cn", now=now)
    assert notification_text(n) == "mystery"
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    assert services.pending_emails(now=now) == []


def test_pending_emails_are_sent_once(app, db, tenants, monkeypatch):
    now = at("2025-06-01", "09:00")
    services.set_notification_email(tenants.admin_a, "zhou@base.example.cn", now=now)
    services.notify([tenants.admin_a], "roster_overdue", key="o", data={"title": "甲", "due_on": "2025-05-30"}, now=now)
    db.session.commit()
    with SmtpSink() as sink:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", sink.port)
        assert services.send_pending_emails(app.config, now=now) == (1, 0)
        assert services.send_pending_emails(app.config, now=now) == (0, 0)
    (mail,) = sink.messages
    assert mail["message"]["Subject"] == "学员名单已逾期：甲"
