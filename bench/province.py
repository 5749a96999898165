"""The bureau at province scale (issue 11): every bureau page, list API, /me/*, verification, the
exports and finalising 5,000, on a generated province.

1. A throw-away PostgreSQL (as tests/pg.py starts it), the schema from the models (db.create_all),
   then the province of bench/province_data.py generated with set-based SQL at `--scale` (1.0 =
   the issue's province; 0.05 = 50 bases, 50 k trainees, 5 k courses...).
2. Each request through Flask's test client IN PROCESS (no gunicorn, no HTTP): pages logged in by
   POST /login, API calls with a bearer token. Per request: median wall time of 5 (1 for exports
   and finalisation), SQL statements (a `before_cursor_execute` listener on the app's engine), and
   peak Python memory (tracemalloc, in one extra run: it slows Python down, so it is never timed;
   finalisation: growth of the process's max RSS instead, it runs once).

Run: `.venv/bin/python bench/province.py [--scale 0.05] [--keep DIR] [--only audit]`.
"""

import argparse
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BASESYS_INSTANCE", tempfile.mkdtemp(prefix="basesys-province-instance-"))

from bench.province_data import (  # noqa: E402
    HISTORY_NAME,
    PASSWORD,
    SEARCH_TEXT,
    Sizes,
    accepted_month,
    counts,
    generate,
    reset_finalisation,
    roster_rows,
    valid_id_number,
)
from bench.province_report import Row, explain, progress_line, table  # noqa: E402
from tests.pg import PostgresServer  # noqa: E402

SECRET = "bench-secret-key-0123456789abcdef"


@dataclass
class Request:
    who: str
    label: str
    path: str
    method: str = "GET"
    api: bool = False
    once: bool = False  # slow: run once (exports, finalisation)
    destructive: bool = False  # finalisation: cannot be repeated, no memory run


def requests_for(sizes: Sizes, certificate: tuple[str, str]) -> list[Request]:
    start, end = accepted_month()
    history_id = valid_id_number(7)
    number, code = certificate
    officers = [
        Request(who, label, path, api=path.startswith("/api/"))
        for who in ("province", "city", "county")
        for label, path in (
            ("home", "/"),
            ("courses", "/bureau/courses"),
            ("courses, page 20", "/bureau/courses?page=20"),
            ("certificates", "/bureau/certificates"),
            ("courses, title search", "/bureau/courses?q=培训班100"),
            ("certificates, name search", f"/bureau/certificates?q={HISTORY_NAME}"),
            ("certificates, ID number search", f"/bureau/certificates?q={history_id}"),
            ("certificates, number search", f"/bureau/certificates?q={number}"),
            ("certificates, base filter", "/bureau/certificates?base=1"),
            ("certificates, page 20", "/bureau/certificates?page=20"),
            ("audit", "/bureau/audit"),
            ("audit, ID number search", f"/bureau/audit?q={history_id}"),
            ("audit, name search", f"/bureau/audit?q={HISTORY_NAME}"),
            ("audit, word search", "/bureau/audit?q=退回"),
            ("audit, page 20", "/bureau/audit?page=20"),
            ("anomalies", "/bureau/anomalies"),
            ("trends", "/bureau/trends"),
            ("trends, 2025", "/bureau/trends?year=2025"),
            ("filings approved", "/filing/?tab=approved"),
            ("filings submitted", "/filing/?tab=submitted"),
            ("roster inbox", "/rosters/inbox"),
            ("rosters inbox, every status", "/rosters/inbox?status="),
            ("API courses", "/api/v1/courses"),
            ("API filings approved", "/api/v1/filings?status=approved"),
            ("API filings submitted", "/api/v1/filings?status=submitted"),
            ("API rosters", "/api/v1/rosters"),
            ("API audit search", f"/api/v1/audit?q={history_id}"),
            ("API anomalies", "/api/v1/anomalies"),
        )
    ]
    month = f"start={start.isoformat()}&end={end.isoformat()}"
    roster = f"/api/v1/courses/{sizes.export_course}/roster"
    exports = [
        Request(who, label, path, api=True, once=True)
        for who, label, path in (
            ("province", "accepted rosters of a month, xlsx", f"/api/v1/rosters/accepted.xlsx?{month}"),
            ("province", "accepted rosters of a month, csv", f"/api/v1/rosters/accepted.csv?{month}"),
            ("admin", f"roster xlsx, {sizes.big} trainees", f"{roster}.xlsx"),
            ("admin", f"roster csv, {sizes.big} trainees", f"{roster}.csv"),
        )
    ]
    admin = [
        Request("admin", "home", "/"),
        Request("admin", "courses", "/courses"),
        Request("admin", "rosters", "/rosters"),
        Request("admin", "schedule", "/courses/schedule"),
        Request("admin", "API courses", "/api/v1/courses", api=True),
        Request("admin", "API rosters", "/api/v1/rosters", api=True),
    ]
    trainee = [
        Request("trainee", "home", "/"),
        Request("trainee", "hours page", "/me/hours"),
        Request("trainee", "certificates page", "/me/certificates"),
        Request("trainee", "my courses page", "/me/courses"),
        Request("trainee", "catalog", "/catalog"),
        Request("trainee", "API me/hours", "/api/v1/me/hours", api=True),
        Request("trainee", "API me/certificates", "/api/v1/me/certificates", api=True),
        # The first call of a year issues the statement (a write); the repeats answer the same one.
        Request("trainee", "API me/statements, 2025", "/api/v1/me/statements/2025", api=True),
        Request("anonymous", "verification page", f"/v/{number}?c={code}"),
        Request("anonymous", "API verification", f"/api/v1/certificates/{number}?code={code}", api=True),
    ]
    finalize = [
        Request(
            "admin", f"finalise, {sizes.big} trainees", f"/api/v1/courses/{sizes.finalize_course}/finalize",
            method="POST", api=True, once=True, destructive=True,
        )
    ]  # fmt: skip
    return officers + admin + trainee + exports + finalize


