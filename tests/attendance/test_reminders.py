"""The check-out reminder (DOMAIN.md §6): due near the session's end, once per trainee and session,
in-app and e-mailed where SMTP is configured and the trainee gave an address."""

from basesys.attendance.reminders import checkout_reminders
from basesys.attendance.services.reminders import remind_missing_checkouts, reminder_key
from basesys.core.jobs import run_job
from basesys.core.policy import PolicyOverride
from basesys.notifications import services as notifications
from basesys.notifications.models import Notification
from tests.conftest import at
from tests.rosters.smtp_sink import SmtpSink


def reminders(db):
    return db.session.scalars(db.select(Notification).where(Notification.kind == "checkout_reminder")).all()


def test_reminds_once_those_checked_in_but_not_out(db, running_course, tenants, attend, enroll, make_trainee):
    course_session = running_course.sessions[0]
    left = make_trainee(name="赵六")
    unregistered = make_trainee(name="钱七", registered=False)
    enroll(running_course, tenants.other_trainee, left, unregistered)
    attend(course_session, tenants.trainee, check_in=at("2025-06-02", "08:55"))
    attend(course_session, tenants.other_trainee)  # never checked in
    attend(course_session, left, at("2025-06-02", "09:00"), at("2025-06-02", "11:30"))
    attend(course_session, unregistered, check_in=at("2025-06-02", "09:00"))  # no account to notify
    assert remind_missing_checkouts(now=at("2025-06-02", "11:49")) == 0  # policy: 10 minutes before the end
    assert remind_missing_checkouts(now=at("2025-06-02", "11:50")) == 1
    db.session.commit()
    assert remind_missing_checkouts(now=at("2025-06-02", "11:52")) == 0  # a second run notifies nobody twice
    db.session.commit()
    (sent,) = reminders(db)
    assert sent.user_id == tenants.trainee.user_id and sent.dedupe_key == reminder_key(course_session.id)
    assert sent.data == {"title": running_course.title, "ends": "12:00", "closes": "12:30"}
    assert sent.created_at == at("2025-06-02", "11:50")


def test_no_reminder_once_checkout_has_closed_or_in_only(db, running_course, tenants, attend, make_course, enroll):
    attend(running_course.sessions[0], tenants.trainee, check_in=at("2025-06-02", "08:55"))
    assert remind_missing_checkouts(now=at("2025-06-02", "12:31")) == 0
    in_only = make_course(
        base=tenants.base_a,
        attendance_mode="in_only",
        sessions=[(at("2025-06-02", "13:00"), at("2025-06-02", "15:00"))],
    )
    enroll(in_only, tenants.trainee)
    attend(in_only.sessions[0], tenants.trainee, check_in=at("2025-06-02", "13:00"))
    assert remind_missing_checkouts(now=at("2025-06-02", "14:55")) == 0
    assert reminders(db) == []


def test_reminder_time_is_the_bureaus_policy(db, running_course, tenants, attend):
    values = {"checkout_reminder_minutes_before_end": 30}
    db.session.add(PolicyOverride(bureau_id=tenants.city_a.id, year=None, values=values))
    db.session.commit()
    attend(running_course.sessions[0], tenants.trainee, check_in=at("2025-06-02", "08:55"))
    assert remind_missing_checkouts(now=at("2025-06-02", "11:29")) == 0
    assert remind_missing_checkouts(now=at("2025-06-02", "11:30")) == 1


def test_the_job_is_idempotent_and_emails_where_an_address_is_given(
    app, db, running_course, tenants, attend, monkeypatch
):
    attend(running_course.sessions[0], tenants.trainee, check_in=at("2025-06-02", "08:55"))
    notifications.set_notification_email(tenants.trainee.user, "lisi@example.cn", now=at("2025-06-01", "09:00"))
    db.session.commit()
    job = next(j for j in app.extensions["basesys"].jobs.values() if j.name == "checkout_reminders")
    assert job.func is checkout_reminders
    with SmtpSink() as sink:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", sink.port)
        assert run_job(job, at("2025-06-02", "11:52")) == "reminded 1, e-mailed 1"
        assert run_job(job, at("2025-06-02", "11:54")) == "reminded 0, e-mailed 0"
    (mail,) = sink.messages
    assert mail["to"] == ["lisi@example.cn"]
    assert mail["message"]["Subject"] == f"签退提醒：{running_course.title}"
    assert "请在 12:30 前扫描投影屏幕上的签退二维码" in mail["message"].get_content()
    assert len(reminders(db)) == 1


def test_without_smtp_the_reminder_is_in_app_only(app, db, running_course, tenants, attend, client, login, clock):
    attend(running_course.sessions[0], tenants.trainee, check_in=at("2025-06-02", "08:55"))
    job = app.extensions["basesys"].jobs["checkout_reminders"]
    assert run_job(job, at("2025-06-02", "11:52")) == "reminded 1, e-mailed 0"
    clock.set(at("2025-06-02", "11:53"))
    login(tenants.trainee)
    home = client.get("/")
    assert "请在 12:30 前扫描投影屏幕上的签退二维码" in home.text  # the trainee's home panel
    assert "/attendance/code" in home.text


def test_a_trainee_sets_the_address_for_notifications(client, db, tenants, login):
    login(tenants.trainee)
    assert client.get("/notifications/email").status_code == 200
    response = client.post("/notifications/email", data={"email": "lisi@example.cn"})
    assert response.status_code == 302
    assert notifications.notification_email(tenants.trainee.user) == "lisi@example.cn"
    bad = client.post("/notifications/email", data={"email": "not an address"})
    assert bad.status_code == 422 and "电子邮箱格式不正确" in bad.text
