"""Hall burst (issue 12): 500 enrolled trainees scan ONE session's projector code within 10 s.

For each database (an SQLite file in WAL mode, a throw-away PostgreSQL started as tests/pg.py
does): a fresh database with one approved session running now and 500 enrolled trainees, a bearer
token per trainee issued before the burst; the app under gunicorn as in production (the options of
deploy/systemd/basesys-web@.service, the environment of deploy/basesys.env: BASESYS_SCHEDULER=off,
multi-process metrics). A few warm-up scans go to another course's session first, then the burst:
every trainee posts `POST /api/v1/scan {"token": <the projector's QR token>}` once, each with their
own `Authorization` and `X-Device-Id`, on a new connection (one phone each), at a precomputed
arrival time (open loop: a slow answer delays nobody else's scan). Default arrivals: 60 in the
first 0.5 s, 140 more by 2 s, 300 over the remaining 8 s, uniformly at random within each phase.

The client is Python asyncio, not wrk: wrk keeps a fixed number of connections busy (closed loop)
and reports aggregates, while this bench needs an arrival schedule and an exact account of each
request (status, body, latency). Afterwards the stored rows are compared with the answers: `lost`
= answered checked_in but no check-in stored; `duplicated` = rows beyond one per trainee and
session; `unanswered` = a check-in stored for a trainee whose request failed; `mismatched` = a
stored check-in whose phone or time differs from what its answer said.

Then, in the same run, bench/checkin.py's floor comparison (`--no-floor` skips it).

Run: `make bench`, or `.venv/bin/python bench/hall_burst.py [--databases sqlite postgres] [--repeat 3]
[--floor-args "--repeat 1"]`. Exit status 1 if any scan failed, was lost or duplicated.
"""

import argparse
import asyncio
import json
import math
import os
import random
import re
import shlex
import shutil
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import checkin  # noqa: E402
from bench.checkin import SECRET, Gunicorn, database_url, fetch_qr_token, free_port, seed_app  # noqa: E402

UNIT = ROOT / "deploy" / "systemd" / "basesys-web@.service"
ENV_FILE = ROOT / "deploy" / "basesys.env"
SCAN_PATH = "/api/v1/scan"
P99_TARGET_MS = 1000.0


# --- production's gunicorn command and environment -----------------------------------------------


def production_options(unit: Path = UNIT) -> list[str]:
    """gunicorn's options from the web unit's ExecStart, less bind, access log and the app (ours)."""
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    words = shlex.split(line.removeprefix("ExecStart="))
    words = words[1:]  # the gunicorn binary
    options, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in ("--bind", "-b", "--access-logfile"):
            skip = True
        elif word != "wsgi:app":
            options.append(word)
    return options


def production_env(url: str, port: int, instance: Path, env_file: Path = ENV_FILE) -> dict:
    """deploy/basesys.env with this machine's database, key, address and folders in place of its placeholders."""
    env = {}
    for line in env_file.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    metrics = instance / "metrics"
    metrics.mkdir(parents=True, exist_ok=True)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        BASE_URL=f"http://127.0.0.1:{port}",
        BASESYS_INSTANCE=str(instance),
        SIGNING_KEY_PATH=str(instance / "signing_key.pem"),
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
    )
    if env.get("BASESYS_SCHEDULER") != "off":
        raise RuntimeError(f"{env_file} no longer sets BASESYS_SCHEDULER=off: the bench expects web processes only")
    return env


# --- the hall ------------------------------------------------------------------------------------


