"""Demo attendance on courses shaped like the courses demo's (approved_past, approved_today)."""

from datetime import timedelta

from basesys.attendance import demo, services
from basesys.attendance.models import Attendance, ScanRefusal
from basesys.core.policy import DEFAULT_POLICY


def test_demo_adds_scans_a_manual_entry_and_refusals(db, tenants, make_course, make_trainee, enroll, now):
    trainees = [make_trainee(name=f"学员{i}") for i in range(12)]
    past_day = now - timedelta(days=3)
    past = make_course(
        base=tenants.base_a,
        sessions=[
            (past_day.replace(hour=9), past_day.replace(hour=12)),
            (past_day.replace(hour=14), past_day.replace(hour=17)),
        ],
    )
    today = make_course(base=tenants.base_a, sessions=[(now - timedelta(minutes=30), now + timedelta(hours=2))])
    enroll(past, *trainees)
    enroll(today, *trainees)
    demo.load({"courses": {"approved_past": past, "approved_today": today}}, now)
    db.session.commit()
    rows = db.session.scalars(db.select(Attendance)).all()
    assert any(r.check_out_manual for r in rows)
    codes = {r.code for r in db.session.scalars(db.select(ScanRefusal))}
    assert {"device_already_used", "token_expired"} <= codes
    lines = services.course_attendance(past, DEFAULT_POLICY)
    completed = [line for line in lines if line.credit.completed]
    assert 8 <= len(completed) < 12
    today_rows = [r for r in rows if r.session_id == today.sessions[0].id]
    assert 4 <= len(today_rows) <= 8


def test_demo_without_courses_does_nothing(db, now):
    demo.load({}, now)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0
