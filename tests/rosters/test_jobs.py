"""Scheduler jobs of roster filing: reminders before the due date, `overdue` after, e-mails.

The finished course's last session is on 2025-05-20: due 2025-06-19, reminders from 2025-06-12.
"""

import socket

import pytest

from basesys.core.audit import AuditRecord
from basesys.extensions import db
from basesys.notifications.models import Notification
from basesys.notifications.services import set_notification_email
from basesys.rosters import deadlines, services
from basesys.rosters.jobs import roster_overdue, roster_reminders
from basesys.rosters.models import Roster
from tests.conftest import at
from tests.rosters.smtp_sink import SmtpSink


def _notifications(kind=None):
    query = db.select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query).all()


def _run_cli(runner, moment: str) -> str:
    db.session.commit()
    result = runner.invoke(args=["run-due-jobs", "--now", moment])
    db.session.expire_all()
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_through_run_due_jobs_once_per_admin(runner, finished, tenants, make_user):
    second_admin = make_user("base_admin", base=tenants.base_a)
    make_user("base_admin", base=tenants.base_b)
    # 23:59 on 06-11 in Shanghai (15:59 UTC): 8 days before the due date, too early.
    output = _run_cli(runner, "2025-06-11T23:59:00+08:00")
    assert "roster_reminders: opened 0, reminded 0" in output or "reminded 0" in output
    assert db.session.scalar(db.select(Roster)).status == "pending"  # opened by the first run
    assert _notifications() == []
    # 00:01 on 06-12 in Shanghai is still 06-11 in UTC (16:01): 7 days before, the reminder is due.
    output = _run_cli(runner, "2025-06-11T16:01:00+00:00")
    assert "reminded 1" in output
    reminders = _notifications("roster_reminder")
    assert sorted(n.user_id for n in reminders) == sorted([tenants.admin_a.id, second_admin.id])
    assert reminders[0].data == {"title": "安全生产专题培训", "due_on": "2025-06-19"}
    assert (reminders[0].object_type, reminders[0].object_id) == ("course", finished.id)
    # Run again (and a day later): nothing more.
    _run_cli(runner, "2025-06-12T09:00:00+08:00")
    _run_cli(runner, "2025-06-13T09:00:00+08:00")
    assert len(_notifications("roster_reminder")) == 2


def test_the_reminder_shows_on_the_admins_home_page(client, login, runner, finished, tenants):
    _run_cli(runner, "2025-06-12T09:00:00+08:00")
    page = login(tenants.admin_a).get("/").text
    assert "安全生产专题培训" in page and "2025-06-19" in page


def test_no_reminder_for_a_submitted_or_accepted_roster(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    assert deadlines.remind_due_rosters(at("2025-06-15", "09:00")) == 0
    assert deadlines.mark_overdue_rosters(at("2025-06-25", "09:00")) == 0
    assert _notifications() == []


def test_a_returned_roster_is_reminded_and_becomes_overdue(db, finished, tenants, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    services.decide_roster(tenants.officer_a, finished, decision="return", comment="请补充职称", now=now)
    db.session.commit()
    assert deadlines.remind_due_rosters(at("2025-06-15", "09:00")) == 1
    assert deadlines.mark_overdue_rosters(at("2025-06-20", "09:00")) == 1
    assert services.get_roster(finished).status == "overdue"


@pytest.mark.parametrize(
    ("moment", "overdue"),
    [("2025-06-19T23:59:00+08:00", False), ("2025-06-19T16:01:00+00:00", True)],  # 00:01 on 06-20 locally
)
def test_overdue_through_run_due_jobs_on_both_sides_of_16_utc(runner, finished, tenants, moment, overdue):
    output = _run_cli(runner, moment)
    roster = db.session.scalar(db.select(Roster))
    assert (roster.status == "overdue") is overdue
    assert f"overdue {1 if overdue else 0}" in output
    if overdue:
        (record,) = db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == "roster.overdue")).all()
        assert record.actor_id is None and record.base_id == tenants.base_a.id
        assert record.before == {"status": "pending"}
        assert [n.user_id for n in _notifications("roster_overdue")] == [tenants.admin_a.id]


