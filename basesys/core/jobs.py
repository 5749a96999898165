"""Scheduled jobs: a registry, a runner for `run-due-jobs`, and the APScheduler set-up.

Every job takes `now`, is idempotent and survives being killed half-way: running it again
finishes the work and never doubles it. Features declare their jobs (`Job` in feature.py); the
runner takes them from the app's registry.

Job store: APScheduler's memory store. The jobs are defined in code (an interval each) and keep
no state of their own — each run looks for its due work in the database (courses to finalise,
rosters to remind) — so there is nothing to persist; `job_run` records each job's last run for
the sysadmin. Exactly one scheduler runs: `flask --app wsgi scheduler` in production, or inside
the web process under a file lock (`start_in_process`, `make run`).
"""

import atexit
import fcntl
import logging
from datetime import datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from basesys.core.features import Job, registry
from basesys.core.time import UTCDateTime, now_utc
from basesys.extensions import db

log = logging.getLogger("basesys.jobs")


class JobRun(db.Model):
    """The last run of each job, shown to the sysadmin (is the scheduler alive?)."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_result: Mapped[str] = mapped_column(Text, default="")


def heartbeat(now: datetime) -> str:
    return "alive"


def run_job(job: Job, now: datetime) -> str:
    """Run one job in its own transaction and record the run."""
    try:
        result = job.func(now) or "ok"
        db.session.commit()
    except Exception as exc:  # a failed job must not stop the others
        db.session.rollback()
        log.exception("job %s failed", job.name)
        result = f"error: {exc}"
    _record_run(job.name, now, str(result)[:2000])
    return result


def _record_run(name: str, now: datetime, result: str) -> None:
    """Upsert the job's last run; a concurrent first insert by another process is retried as an update."""
    for _attempt in range(2):
        row = db.session.get(JobRun, name)
        if row is None:
            row = JobRun(name=name, last_run_at=now)
            db.session.add(row)
        row.last_run_at, row.last_result = now, result
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()


HEARTBEAT = Job("heartbeat", 1, heartbeat)


def run_due_jobs(now: datetime) -> dict[str, str]:
    """Run every job once (each finds its own due work) and return their results."""
    return {name: run_job(job, now) for name, job in sorted(registry().jobs.items())}


def build_scheduler(app, blocking: bool):
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="Asia/Shanghai")
    for job in registry(app).jobs.values():

        def tick(job=job):
            with app.app_context():
                run_job(job, now_utc())

        scheduler.add_job(
            tick,
            "interval",
            minutes=job.every_minutes,
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=300,
            next_run_time=now_utc(),  # aware: the first run is now, whatever the machine's timezone
        )
    return scheduler


_lock_file = None
_in_process = None


def start_in_process(app) -> bool:
    """Start the scheduler inside this web process unless another process holds the lock."""
    global _lock_file, _in_process
    if _in_process is not None:
        return False
    path = Path(app.config["INSTANCE_DIR"]) / "scheduler.lock"
    handle = open(path, "w")  # noqa: SIM115 -- held open for the life of the process (the lock)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        log.info("scheduler already runs in another process")
        return False
    _lock_file = handle
    _in_process = build_scheduler(app, blocking=False)
    _in_process.start()
    atexit.register(stop_in_process)
    log.info("scheduler started in-process")
    return True


def stop_in_process() -> None:
    """Stop the in-process scheduler and release the lock (at exit, and in tests)."""
    global _lock_file, _in_process
    if _in_process is not None:
        if _in_process.running:
            _in_process.shutdown(wait=True)
        _in_process = None
    if _lock_file is not None:
        fcntl.flock(_lock_file, fcntl.LOCK_UN)
        _lock_file.close()
        _lock_file = None
