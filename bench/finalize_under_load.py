"""Scans while a course is finalised, on SQLite (issue 10: "database is locked" during finalisation).

A fresh SQLite file (WAL), the app under gunicorn as in production (`-w 5`, sync workers). One
finished course with N enrolled trainees (default 5,000) who all attended, and a course with a
session running now. While `POST /api/v1/courses/{id}/finalize` issues the N certificates (through
the server, as the base admin's API call does), bursts of 64 concurrent `POST /api/v1/scan`, each
for a different trainee, hit the server until the finalisation has answered; then a few more bursts
after it. Printed: the finalisation's status, totals and duration, and per phase the scans, errors
(anything but a 2xx check-in: a "database is locked" is a 500) and latencies.

Run: `make bench` or `.venv/bin/python bench/finalize_under_load.py [--count 5000] [--concurrency 64]`.
Exit status 1 if any scan failed or the totals are wrong.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin import SECRET, WORKERS, Gunicorn, fetch_qr_token, free_port, seed_app  # noqa: E402


def seed_finished_course(url: str, count: int) -> int:
    """A course of the bench base that ended yesterday, the first `count` trainees enrolled, all present."""
    from sqlalchemy import insert

    from basesys import create_app
    from basesys.accounts.models import Base, Trainee
    from basesys.attendance.models import Attendance
    from basesys.courses.models import Course, CourseSession, Enrollment
    from basesys.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    now = datetime.now(UTC)
    starts = (now - timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)
    with app.app_context():
        base = db.session.scalar(db.select(Base))
        course = Course(
            base=base,
            title="压测结业培训班",
            category="professional",
            kind="course",
            attendance_mode="in_out",
            filing_status="approved",
            filing_number="备2025-0001-0002",
            planned_days=1,
            planned_hours=4,
            created_at=now,
            updated_at=now,
        )
        session = CourseSession(starts_at=starts, ends_at=starts + timedelta(hours=4), credit_hours=4)
        course.sessions.append(session)
        db.session.add(course)
        db.session.flush()
        ids = list(db.session.scalars(db.select(Trainee.id).order_by(Trainee.id).limit(count)))
        db.session.execute(
            insert(Enrollment), [dict(course_id=course.id, trainee_id=i, source="admin", created_at=now) for i in ids]
        )
        db.session.execute(
            insert(Attendance),
            [
                dict(
                    session_id=session.id,
                    trainee_id=i,
                    check_in_at=session.starts_at,
                    check_out_at=session.ends_at,
                    check_in_manual=False,
                    check_out_manual=False,
                    created_at=now,
                    updated_at=now,
                )
                for i in ids
            ],
        )
        db.session.commit()
        course_id = course.id
        db.session.remove()
        db.engine.dispose()
    return course_id


def post(url: str, headers: dict, body: dict, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:  # socket error or timeout: an error too
        return 0, repr(error).encode()


class Scanner:
    """Bursts of `concurrency` simultaneous scans, each by the next unused trainee."""

    def __init__(self, port: int, creds: list[str], admin_token: str, session_id: int, concurrency: int):
        self.port, self.creds, self.admin_token, self.session_id = port, creds, admin_token, session_id
        self.concurrency, self.next = concurrency, 0
        self.pool = ThreadPoolExecutor(concurrency)
        self.token, self.token_at = "", 0.0

    def _one(self, cred: str) -> tuple[int, float, bytes]:
        bearer, device = cred.split("\t")
        started = time.perf_counter()
        status, body = post(
            f"http://127.0.0.1:{self.port}/api/v1/scan",
            {"Authorization": f"Bearer {bearer}", "X-Device-Id": device},
            {"token": self.token},
            timeout=60,
        )
        return status, (time.perf_counter() - started) * 1000, body

    def burst(self) -> list[tuple[int, float, bytes]]:
        if time.time() - self.token_at > 5:  # the projector's code rotates
            self.token, self.token_at = fetch_qr_token(self.port, self.admin_token, self.session_id), time.time()
        batch = self.creds[self.next : self.next + self.concurrency]
        if len(batch) < self.concurrency:
            raise RuntimeError("out of trainees: raise --scan-trainees")
        self.next += self.concurrency
        return list(self.pool.map(self._one, batch))


def summary(label: str, answers: list[tuple[int, float, bytes]], bursts: int) -> dict:
    latencies = sorted(ms for _s, ms, _b in answers)
    errors = [(s, b[:200]) for s, _ms, b in answers if not (200 <= s < 300 and b"checked_in" in b)]

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return {
        "phase": label,
        "bursts": bursts,
        "scans": len(answers),
        "errors": len(errors),
        "error_samples": errors[:5],
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] if latencies else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="completers of the finalised course")
    parser.add_argument("--concurrency", type=int, default=64, help="scans per burst")
    parser.add_argument("--scan-trainees", type=int, default=8000, help="trainees available to scan once each")
    parser.add_argument("--after", type=int, default=5, help="bursts after the finalisation answered")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="basesys-bench-finalize-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    port = free_port()
    trainees = max(args.scan_trainees, args.count)
    seeded = seed_app(url, trainees, f"http://127.0.0.1:{port}")
    course_id = seed_finished_course(url, args.count)
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "BASESYS_SCHEDULER": "off",
        "GUNICORN_CMD_ARGS": "--timeout 600",  # the finalising request may take a while
    }
    server = Gunicorn("wsgi:app", env, port, workdir / "gunicorn.log")
    # scans by the trainees NOT in the finalised course first (it would not matter: other day, other course)
    creds = seeded["creds"][args.count :] + seeded["creds"][: args.count]
    scanner = Scanner(port, creds, seeded["admin_token"], seeded["session_id"], args.concurrency)
    finalized: dict = {}
    try:
        server.wait_ready()
        scanner.burst()  # warm-up: every worker has loaded its statements

        def finalize():
            started = time.perf_counter()
            status, body = post(
                f"http://127.0.0.1:{port}/api/v1/courses/{course_id}/finalize",
                {"Authorization": f"Bearer {seeded['admin_token']}"},
                {},
                timeout=900,
            )
            finalized.update(status=status, body=body, seconds=time.perf_counter() - started)

        finaliser = threading.Thread(target=finalize)
        finaliser.start()
        during, bursts = [], 0
        while finaliser.is_alive():
            during += scanner.burst()
            bursts += 1
        finaliser.join()
        after = []
        for _ in range(args.after):
            after += scanner.burst()
    finally:
        server.stop()
        scanner.pool.shutdown()
    phases = [summary("during finalisation", during, bursts), summary("after", after, args.after)]
    totals = json.loads(finalized["body"]) if finalized.get("status") == 200 else finalized.get("body")
    expected = {"completed": args.count, "not_completed": 0, "certificates": args.count}
    print(
        f"{os.cpu_count()} CPUs, gunicorn -w {WORKERS} (sync), SQLite WAL; finalisation of {args.count} completers: "
        f"HTTP {finalized.get('status')} in {finalized.get('seconds', 0):.1f} s, totals {totals}"
    )
    print("| phase | bursts of 64 | scans | errors | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|")
    for p in phases:
        print(
            f"| {p['phase']} | {p['bursts']} | {p['scans']} | {p['errors']} | {p['p50_ms']:.0f} | "
            f"{p['p95_ms']:.0f} | {p['p99_ms']:.0f} | {p['max_ms']:.0f} |"
        )
        for sample in p["error_samples"]:
            print(f"  error: {sample}")
    ok = totals == expected and all(p["errors"] == 0 for p in phases)
    print("target (0 errors, totals right):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