class Server(PostgresServer):
    """tests/pg.py's server, optionally in a kept directory (--keep) that a later run starts again."""

    def __init__(self, keep: Path | None):
        super().__init__()
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            self.root, self.data = keep, keep / "data"
        self.keep = keep

    @property
    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def start(self):
        if not self.exists:
            return super().start()
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c timezone=UTC"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start")  # fmt: skip
        return self

    def stop(self) -> None:
        if self.keep is None:
            return super().stop()
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


class Clients:
    """A logged-in test client per person (pages) and a bearer header per person (API)."""

    USERNAMES = {"province": "province", "city": "city", "county": "county", "admin": "admin1"}

    def __init__(self, app):
        from basesys.accounts.models import User
        from basesys.accounts.tokens import issue_token
        from basesys.core.time import now_utc
        from basesys.extensions import db

        self.app, self.clients, self.headers = app, {}, {}
        usernames = {**self.USERNAMES, "trainee": valid_id_number(7)}
        with app.app_context():
            for who, username in usernames.items():
                user = db.session.scalar(db.select(User).where(User.username == username))
                self.headers[who] = {"Authorization": f"Bearer {issue_token(user, now_utc())[0]}"}
                client = app.test_client()
                response = client.post("/login", data={"username": username, "password": PASSWORD})
                if response.status_code != 302:
                    raise RuntimeError(f"login of {who} answered {response.status_code}")
                self.clients[who] = client
            db.session.remove()
        self.clients["anonymous"], self.headers["anonymous"] = app.test_client(), {}

    def send(self, request: Request):
        client = self.clients[request.who]
        headers = self.headers[request.who] if request.api else {}
        response = client.open(
            request.path, method=request.method, headers=headers, json={} if request.method == "POST" else None
        )
        body = response.get_data()  # streamed answers are read to the end
        response.close()
        return response.status_code, len(body)


def measure(app, sizes: Sizes, certificate, only: str = "", repeat: int = 5, log=print) -> list[Row]:
    from sqlalchemy import event

    from basesys.extensions import db

    clients = Clients(app)
    with app.app_context():
        engine = db.engine
    counter = {"n": 0, "ms": 0.0, "slowest": (0.0, "", None), "started": 0.0}

    def count(_conn, _cursor, _statement, _parameters, _context, _many):
        counter["n"] += 1
        counter["started"] = time.perf_counter()

    def timed(_conn, _cursor, statement, parameters, _context, many):
        ms = (time.perf_counter() - counter["started"]) * 1000
        counter["ms"] += ms
        if ms > counter["slowest"][0] and not many:
            counter["slowest"] = (ms, statement, parameters)

    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "after_cursor_execute", timed)
    rows = []
    try:
        for request in requests_for(sizes, certificate):
            if only and only not in f"{request.who} {request.label} {request.path}":
                continue
            row = Row(request.who, request.label, request.path)
            runs = 1 if request.once else repeat
            for _ in range(runs):
                counter.update(n=0, ms=0.0, slowest=(0.0, "", None))
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                started = time.perf_counter()
                status, size = clients.send(request)
                row.times_ms.append((time.perf_counter() - started) * 1000)
                row.status.append(status)
                row.statements, row.size_kb = counter["n"], size / 1024
                row.sql_ms, row.slowest = counter["ms"], counter["slowest"]
                if request.destructive:
                    row.memory_kind = "rss"
                    row.peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
            if not request.destructive:
                tracemalloc.start()
                status, _ = clients.send(request)
                row.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
                row.status.append(status)
            log(progress_line(row))
            rows.append(row)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "after_cursor_execute", timed)
    return rows


