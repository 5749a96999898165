"""Offline sync of the staff scanner (issue 12): one device uploads 500 queued scans, then resends them.

For each database (SQLite file in WAL mode, a throw-away PostgreSQL started as tests/pg.py does):
a fresh schema with one approved session running now and 500 enrolled trainees; the device's queue
holds one check-in per trainee (each trainee's personal check-in code, a client UUID, a device time
spread over the last 20 minutes on a clock 3 minutes slow). It is sent as 5 batches of 100 through
`POST /api/v1/sessions/{id}/staff-scans`, then the same 5 batches again (a device that never saw the
answers). Printed: per batch the time of the request, the rows stored in staff_scan and attendance
after it, and how many answers said `replayed`. The second pass must store nothing.

Requests go through the Flask test client in this process (the whole request: auth, validation,
the service, the commit; no network, no gunicorn): the figure is the server's time per batch, which
is what a device on a hall's network waits for beyond its round trip.

Run: `.venv/bin/python bench/staff_sync.py [--databases sqlite postgres]`.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-key-0123456789abcdef"
TRAINEES = 500
BATCH = 100
DEVICE_SLOW = timedelta(minutes=3)

os.environ.setdefault("BASESYS_INSTANCE", tempfile.mkdtemp(prefix="basesys-bench-instance-"))


def seed(app, now: datetime) -> dict:
    """One approved course with a session running now, TRAINEES enrolled, their personal codes."""
    from sqlalchemy import insert

    from basesys.accounts.models import Base, Bureau, Trainee, User
    from basesys.accounts.tokens import issue_token
    from basesys.attendance.personal_codes import make_code
    from basesys.courses.models import Course, CourseSession, Enrollment
    from basesys.extensions import db

    with app.app_context():
        db.create_all()
        bureau = Bureau(name="压测市人社局", level="city", created_at=now)
        base = Base(name="压测基地", level="municipal", credit_code="BENCH0000000000001", bureau=bureau, created_at=now)
        admin = User(username="bench_admin", password_hash="x", role="base_admin", base=base, created_at=now)
        course = Course(
            base=base,
            title="离线同步压测培训班",
            category="professional",
            kind="course",
            attendance_mode="in_out",
            filing_status="approved",
            filing_number="备2025-0001-0001",
            planned_days=1,
            planned_hours=4,
            created_at=now,
            updated_at=now,
        )
        course.sessions.append(
            CourseSession(starts_at=now - timedelta(minutes=20), ends_at=now + timedelta(hours=3), credit_hours=4)
        )
        db.session.add_all([bureau, base, admin, course])
        db.session.flush()
        ids = range(1000, 1000 + TRAINEES)
        db.session.execute(
            insert(Trainee),
            [
                dict(
                    id=i,
                    id_number=f"37040219800101{i:04d}"[-18:],
                    name=f"学员{i}",
                    gender="M",
                    birth_date=date(1980, 1, 1),
                    fraud_flag=False,
                    fraud_note="",
                    created_at=now,
                )
                for i in ids
            ],
        )
        db.session.execute(
            insert(Enrollment), [dict(course_id=course.id, trainee_id=i, source="admin", created_at=now) for i in ids]
        )
        db.session.commit()
        expires = (now + timedelta(days=30)).date()
        codes = [make_code(SECRET, i, 0, expires) for i in ids]
        token = issue_token(admin, now)[0]
        return {"codes": codes, "token": token, "session_id": course.sessions[0].id}


def counts(app) -> tuple[int, int]:
    from basesys.attendance.models import Attendance, StaffScan
    from basesys.extensions import db

    with app.app_context():
        scans = db.session.scalar(db.select(db.func.count()).select_from(StaffScan))
        rows = db.session.scalar(db.select(db.func.count()).select_from(Attendance))
        db.session.remove()
    return scans, rows


def run(kind: str, url: str) -> list[dict]:
    from basesys import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "BASESYS_SCHEDULER": "off"})
    now = datetime.now(UTC)
    world = seed(app, now)
    client = app.test_client()
    device_now = now - DEVICE_SLOW
    queue = [
        {
            "client_id": str(uuid.uuid4()),
            "code": code,
            "purpose": "in",
            "scanned_at": (device_now - timedelta(minutes=20) + timedelta(seconds=2 * n)).isoformat(),
        }
        for n, code in enumerate(world["codes"])
    ]
    batches = [queue[i : i + BATCH] for i in range(0, len(queue), BATCH)]
    lines = []
    headers = {"Authorization": f"Bearer {world['token']}"}
    path = f"/api/v1/sessions/{world['session_id']}/staff-scans"
    for send in (1, 2):
        for number, batch in enumerate(batches, 1):
            body = {"sent_at": (datetime.now(UTC) - DEVICE_SLOW).isoformat(), "scans": batch}
            started = time.perf_counter()
            response = client.post(path, json=body, headers=headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            results = response.get_json()["results"]
            scans, rows = counts(app)
            lines.append(
                {
                    "db": kind,
                    "pass": send,
                    "batch": number,
                    "ms": elapsed * 1000,
                    "checked_in": sum(r["result"] == "checked_in" for r in results),
                    "replayed": sum(r["replayed"] for r in results),
                    "staff_scan": scans,
                    "attendance": rows,
                }
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    args = parser.parse_args()
    lines = []
    pg = None
    try:
        for kind in args.databases:
            if kind == "sqlite":
                url = f"sqlite:///{tempfile.mkdtemp(prefix='basesys-bench-sync-')}/bench.sqlite3"
            else:
                from tests.pg import PostgresServer

                pg = PostgresServer().start()
                url = pg.create_database("bench_staff_sync")
            lines += run(kind, url)
    finally:
        if pg is not None:
            pg.stop()
    print(
        f"{'db':<9}{'pass':>5}{'batch':>6}{'ms':>9}{'checked_in':>11}{'replayed':>9}{'staff_scan':>11}{'attendance':>11}"
    )
    for line in lines:
        print(
            f"{line['db']:<9}{line['pass']:>5}{line['batch']:>6}{line['ms']:>9.1f}{line['checked_in']:>11}"
            f"{line['replayed']:>9}{line['staff_scan']:>11}{line['attendance']:>11}"
        )
    for kind in args.databases:
        mine = [line for line in lines if line["db"] == kind]
        first, second = [m for m in mine if m["pass"] == 1], [m for m in mine if m["pass"] == 2]
        stored_first, stored_after = first[-1]["staff_scan"], second[-1]["staff_scan"]
        print(
            f"{kind}: first pass stored {stored_first} scans / {first[-1]['attendance']} check-ins "
            f"(mean {sum(m['ms'] for m in first) / len(first):.0f} ms a batch); the resend stored "
            f"{stored_after - stored_first} more, {sum(m['replayed'] for m in second)} answers replayed "
            f"(mean {sum(m['ms'] for m in second) / len(second):.0f} ms a batch)"
        )


if __name__ == "__main__":
    main()