def test_marking_overdue_is_idempotent_and_a_late_submission_still_goes_through(db, finished, tenants):
    deadlines.open_finalized_rosters(at("2025-06-01", "09:00"))
    assert deadlines.mark_overdue_rosters(at("2025-06-21", "09:00")) == 1
    assert deadlines.mark_overdue_rosters(at("2025-06-22", "09:00")) == 0
    db.session.commit()
    assert len(_notifications("roster_overdue")) == 1
    roster = services.submit_roster(tenants.admin_a, finished, now=at("2025-06-23", "09:00"))
    assert roster.status == "submitted" and roster.submitted_late


def test_opening_rosters_is_idempotent(db, finished, make_course, tenants):
    make_course(base=tenants.base_a)  # not finalised: no roster
    assert deadlines.open_finalized_rosters(at("2025-05-21", "09:00")) == 1
    assert deadlines.open_finalized_rosters(at("2025-05-21", "10:00")) == 0
    db.session.commit()
    (roster,) = db.session.scalars(db.select(Roster)).all()
    assert roster.course_id == finished.id and roster.status == "pending"
    assert roster.due_on.isoformat() == "2025-06-19" and roster.base_id == tenants.base_a.id


def test_inactive_admins_are_not_notified(db, finished, tenants):
    tenants.admin_a.active = False
    db.session.commit()
    deadlines.open_finalized_rosters(at("2025-06-15", "09:00"))
    assert deadlines.remind_due_rosters(at("2025-06-15", "09:00")) == 1
    assert _notifications() == []


def test_reminders_are_emailed_once_when_smtp_is_configured(app, db, finished, tenants, monkeypatch):
    set_notification_email(tenants.admin_a, "zhou@base-a.example.cn", now=at("2025-06-01", "09:00"))
    db.session.commit()
    with SmtpSink() as sink:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", sink.port)
        monkeypatch.setitem(app.config, "SMTP_FROM", "noreply@basesys.example.cn")
        result = roster_reminders(at("2025-06-12", "09:00"))
        db.session.commit()
        assert result == "opened 1, reminded 1, e-mailed 1"
        roster_reminders(at("2025-06-12", "10:00"))
        roster_overdue(at("2025-06-12", "10:00"))
        db.session.commit()
    (mail,) = sink.messages
    assert mail["to"] == ["zhou@base-a.example.cn"] and mail["from"] == "noreply@basesys.example.cn"
    assert mail["message"]["Subject"] == "学员名单报送提醒：安全生产专题培训"
    assert "2025-06-19" in mail["message"].get_content()
    (notification,) = _notifications()
    assert notification.emailed_at is not None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_smtp_failure_keeps_the_notification_and_retries_later(app, db, finished, tenants, monkeypatch):
    set_notification_email(tenants.admin_a, "zhou@base-a.example.cn", now=at("2025-06-01", "09:00"))
    db.session.commit()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _closed_port())
    result = roster_reminders(at("2025-06-12", "09:00"))
    db.session.commit()
    assert result == "opened 1, reminded 1, e-mailed 0, e-mail failed 1"
    (notification,) = _notifications()
    assert notification.emailed_at is None
    with SmtpSink() as sink:
        monkeypatch.setitem(app.config, "SMTP_PORT", sink.port)
        assert roster_reminders(at("2025-06-12", "10:00")) == "opened 0, reminded 0, e-mailed 1"
        db.session.commit()
    assert len(sink.messages) == 1


def test_without_smtp_nothing_is_emailed(app, db, finished, tenants):
    set_notification_email(tenants.admin_a, "zhou@base-a.example.cn", now=at("2025-06-01", "09:00"))
    assert app.config["SMTP_HOST"] == ""
    assert roster_reminders(at("2025-06-12", "09:00")) == "opened 1, reminded 1, e-mailed 0"