def make_app(url: str):
    from basesys import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET,
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://bench.local",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    logging.getLogger("basesys").setLevel(logging.WARNING)  # no request log lines between the figures
    return app


def build(url: str, sizes: Sizes, log=print) -> float:
    """Schema from the models, then the province; returns the seconds the generation took."""
    from werkzeug.security import generate_password_hash

    from basesys.extensions import db

    app = make_app(url)
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        password_hash = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")  # hashed once
        with db.engine.connect() as connection:
            generate(connection, sizes, password_hash, log=log)
            took = time.perf_counter() - started
            found = counts(connection)
            found["roster rows"] = roster_rows(connection)
        db.engine.dispose()
    log("  " + ", ".join(f"{k} {v:,}" for k, v in found.items()))
    return took


# Columns whose values the generator computes: filled when upgrade() adds them to a kept province.
BACKFILL = {("course", "search_text"): f"UPDATE course SET search_text = {SEARCH_TEXT}"}


def upgrade(app) -> None:
    """A kept province generated by older models gets the tables, columns and indexes added since
    (the data of a new table is not generated: regenerate for that; a new column gets its model's
    scalar default, or NULL), and fresh planner statistics."""
    from sqlalchemy import inspect, literal, text

    from basesys.extensions import db

    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            dialect = connection.dialect
            for table in db.metadata.sorted_tables:
                present = {c["name"] for c in inspect(connection).get_columns(table.name)}
                for column in table.columns:
                    if column.name in present:
                        continue
                    sql = f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.type.compile(dialect)}"
                    if column.default is not None and column.default.is_scalar:
                        value = literal(column.default.arg, column.type).compile(
                            dialect=dialect, compile_kwargs={"literal_binds": True}
                        )
                        sql += f" NOT NULL DEFAULT {value}"
                    connection.execute(text(sql))
                    if (table.name, column.name) in BACKFILL:
                        connection.execute(text(BACKFILL[table.name, column.name]))
                    print(f"  added {table.name}.{column.name}")
            for table in db.metadata.sorted_tables:
                for index in table.indexes:
                    index.create(connection, checkfirst=True)
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))  # committed: generations before 4b871f1 rolled theirs back
        db.engine.dispose()


def reset(app, sizes: Sizes) -> None:
    from basesys.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        reset_finalisation(connection, sizes)


def a_certificate(app, sizes: Sizes) -> tuple[str, str]:
    """The number and check code of one of the history trainee's certificates."""
    from basesys.certificates.models import Certificate
    from basesys.extensions import db

    with app.app_context():
        row = db.session.execute(
            db.select(Certificate.number, Certificate.check_code)
            .where(Certificate.trainee_id == sizes.history)
            .limit(1)
        ).one()
        db.session.remove()
    return row.number, row.check_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="1.0 = the issue's province")
    parser.add_argument("--database", choices=["postgres"], default="postgres", help="PostgreSQL only (see README)")
    parser.add_argument("--keep", type=Path, help="keep the PostgreSQL data directory here and reuse it next time")
    parser.add_argument("--only", default="", help="measure only requests whose person, label or path contain this")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", type=int, default=3, help="EXPLAIN ANALYZE the slowest statement of N requests")
    args = parser.parse_args()
    sizes = Sizes.at(args.scale)
    pg = Server(args.keep)
    reuse = pg.exists
    pg.start()
    try:
        url = pg.url("province")
        if reuse:
            print(f"reusing the province in {args.keep}")
        else:
            pg.create_database("province")
            print(f"generating the province at scale {args.scale:g}: {sizes}")
            took = build(url, sizes)
            print(f"generated in {took:.1f} s")
        app = make_app(url)
        if reuse:
            upgrade(app)
        reset(app, sizes)
        certificate = a_certificate(app, sizes)
        rows = measure(app, sizes, certificate, only=args.only, repeat=args.repeat)
        plans = explain(app, [r for r in rows if "finalise" not in r.label], args.explain) if args.explain else ""
    finally:
        pg.stop()
    print()
    print(
        f"scale {args.scale:g}, PostgreSQL, in process (Flask test client), {os.cpu_count()} CPUs; "
        f"median of {args.repeat} (1 for exports and finalisation); SQL = statements counted by "
        "before_cursor_execute; peak MB = tracemalloc peak of one extra run"
    )
    print(table(rows))
    print()
    print(plans)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
