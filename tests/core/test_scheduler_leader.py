"""Two real `flask scheduler` processes on one database: one leads and runs each job once per
interval, the other stands by; kill -9 the leader and the standby takes over within one interval.

On PostgreSQL the leader holds an advisory lock (works across servers); on SQLite a file lock in the
shared instance folder. Jobs run every second here (BASESYS_JOB_INTERVAL_SECONDS, drills only).
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INTERVAL, STANDBY = 1, 1
RAN = re.compile(r"job heartbeat ran \(pid (\d+)\)")


def _env(database_server, instance: str) -> dict:
    env = dict(
        os.environ,
        BASESYS_INSTANCE=instance,
        BASESYS_SCHEDULER="off",
        BASESYS_JOB_INTERVAL_SECONDS=str(INTERVAL),
        BASESYS_SCHEDULER_STANDBY_SECONDS=str(STANDBY),
    )
    if database_server is not None:
        env["DATABASE_URL"] = database_server.create_database("basesys_leader")
    else:
        env.pop("DATABASE_URL", None)
    return env


def _start(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _runs(log: Path) -> list[int]:
    return [int(pid) for pid in RAN.findall(log.read_text())]


def stop_all(processes) -> None:
    """SIGTERM (a scheduler's graceful stop), then kill what did not stop in 10 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_one_scheduler_leads_and_a_standby_takes_over_when_it_is_killed(database_server):
    instance = tempfile.mkdtemp(prefix="basesys-leader-")
    env = _env(database_server, instance)
    init = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "init-db"], cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert init.returncode == 0, init.stderr
    logs = [Path(instance) / "a.log", Path(instance) / "b.log"]
    processes = [_start(env, log) for log in logs]
    try:
        assert _wait(lambda: any(_runs(log) for log in logs), 30), [log.read_text()[-2000:] for log in logs]
        time.sleep(4 * INTERVAL)
        counts = [len(_runs(log)) for log in logs]
        leader = 0 if counts[0] else 1
        standby = 1 - leader
        assert counts[standby] == 0, f"both ran the jobs: {counts}"
        first = len(_runs(logs[leader]))
        time.sleep(3 * INTERVAL)
        ran = len(_runs(logs[leader])) - first
        assert 2 <= ran <= 4, f"heartbeat ran {ran} times in 3 intervals"  # once per interval

        processes[leader].send_signal(signal.SIGKILL)
        processes[leader].wait(timeout=10)
        killed_at = time.monotonic()
        assert _wait(lambda: _runs(logs[standby]), INTERVAL + STANDBY + 5), logs[standby].read_text()[-2000:]
        assert time.monotonic() - killed_at <= INTERVAL + STANDBY + 5
        assert set(_runs(logs[standby])) == {processes[standby].pid}
    finally:
        stop_all(processes)
