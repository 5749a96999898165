"""The scheduler: jobs registered by the features, run-due-jobs, idempotence, the in-process lock."""

import time
from datetime import timedelta

from basesys.certificates.models import Certificate, CourseResult, LedgerEntry
from basesys.core import jobs
from basesys.core.features import registry
from basesys.core.jobs import JobRun, build_scheduler, run_due_jobs, start_in_process, stop_in_process
from basesys.core.leader import leadership_for
from basesys.extensions import db as _db
from tests.conftest import at


def _rows(db):
    return (
        sorted(
            db.session.execute(db.select(CourseResult.course_id, CourseResult.trainee_id, CourseResult.completed)).all()
        ),
        sorted(db.session.execute(db.select(LedgerEntry.trainee_id, LedgerEntry.hours, LedgerEntry.status)).all()),
        sorted(db.session.execute(db.select(Certificate.number, Certificate.signature)).all()),
    )


def _ended_course(tenants, make_course, enroll, db):
    from basesys.attendance.models import Attendance

    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
    enroll(course, tenants.trainee)
    for course_session in course.sessions:
        db.session.add(
            Attendance(
                session_id=course_session.id,
                trainee_id=tenants.trainee.id,
                check_in_at=course_session.starts_at,
                check_out_at=course_session.ends_at,
                created_at=course_session.starts_at,
                updated_at=course_session.ends_at,
            )
        )
    db.session.commit()
    return course


def test_run_due_jobs_finalises_due_courses_once(db, tenants, make_course, enroll):
    course = _ended_course(tenants, make_course, enroll, db)
    too_early = run_due_jobs(course.ends_at + timedelta(hours=1))
    assert too_early["finalize_courses"] == "finalised 0 course(s)" and _rows(db)[0] == []
    first = run_due_jobs(course.ends_at + timedelta(hours=2))
    assert first["finalize_courses"] == f"finalised 1 course(s): [{course.id}]"
    assert first["heartbeat"] == "alive"
    rows = _rows(db)
    assert len(rows[0]) == len(rows[1]) == len(rows[2]) == 1
    second = run_due_jobs(course.ends_at + timedelta(hours=3))
    assert second["finalize_courses"] == "finalised 0 course(s)"
    assert _rows(db) == rows
    runs = {r.name: r for r in db.session.scalars(db.select(JobRun))}
    assert {"heartbeat", "finalize_courses"} <= set(runs)
    assert runs["finalize_courses"].last_run_at == course.ends_at + timedelta(hours=3)


def test_a_failing_course_does_not_stop_the_others_and_is_retried(db, tenants, make_course, enroll, monkeypatch):
    from basesys.certificates.services import finalize as module

    good = _ended_course(tenants, make_course, enroll, db)
    bad = _ended_course(tenants, make_course, enroll, db)
    real = module.finalize_chunk  # the job finalises chunk by chunk (certificates.jobs.finalize_in_chunks)

    def flaky(actor, course, *, now, size=None):
        if course.id == bad.id:
            raise RuntimeError("killed half-way")
        return real(actor, course, now=now, size=size)

    monkeypatch.setattr("basesys.certificates.services.finalize_chunk", flaky)
    result = run_due_jobs(at("2025-05-21", "09:00"))["finalize_courses"]
    assert f"[{good.id}]" in result and f"failed [{bad.id}]" in result
    assert {r[0] for r in _rows(db)[0]} == {good.id}
    monkeypatch.undo()
    run_due_jobs(at("2025-05-21", "10:00"))
    assert {r[0] for r in _rows(db)[0]} == {good.id, bad.id}
    assert len(_rows(db)[2]) == 2


def test_run_due_jobs_cli(runner, tenants, make_course, enroll, db):
    course = _ended_course(tenants, make_course, enroll, db)
    result = runner.invoke(args=["run-due-jobs", "--now", "2025-05-21T09:00:00+08:00"])
    assert result.exit_code == 0 and f"finalize_courses: finalised 1 course(s): [{course.id}]" in result.output
    assert runner.invoke(args=["run-due-jobs", "--now", "2025-05-21T09:00:00"]).exit_code != 0


def test_the_scheduler_has_every_job_with_an_aware_first_run(app):
    scheduler = build_scheduler(app)
    ids = {job.id for job in scheduler.get_jobs()}
    assert {"heartbeat", "finalize_courses"} <= ids == set(registry(app).jobs)


def test_a_standby_in_process_scheduler_takes_over_when_the_leader_goes(app, tmp_path, monkeypatch):
    """The leader lock of the test's own database: a flock on SQLite, an advisory lock on PostgreSQL."""
    monkeypatch.setitem(app.config, "INSTANCE_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "SCHEDULER_STANDBY_SECONDS", 0.05)
    monkeypatch.setattr(registry(app), "jobs", {})  # no job may touch the database from the scheduler thread
    with app.app_context():
        other = leadership_for(app, _db.engine)  # another process's hold on the lock
    assert other.try_acquire()
    try:
        assert start_in_process(app) is False  # stands by
        assert not jobs._in_process.leading
        other.release()  # the leader dies
        deadline = time.monotonic() + 10
        while not jobs._in_process.leading and time.monotonic() < deadline:
            time.sleep(0.02)
        assert jobs._in_process.leading
        assert start_in_process(app) is False  # already running here
        assert not other.try_acquire()  # nobody else leads meanwhile
    finally:
        stop_in_process()
        other.release()
    assert jobs._in_process is None
    assert other.try_acquire()  # stopping freed the lock
    other.release()