def seed_hall(url: str, trainees: int, warmup: int, base_url: str) -> dict:
    """bench/checkin.py's base with `trainees` enrolled in the hall's session and `warmup` others in a
    second course running now (their scans warm the workers without touching the hall's session)."""
    from basesys import create_app
    from basesys.courses.models import Course, CourseSession, Enrollment
    from basesys.extensions import db

    seeded = seed_app(url, trainees + warmup, base_url)
    creds = [tuple(line.split("\t")) for line in seeded["creds"]]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "BASE_URL": base_url})
    now = datetime.now(UTC)
    with app.app_context():
        hall = db.session.get(CourseSession, seeded["session_id"])
        other = Course(
            base_id=hall.course.base_id,
            title="预热培训班",
            category="professional",
            kind="course",
            attendance_mode="in_out",
            filing_status="approved",
            filing_number="备2025-0001-0009",
            planned_days=1,
            planned_hours=4,
            created_at=now,
            updated_at=now,
        )
        other.sessions.append(CourseSession(starts_at=hall.starts_at, ends_at=hall.ends_at, credit_hours=4))
        db.session.add(other)
        db.session.flush()
        ids = [1000 + trainees + k for k in range(warmup)]  # seed_app's trainee ids start at 1000
        if ids:
            db.session.execute(db.update(Enrollment).where(Enrollment.trainee_id.in_(ids)).values(course_id=other.id))
        warm_session_id = other.sessions[0].id
        enrolled = db.session.scalar(
            db.select(db.func.count()).select_from(Enrollment).where(Enrollment.course_id == hall.course_id)
        )
        if enrolled != trainees:
            raise RuntimeError(f"the hall's course has {enrolled} enrolments, not {trainees}: seed_app changed")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {
        "hall": [(1000 + k, *creds[k]) for k in range(trainees)],  # (trainee id, bearer, device)
        "warm": [(1000 + trainees + k, *creds[trainees + k]) for k in range(warmup)],
        "session_id": seeded["session_id"],
        "warm_session_id": warm_session_id,
        "admin_token": seeded["admin_token"],
    }


def arrival_times(phases: list[tuple[float, int]], seed: int) -> list[float]:
    """Seconds after the start of the burst: per (seconds, count) phase, `count` uniform random instants."""
    rng = random.Random(seed)
    times, start = [], 0.0
    for seconds, count in phases:
        times += sorted(start + rng.uniform(0, seconds) for _ in range(count))
        start += seconds
    return times


def parse_phases(text: str) -> list[tuple[float, int]]:
    phases = []
    for part in text.split(","):
        seconds, count = part.split(":")
        phases.append((float(seconds), int(count)))
    return phases


# --- the client ----------------------------------------------------------------------------------


@dataclass
class Answer:
    trainee_id: int
    device: str
    due: float  # seconds after the burst's start
    lag_ms: float = 0.0  # how late the client sent it (its own scheduling)
    latency_ms: float = 0.0  # connect + request + the whole answer
    status: int = 0  # 0: socket error or timeout
    result: str = ""
    at: str = ""
    error: str = ""

    @property
    def checked_in(self) -> bool:
        return 200 <= self.status < 300 and self.result == "checked_in"


def scan_request(port: int, bearer: str, device: str, body: bytes) -> bytes:
    head = (
        f"POST {SCAN_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {bearer}\r\n"
        f"X-Device-Id: {device}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def parse_response(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        data, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            data, rest = data + rest[:size], rest[size + 2 :]
        body = data
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {}


async def one_scan(answer: Answer, start: float, port: int, request: bytes, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start + answer.due - loop.time()))
    sent = loop.time()
    answer.lag_ms = (sent - start - answer.due) * 1000
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            raw = await reader.read()  # Connection: close — the answer ends at EOF
        answer.latency_ms = (loop.time() - sent) * 1000
        answer.status, body = parse_response(raw)
        answer.result, answer.at = str(body.get("result", "")), str(body.get("at", ""))
        if not 200 <= answer.status < 300:
            answer.error = str((body.get("error") or {}).get("code", "")) or f"HTTP {answer.status}"
    except TimeoutError:
        answer.latency_ms, answer.error = (loop.time() - sent) * 1000, "timeout"
    except (OSError, ValueError, IndexError) as error:
        answer.latency_ms, answer.error = (loop.time() - sent) * 1000, repr(error)
    finally:
        if writer is not None:
            writer.close()


