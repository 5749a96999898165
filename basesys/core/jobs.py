"""Scheduled jobs: a registry, a runner for `run-due-jobs`, and the APScheduler set-up.

Every job takes `now`, is idempotent and survives being killed half-way: running it again
finishes the work and never doubles it. Features declare their jobs (`Job` in feature.py); the
runner takes them from the app's registry.

Job store: APScheduler's memory store. The jobs are defined in code (an interval each) and keep
no state of their own — each run looks for its due work in the database (courses to finalise,
rosters to remind) — so there is nothing to persist; `job_run` records each job's last run for
the sysadmin. Exactly one scheduler leads (core/leader.py: a PostgreSQL advisory lock, or a file
lock on SQLite): `flask --app wsgi scheduler` processes in production, or web processes with
`BASESYS_SCHEDULER=on` (`start_in_process`, `make run`). The others stand by and take over within
`SCHEDULER_STANDBY_SECONDS` when the leader dies.
"""

import atexit
import logging
import os
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from basesys.core.features import Job, registry
from basesys.core.leader import leadership_for
from basesys.core.observability import count_job
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
        count_job(job.name, ok=True)
    except Exception as exc:  # a failed job must not stop the others
        db.session.rollback()
        log.exception("job %s failed", job.name)
        result = f"error: {exc}"
        count_job(job.name, ok=False)
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


def build_scheduler(app, leadership=None) -> BackgroundScheduler:
    """The APScheduler of the registered jobs; with `leadership`, a job runs only while it is held."""
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    drill = app.config.get("SCHEDULER_INTERVAL_SECONDS")
    for job in registry(app).jobs.values():

        def tick(job=job):
            if leadership is not None and not leadership.holds():
                log.warning("scheduler: no longer the leader, %s not run", job.name)
                return
            with app.app_context():
                result = run_job(job, now_utc())
            log.info("job %s ran (pid %s): %s", job.name, os.getpid(), result)

        scheduler.add_job(
            tick,
            "interval",
            seconds=drill or job.every_minutes * 60,
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=300,
            next_run_time=now_utc(),  # aware: the first run is now, whatever the machine's timezone
        )
    return scheduler


class Supervisor:
    """Stands by until this process holds the leader lock, runs the jobs while it does, and gives
    them up if it loses it."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.leadership = leadership_for(app, db.engine)
        self.standby_seconds = app.config["SCHEDULER_STANDBY_SECONDS"]
        self.scheduler = None
        self._stopping = threading.Event()
        self._said_standby = False

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def step(self) -> bool:
        """One look at the lock: lead (starting the jobs) or stand by. Returns whether it leads."""
        if self.leadership.try_acquire():
            if self.scheduler is None:
                self.scheduler = build_scheduler(self.app, self.leadership)
                self.scheduler.start()
                log.info("scheduler: leader (pid %s)", os.getpid())
            return True
        if self.scheduler is not None:
            log.warning("scheduler: lost the leader lock (pid %s); standing by", os.getpid())
            self._stop_jobs()
        elif not self._said_standby:
            log.info("scheduler: standing by (pid %s): another process leads", os.getpid())
            self._said_standby = True
        return False

    def run(self) -> None:
        while not self._stopping.is_set():
            self.step()
            self._stopping.wait(self.standby_seconds)

    def stop(self) -> None:
        self._stopping.set()
        self._stop_jobs()
        self.leadership.release()

    def _stop_jobs(self) -> None:
        if self.scheduler is not None:
            if self.scheduler.running:
                self.scheduler.shutdown(wait=True)
            self.scheduler = None


_in_process: Supervisor | None = None


def start_in_process(app) -> bool:
    """Run a supervisor inside this web process (`BASESYS_SCHEDULER=on`); True when it leads at once.
    A process that does not lead stands by in a daemon thread and takes over when the leader dies."""
    global _in_process
    if _in_process is not None:
        return False
    supervisor = Supervisor(app)
    leading = supervisor.step()
    threading.Thread(target=supervisor.run, name="basesys-scheduler", daemon=True).start()
    _in_process = supervisor
    atexit.register(stop_in_process)
    return leading


def stop_in_process() -> None:
    """Stop the in-process supervisor and release the lock (at exit, and in tests)."""
    global _in_process
    if _in_process is not None:
        _in_process.stop()
        _in_process = None
