"""Check-in under load: the app under gunicorn as in production against a bare Flask + SQLAlchemy floor.

For each database (SQLite file in WAL mode, a throw-away PostgreSQL) and each concurrency (16, 64):
a fresh database with one approved session running now and N enrolled trainees; gunicorn with 5
sync workers (README "Production deployment"); a warm-up, then Debian's `wrk` posts
`POST /api/v1/scan` for a different trainee (own bearer token and X-Device-Id) on every request,
for a fixed duration, with the QR token fetched from `GET /api/v1/sessions/{id}/qr`. The same load
then goes to bench/floor.py (one lookup and one insert per request, same gunicorn command).
Afterwards the rows are counted: `lost` = check-ins answered as done but not stored.

Run: `make bench` or `.venv/bin/python bench/checkin.py [--databases sqlite postgres] [--concurrency 16 64]`.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "checkin.lua"
SECRET = "bench-secret-key-0123456789abcdef"
WORKERS = 5

os.environ.setdefault("BASESYS_INSTANCE", tempfile.mkdtemp(prefix="basesys-bench-instance-"))


def free_port() -> int:
    from tests.pg import free_port as pick

    return pick()


# --- databases -----------------------------------------------------------------------------------


def seed_app(url: str, trainees: int, base_url: str) -> dict:
    """Schema from the models, one approved course with a session running now, N enrolled trainees."""
    from sqlalchemy import insert

    from basesys import create_app
    from basesys.accounts.models import Base, Bureau, Trainee, User
    from basesys.accounts.tokens import issue_token
    from basesys.courses.models import Course, CourseSession, Enrollment
    from basesys.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "BASE_URL": base_url})
    now = datetime.now(UTC)
    with app.app_context():
        db.create_all()
        bureau = Bureau(name="压测市人社局", level="city", created_at=now)
        db.session.add(bureau)
        db.session.flush()
        base = Base(name="压测基地", level="municipal", credit_code="BENCH0000000000001", bureau=bureau, created_at=now)
        db.session.add(base)
        db.session.flush()
        admin = User(username="bench_admin", password_hash="x", role="base_admin", base_id=base.id, created_at=now)
        course = Course(
            base=base,
            title="压测培训班",
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
        db.session.add_all([admin, course])
        db.session.flush()
        first_id = 1000
        ids = range(first_id, first_id + trainees)
        db.session.execute(
            insert(User),
            [
                dict(
                    id=i,
                    username=f"bench{i:09d}",
                    password_hash="x",
                    role="trainee",
                    display_name="",
                    active=True,
                    token_generation=0,
                    created_at=now,
                )
                for i in ids
            ],
        )
        db.session.execute(
            insert(Trainee),
            [
                dict(
                    id=i,
                    id_number=f"37040219800101{i:04d}"[-18:],
                    name=f"学员{i}",
                    gender="M",
                    birth_date=date(1980, 1, 1),
                    user_id=i,
                    fraud_flag=False,
                    fraud_note="",
                    created_at=now,
                )
                for i in ids
            ],
        )
        db.session.execute(
            insert(Enrollment),
            [dict(course_id=course.id, trainee_id=i, source="admin", created_at=now) for i in ids],
        )
        db.session.commit()
        creds = [f"{issue_token(SimpleNamespace(id=i, token_generation=0), now)[0]}\tbench-phone-{i}" for i in ids]
        admin_token = issue_token(admin, now)[0]
        session_id = course.sessions[0].id
        db.session.remove()
        db.engine.dispose()
    return {"creds": creds, "admin_token": admin_token, "session_id": session_id}


def count_app_rows(url: str, session_id: int) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM attendance WHERE session_id = :s"), {"s": session_id}).scalar()
    engine.dispose()
    return rows


def seed_floor(url: str, trainees: int) -> dict:
    from sqlalchemy import create_engine, insert

    from bench.floor import FloorTrainee, Model

    engine = create_engine(url)
    Model.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(FloorTrainee), [dict(id=i + 1, key=f"k{i:09d}") for i in range(trainees)])
    engine.dispose()
    return {"creds": [f"k{i:09d}\tbench-phone-{i}" for i in range(trainees)]}


def count_floor_rows(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM floor_checkin")).scalar()
    engine.dispose()
    return rows


# --- processes -----------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, target: str, env: dict, port: int, log: Path, options: list[str] | None = None):
        """`options`: gunicorn's other options (default `-w WORKERS`); bind, access log and target are ours."""
        self.port, self.log = port, log
        self.access_log = log.with_suffix(".access")
        options = ["-w", str(WORKERS)] if options is None else options
        command = [
            str(BIN / "gunicorn"), *options, "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
            "--access-logfile", str(self.access_log), "--access-logformat", "%(s)s %(m)s %(U)s", target,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout=60.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def answered(self, path: str) -> int:
        """Check-ins the server answered 2xx (read after stop: includes the ones wrk cut off)."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return sum(1 for line in lines if line.startswith("2") and line.endswith(f"POST {path}"))

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def wrk(port: int, creds_file: Path, first: int, path: str, body: str, concurrency: int, seconds: float) -> dict:
    command = [
        "wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(LUA),
        f"http://127.0.0.1:{port}", "--", str(creds_file), str(first), path, body,
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 120).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH_JSON "))
    return json.loads(line[len("BENCH_JSON ") :])


def fetch_qr_token(port: int, admin_token: str, session_id: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/sessions/{session_id}/qr?purpose=in",
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["token"]


# --- one measurement -----------------------------------------------------------------------------


def measure(kind: str, target: str, url: str, concurrency: int, args, workdir: Path, label: str) -> dict:
    port = free_port()
    creds_file = workdir / f"creds-{label}.tsv"
    if target == "app":
        seeded = seed_app(url, args.trainees, f"http://127.0.0.1:{port}")
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "BASE_URL": f"http://127.0.0.1:{port}",
            "BASESYS_SCHEDULER": "off",
        }
        server = Gunicorn("wsgi:app", env, port, workdir / f"gunicorn-{label}.log")
    else:
        seeded = seed_floor(url, args.trainees)
        env = {"FLOOR_DATABASE_URL": url}
        server = Gunicorn("bench.floor:app", env, port, workdir / f"gunicorn-{label}.log")
    creds_file.write_text("\n".join(seeded["creds"]) + "\n")
    try:
        server.wait_ready()
        if target == "app":
            path, body = (
                "/api/v1/scan",
                json.dumps({"token": fetch_qr_token(port, seeded["admin_token"], seeded["session_id"])}),
            )
        else:
            path, body = "/checkin", "{}"
        warm = wrk(port, creds_file, 0, path, body, concurrency, args.warmup)
        run = wrk(port, creds_file, warm["sent"] + concurrency, path, body, concurrency, args.duration)
        load = os.getloadavg()[0]  # the machine is shared: the 1-minute load average as the run ends
    finally:
        server.stop()
    rows = count_app_rows(url, seeded["session_id"]) if target == "app" else count_floor_rows(url)
    # Every trainee is used once (no overflow), so every 2xx answer is a new check-in. The server's
    # access log also counts the answers of requests still in flight when wrk stopped.
    server_answered = server.answered(path)
    errors = sum(run[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")) + run["non2xx"]
    errors += warm["non2xx"] + sum(warm[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "db": kind,
        "concurrency": concurrency,
        "target": target,
        "requests": run["requests"],
        "rps": run["requests"] / (run["duration_us"] / 1e6),
        "p50_ms": run["p50_us"] / 1000,
        "p99_ms": run["p99_us"] / 1000,
        "errors": errors,
        "lost": server_answered - rows,
        "stored": rows,
        "answered": server_answered,
        "answered_seen_by_wrk": warm["checked"] + run["checked"],
        "overflow": warm["overflow"] + run["overflow"],
        "load": load,
    }


def database_url(kind: str, name: str, workdir: Path, pg) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / (name + '.sqlite3')}"
    return pg.create_database(name)


def summarize(results: list[dict]) -> list[dict]:
    """Per database, concurrency and target: the medians of the repeats; errors and lost added up."""
    groups: dict[tuple, list[dict]] = {}
    for r in results:
        groups.setdefault((r["db"], r["concurrency"], r["target"]), []).append(r)
    rows = []
    for (kind, concurrency, target), runs in groups.items():
        rows.append(
            {
                "db": kind,
                "concurrency": concurrency,
                "target": target,
                "runs": len(runs),
                "rps": statistics.median(r["rps"] for r in runs),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
                "lost": sum(r["lost"] for r in runs),
                "stored": sum(r["stored"] for r in runs),
            }
        )
    return rows


def table(results: list[dict]) -> str:
    head = (
        "| database | concurrency | target | req/s | p50 ms | p99 ms | errors | lost "
        "| req/s ÷ floor | p99 ÷ floor | targets |"
    )
    lines = [head, "|" + "---|" * 11]
    rows = summarize(results)
    floors = {(r["db"], r["concurrency"]): r for r in rows if r["target"] == "floor"}
    for r in rows:
        floor = floors.get((r["db"], r["concurrency"]))
        ratio_rps = ratio_p99 = ""
        verdict = "0 errors, 0 lost: " + ("yes" if r["errors"] == 0 and r["lost"] == 0 else "NO")
        if r["target"] == "app" and floor:
            rr, rp = r["rps"] / floor["rps"], r["p99_ms"] / floor["p99_ms"]
            ratio_rps, ratio_p99 = f"{rr:.2f}", f"{rp:.2f}"
            met = r["errors"] == 0 and r["lost"] == 0 and rr >= 0.7 and rp <= 1.5
            verdict = "met" if met else "MISSED"
        lines.append(
            f"| {r['db']} | {r['concurrency']} | {r['target']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['errors']} | {r['lost']} | {ratio_rps} | {ratio_p99} | {verdict} |"
        )
    return "\n".join(lines)


def progress_line(r: dict) -> str:
    return (
        f"{r['db']:8} c={r['concurrency']:<3} {r['target']:5} {r['rps']:7.0f} req/s  p50 {r['p50_ms']:6.1f} ms"
        f"  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}  lost {r['lost']}  ({r['stored']} rows)"
        f"  load {r['load']:.2f}"
        + (f"  OVERFLOW {r['overflow']}: trainees scanned twice, raise --trainees" if r["overflow"] else "")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--concurrency", nargs="+", type=int, default=[16, 64])
    parser.add_argument("--trainees", type=int, default=15000, help="enrolled trainees (more than one run needs)")
    parser.add_argument("--duration", type=float, default=6.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per run (not measured)")
    parser.add_argument("--repeat", type=int, default=3, help="alternating floor/app runs; the table shows medians")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    return parser


def run(args, pg=None, progress=print) -> list[dict]:
    """Every measurement of `args`; `pg` a started tests/pg.py server when PostgreSQL is measured."""
    workdir = Path(tempfile.mkdtemp(prefix="basesys-bench-"))
    results = []
    for kind in args.databases:
        for concurrency in args.concurrency:
            # floor and app alternate, so a noisy neighbour on the machine hits both alike
            for repeat in range(args.repeat):
                for target in ("floor", "app"):
                    label = f"{kind}_{target}_{concurrency}_{repeat}"
                    url = database_url(kind, f"bench_{target}_{concurrency}_{repeat}", workdir, pg)
                    result = measure(kind, target, url, concurrency, args, workdir, label)
                    progress(progress_line(result))
                    results.append(result)
    shutil.rmtree(workdir, ignore_errors=True)
    return results


def report(results: list[dict], args) -> str:
    return (
        f"{os.cpu_count()} CPUs, gunicorn -w {WORKERS} (sync), wrk -t1, {args.duration:g} s measured per run, "
        f"medians of {args.repeat} alternating runs; 1-minute load average at the end of the runs "
        f"{min(r['load'] for r in results):.2f}–{max(r['load'] for r in results):.2f}\n" + table(results)
    )


def failed(results: list[dict]) -> list[dict]:
    return [r for r in results if r["errors"] or r["lost"] or r["overflow"]]


def main() -> int:
    args = build_parser().parse_args()
    if shutil.which("wrk") is None:
        print("bench needs Debian's wrk: scripts/sysdeps.sh wrk", file=sys.stderr)
        return 2
    pg = None
    try:
        if "postgres" in args.databases:
            from tests.pg import PostgresServer

            pg = PostgresServer().start()
        results = run(args, pg, progress=lambda line: print(line, flush=True))
    finally:
        if pg is not None:
            pg.stop()
    print()
    print(report(results, args))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if failed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
