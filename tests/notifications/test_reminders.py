"""Reminders to trainees through the shared notifications (issue 13): the day before a session (a
job of the attendance feature) and when a certificate is issued (a job of the certificates
feature); once per trainee and session or certificate, set-based, idempotent under two runs."""

from datetime import timedelta

from basesys.attendance.services.session_reminders import remind_upcoming_sessions, session_reminder_key
from basesys.certificates.models import Certificate
from basesys.certificates.notices import certificate_key, notify_issued_certificates
from basesys.core.jobs import run_job
from basesys.core.policy import PolicyOverride
from basesys.notifications import services as notifications
from basesys.notifications.models import Notification
from tests.conftest import at
from tests.rosters.smtp_sink import SmtpSink


def of_kind(db, kind):
    return db.session.scalars(db.select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()


def tomorrow_course(make_course, tenants, **extra):
    return make_course(
        base=tenants.base_a,
        title="急救技能培训",
        sessions=[
            (at("2025-06-03", "09:00"), at("2025-06-03", "12:00")),
            (at("2025-06-05", "09:00"), at("2025-06-05", "12:00")),
        ],
        **extra,
    )


def test_session_reminder_the_day_before_once_per_trainee_and_session(db, tenants, make_course, make_trainee, enroll):
    course = tomorrow_course(make_course, tenants)
    unregistered = make_trainee(name="钱七", registered=False)
    enroll(course, tenants.trainee, tenants.other_trainee, unregistered)
    assert remind_upcoming_sessions(now=at("2025-06-02", "08:59")) == 0  # 24 h and a minute before
    assert remind_upcoming_sessions(now=at("2025-06-02", "09:00")) == 2  # the two with an account
    db.session.commit()
    assert remind_upcoming_sessions(now=at("2025-06-02", "09:10")) == 0  # a second run: nobody twice
    sent = of_kind(db, "session_reminder")
    assert {n.user_id for n in sent} == {tenants.trainee.user_id, tenants.other_trainee.user_id}
    first = sent[0]
    assert first.dedupe_key == session_reminder_key(course.sessions[0].id)
    assert first.object_type == "course" and first.object_id == course.id
    assert first.data == {
        "title": "急救技能培训",
        "date": "2025-06-03",
        "starts": "09:00",
        "ends": "12:00",
        "location": "枣庄",
    }
    assert first.created_at == at("2025-06-02", "09:00")
    # The next session gets its own reminder, the day before it.
    assert remind_upcoming_sessions(now=at("2025-06-04", "09:00")) == 2
    assert len(of_kind(db, "session_reminder")) == 4


def test_no_session_reminder_for_courses_not_approved_or_sessions_started(db, tenants, make_course, enroll):
    draft = tomorrow_course(make_course, tenants, status="draft")
    enroll(draft, tenants.trainee)
    assert remind_upcoming_sessions(now=at("2025-06-02", "10:00")) == 0
    approved = tomorrow_course(make_course, tenants)
    enroll(approved, tenants.trainee)
    assert remind_upcoming_sessions(now=at("2025-06-03", "09:00")) == 0  # started: too late to remind
    tenants.trainee.user.active = False
    assert remind_upcoming_sessions(now=at("2025-06-02", "10:00")) == 0


def test_session_reminder_time_is_the_bureaus_policy(db, tenants, make_course, enroll):
    db.session.add(PolicyOverride(bureau_id=tenants.city_a.id, year=None, values={"session_reminder_hours_before": 48}))
    db.session.commit()
    course = tomorrow_course(make_course, tenants)
    enroll(course, tenants.trainee)
    assert remind_upcoming_sessions(now=at("2025-06-01", "08:59")) == 0
    assert remind_upcoming_sessions(now=at("2025-06-01", "09:00")) == 1


def test_the_session_job_is_idempotent_and_emails_where_an_address_is_given(
    app, db, tenants, make_course, enroll, monkeypatch, client, login, clock
):
    course = tomorrow_course(make_course, tenants)
    enroll(course, tenants.trainee, tenants.other_trainee)
    notifications.set_notification_email(tenants.trainee.user, "lisi@example.cn", now=at("2025-06-01", "09:00"))
    db.session.commit()
    job = app.extensions["basesys"].jobs["session_reminders"]
    with SmtpSink() as sink:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", sink.port)
        assert run_job(job, at("2025-06-02", "10:00")) == "reminded 2, e-mailed 1"
        assert run_job(job, at("2025-06-02", "10:10")) == "reminded 0, e-mailed 0"
    (mail,) = sink.messages
    assert mail["to"] == ["lisi@example.cn"] and mail["message"]["Subject"] == "培训提醒：急救技能培训"
    assert "2025-06-03 09:00—12:00 上课，地点：枣庄" in mail["message"].get_content()
    clock.set(at("2025-06-02", "10:30"))
    login(tenants.other_trainee)
    home = client.get("/")
    assert "2025-06-03 09:00—12:00 上课" in home.text and f"/courses/{course.id}" in home.text


def test_certificate_notice_once_per_certificate_for_holders_with_an_account(db, tenants, make_trainee, finished):
    """`finished` (tests/rosters/conftest.py): issued on 2025-05-20 14:00 to 李四 and to 赵六, who has
    no account, and not to 王五, who did not complete."""
    now = at("2025-05-20", "14:05")
    assert notify_issued_certificates(now=now) == 1
    db.session.commit()
    assert notify_issued_certificates(now=now + timedelta(minutes=5)) == 0
    (sent,) = of_kind(db, "certificate_issued")
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == tenants.trainee.id))
    assert sent.user_id == tenants.trainee.user_id and sent.dedupe_key == certificate_key(certificate.id)
    assert sent.object_type == "certificate" and sent.object_id == certificate.id
    assert sent.data == {"title": finished.title}


def test_certificate_notice_skips_revoked_and_stale_certificates(db, tenants, finished):
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == tenants.trainee.id))
    assert notify_issued_certificates(now=at("2025-05-23", "14:05")) == 0  # beyond the look-back
    certificate.status = "revoked"
    assert notify_issued_certificates(now=at("2025-05-20", "14:05")) == 0


def test_certificate_notices_in_bulk_one_statement_per_course(db, tenants, make_course, make_trainee, enroll, finalize):
    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
    trainees = [make_trainee(name=f"学员{n}") for n in range(40)]
    enroll(course, *trainees)
    finalize(course, {t: (3.0, True) for t in trainees}, when=at("2025-05-20", "14:00"))
    statements = []
    from sqlalchemy import event

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert notify_issued_certificates(now=at("2025-05-20", "15:00")) == 40
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 5  # not one per trainee


def test_the_certificate_job_is_idempotent(app, db, tenants, finished, client, login, clock):
    job = app.extensions["basesys"].jobs["certificate_notices"]
    assert run_job(job, at("2025-05-20", "14:05")) == "notified 1, e-mailed 0"
    assert run_job(job, at("2025-05-20", "14:10")) == "notified 0, e-mailed 0"
    clock.set(at("2025-05-20", "14:20"))
    login(tenants.trainee)
    home = client.get("/")
    assert f"您参加的“{finished.title}”结业证书已发放" in home.text and "/me/certificates" in home.text