async def _burst(port: int, people: list[tuple], times: list[float], token: str, timeout: float) -> list[Answer]:
    body = json.dumps({"token": token}).encode()
    answers = [Answer(tid, device, due) for (tid, _bearer, device), due in zip(people, times, strict=True)]
    requests = [scan_request(port, bearer, device, body) for _tid, bearer, device in people]
    start = asyncio.get_running_loop().time() + 0.05
    await asyncio.gather(*(one_scan(a, start, port, r, timeout) for a, r in zip(answers, requests, strict=True)))
    return answers


def burst(port: int, people: list[tuple], times: list[float], token: str, timeout: float) -> list[Answer]:
    return asyncio.run(_burst(port, people, times, token, timeout))


# --- the account ---------------------------------------------------------------------------------


def stored_check_ins(url: str, session_id: int) -> list[tuple]:
    """(trainee id, check-in time, check-in device) of every attendance row of the session."""
    from sqlalchemy import create_engine, select

    from basesys.attendance.models import Attendance

    table = Attendance.__table__
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.trainee_id, table.c.check_in_at, table.c.check_in_device).where(
                table.c.session_id == session_id
            )
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def refusals_logged(url: str, session_id: int) -> int:
    from sqlalchemy import create_engine, func, select

    from basesys.attendance.models import ScanRefusal

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(ScanRefusal).where(ScanRefusal.session_id == session_id)
        ).scalar()
    engine.dispose()
    return count


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else 0.0


def account(answers: list[Answer], rows: list[tuple]) -> dict:
    by_trainee: dict[int, list[tuple]] = {}
    for trainee_id, at, device in rows:
        by_trainee.setdefault(trainee_id, []).append((at, device))
    lost = duplicated = unanswered = mismatched = 0
    for a in answers:
        stored = [r for r in by_trainee.get(a.trainee_id, []) if r[0] is not None]
        if a.checked_in and not stored:
            lost += 1
        if not a.checked_in and stored:
            unanswered += 1
        if a.checked_in and stored:
            at, device = stored[0]
            if device != a.device or abs((datetime.fromisoformat(a.at) - at).total_seconds()) >= 1e-3:
                mismatched += 1
    duplicated = sum(len(v) - 1 for v in by_trainee.values() if len(v) > 1)
    latencies = [a.latency_ms for a in answers]
    errors = [a for a in answers if not 200 <= a.status < 300]
    return {
        "requests": len(answers),
        "checked_in": sum(a.checked_in for a in answers),
        "other_2xx": sum(1 for a in answers if 200 <= a.status < 300 and not a.checked_in),
        "errors": len(errors),
        "error_kinds": sorted({a.error for a in errors}),
        "stored": sum(1 for v in by_trainee.values() for r in v if r[0] is not None),
        "rows": len(rows),
        "lost": lost,
        "duplicated": duplicated,
        "unanswered": unanswered,
        "mismatched": mismatched,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=0.0),
        "max_lag_ms": max((a.lag_ms for a in answers), default=0.0),
    }


def phase_p99(answers: list[Answer], phases: list[tuple[float, int]]) -> list[tuple[str, int, float]]:
    out, start = [], 0.0
    for seconds, _count in phases:
        inside = [a.latency_ms for a in answers if start <= a.due < start + seconds]
        out.append((f"{start:g}–{start + seconds:g} s", len(inside), percentile(inside, 99)))
        start += seconds
    return out


def scans_counted(port: int) -> dict[str, float]:
    """The servers' own count of scans by result (GET /metrics, added up over the workers)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    counted: dict[str, float] = {}
    for match in re.finditer(r"^basesys_scans_total\{([^}]*)\} ([0-9.e+]+)$", text, re.M):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        key = labels.get("result", "") + (f":{labels['code']}" if labels.get("code") else "")
        counted[key] = counted.get(key, 0.0) + float(match.group(2))
    return counted


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


# --- one run -------------------------------------------------------------------------------------


def measure(kind: str, url: str, args, workdir: Path, label: str, phases) -> dict:
    port = free_port()
    seeded = seed_hall(url, args.trainees, args.warmup, f"http://127.0.0.1:{port}")
    env = production_env(url, port, workdir / f"instance-{label}")
    options = production_options()
    server = Gunicorn("wsgi:app", env, port, workdir / f"gunicorn-{label}.log", options=options)
    times = arrival_times(phases, args.seed)
    try:
        server.wait_ready()
        if seeded["warm"]:
            warm_token = fetch_qr_token(port, seeded["admin_token"], seeded["warm_session_id"])
            spread = [0.02 * k for k in range(len(seeded["warm"]))]
            warm = burst(port, seeded["warm"], spread, warm_token, args.timeout)
            bad = [a for a in warm if not a.checked_in]
            if bad:
                raise RuntimeError(f"warm-up scans failed: {[(a.status, a.error) for a in bad[:5]]}; see {server.log}")
        # The projector's code as shown when the burst starts: good for at least one more QR period.
        token = fetch_qr_token(port, seeded["admin_token"], seeded["session_id"])
        load_before = load_average()
        answers = burst(port, seeded["hall"], times, token, args.timeout)
        load_after = load_average()
        counted = scans_counted(port)
    finally:
        server.stop()
    rows = stored_check_ins(url, seeded["session_id"])
    result = account(answers, rows)
    result.update(
        db=kind,
        label=label,
        workers=options,
        load_before=load_before,
        load_after=load_after,
        phases=phase_p99(answers, phases),
        refusals_logged=refusals_logged(url, seeded["session_id"]),
        server_2xx=server.answered(SCAN_PATH) - len(seeded["warm"]),
        metrics_checked_in=counted.get("checked_in", 0.0) - len(seeded["warm"]),
        burst_seconds=max(times) if times else 0.0,
    )
    if args.keep_answers:
        (args.keep_answers / f"{label}.json").write_text(json.dumps([a.__dict__ for a in answers], indent=1))
    return result


def met(r: dict, trainees: int) -> bool:
    return (
        r["errors"] == 0
        and r["lost"] == 0
        and r["duplicated"] == 0
        and r["unanswered"] == 0
        and r["mismatched"] == 0
        and r["checked_in"] == trainees
        and r["p99_ms"] <= P99_TARGET_MS
    )


def table(results: list[dict], trainees: int) -> str:
    out = []
    for kind in dict.fromkeys(r["db"] for r in results):
        out += [
            f"{kind}:",
            "| run | requests | 2xx checked_in | errors | rows stored | lost | duplicated | p50 ms | p95 ms "
            "| p99 ms | max ms | load 1/5/15 min (start → end) | target |",
            "|" + "---|" * 13,
        ]
        for n, r in enumerate((r for r in results if r["db"] == kind), 1):
            out.append(
                f"| {n} | {r['requests']} | {r['checked_in']} | {r['errors']} | {r['stored']} | {r['lost']} "
                f"| {r['duplicated']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} "
                f"| {r['load_before']} → {r['load_after']} | {'met' if met(r, trainees) else 'MISSED'} |"
            )
        out.append("")
    return "\n".join(out)


def progress_line(r: dict) -> str:
    phases = ", ".join(f"{name}: {n} scans p99 {p99:.0f} ms" for name, n, p99 in r["phases"])
    return (
        f"{r['db']:8} {r['checked_in']}/{r['requests']} checked in, errors {r['errors']}"
        + (f" {r['error_kinds']}" if r["errors"] else "")
        + f", rows {r['stored']}, lost {r['lost']}, duplicated {r['duplicated']}, unanswered {r['unanswered']}, "
        f"mismatched {r['mismatched']}, refusals logged {r['refusals_logged']}, server 2xx {r['server_2xx']}, "
        f"metrics checked_in {r['metrics_checked_in']:.0f}; p50 {r['p50_ms']:.0f} / p99 {r['p99_ms']:.0f} "
        f"/ max {r['max_ms']:.0f} ms; client lag max {r['max_lag_ms']:.1f} ms; load {r['load_before']} "
        f"→ {r['load_after']}\n         {phases}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--trainees", type=int, default=500, help="enrolled trainees, each scans once")
    parser.add_argument(
        "--phases",
        default="0.5:60,1.5:140,8:300",
        help="arrivals as seconds:count,…: 60 in the first 0.5 s, 140 by 2 s, 300 over 8 s (add up to --trainees)",
    )
    parser.add_argument("--seed", type=int, default=12, help="seed of the arrival times")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up scans in another session first")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a scan counts as a timeout")
    parser.add_argument("--repeat", type=int, default=3, help="bursts per database, each on a fresh database")
    parser.add_argument("--no-floor", action="store_true", help="skip bench/checkin.py's floor comparison")
    parser.add_argument("--floor-args", default="", help='bench/checkin.py\'s options, e.g. "--repeat 1"')
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep-answers", type=Path, help="write every run's per-request answers here (a folder)")
    args = parser.parse_args()
    phases = parse_phases(args.phases)
    if sum(count for _s, count in phases) != args.trainees:
        parser.error(f"--phases add up to {sum(c for _s, c in phases)} scans, --trainees is {args.trainees}")
    floor_args = checkin.build_parser().parse_args(shlex.split(args.floor_args))
    if "--databases" not in shlex.split(args.floor_args):
        floor_args.databases = args.databases  # the floor comparison measures the bursts' databases
    if not args.no_floor and shutil.which("wrk") is None:
        print("the floor comparison needs Debian's wrk: scripts/sysdeps.sh wrk", file=sys.stderr)
        return 2
    if args.keep_answers:
        args.keep_answers.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="basesys-hall-"))
    pg = None
    results, floor = [], []
    try:
        if "postgres" in args.databases or (not args.no_floor and "postgres" in floor_args.databases):
            from tests.pg import PostgresServer

            pg = PostgresServer().start()
        for kind in args.databases:
            for repeat in range(args.repeat):
                label = f"{kind}_hall_{repeat}"
                result = measure(kind, database_url(kind, label, workdir, pg), args, workdir, label, phases)
                print(progress_line(result), flush=True)
                results.append(result)
        if not args.no_floor:
            print("\nbench/checkin.py, floor comparison:", flush=True)
            floor = checkin.run(floor_args, pg, progress=lambda line: print(line, flush=True))
    finally:
        if pg is not None:
            pg.stop()
    cpus = os.cpu_count()
    print()
    print(
        f"Hall burst: {args.trainees} trainees, one session, arrivals {args.phases} (s:count), one connection "
        f"per scan; gunicorn {' '.join(production_options())} (deploy/systemd), {args.warmup} warm-up scans; "
        f"{cpus} CPUs; {datetime.now(UTC).astimezone().isoformat(timespec='minutes')}; "
        f"p99 target {P99_TARGET_MS:.0f} ms"
    )
    print(table(results, args.trainees))
    if floor:
        print(checkin.report(floor, floor_args))
        print(f"load average at the end: {load_average()}")
    if args.json:
        args.json.write_text(json.dumps({"hall": results, "floor": floor}, indent=2, default=str))
    shutil.rmtree(workdir, ignore_errors=True)
    wrong = [r for r in results if r["errors"] or r["lost"] or r["duplicated"] or r["unanswered"] or r["mismatched"]]
    return 1 if wrong or checkin.failed(floor) else 0


if __name__ == "__main__":
    started = time.time()
    code = main()
    print(f"({time.time() - started:.0f} s)")
    sys.exit(code)
