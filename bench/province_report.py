"""The printed figures of bench/province.py: the table, the verdicts against issue 11's targets,
and EXPLAIN (ANALYZE) of the slowest requests' slowest statement."""

import statistics
from dataclasses import dataclass, field

from basesys.extensions import db

TARGET_MS = {"province": 300, "city": 300, "county": 100}


@dataclass
class Row:
    who: str
    label: str
    path: str
    status: list[int] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)
    statements: int = 0
    peak_mb: float = 0.0
    memory_kind: str = "py"
    size_kb: float = 0.0
    sql_ms: float = 0.0  # time in the database driver, last timed run
    slowest: tuple = (0.0, "", None)  # (ms, statement, parameters) of the last timed run

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")

    @property
    def ok(self) -> bool:
        return bool(self.status) and all(200 <= s < 300 for s in self.status)


def scope_of(who: str) -> str:
    return who if who in TARGET_MS else ("county" if who == "admin" else "")


def verdict(row: Row) -> str:
    if not row.ok:
        return "ERROR " + ",".join(str(s) for s in sorted(set(row.status)))
    if "finalise" in row.label:
        return "met" if row.median_ms <= 3000 else "MISSED (3 s)"
    if "xlsx" in row.label or "csv" in row.label:
        return ""  # exports: linear and in constant memory (compare scales), no time target
    target = TARGET_MS.get(scope_of(row.who), 100)
    return "met" if row.median_ms <= target else f"MISSED ({target} ms)"


def progress_line(row: Row) -> str:
    return (
        f"{row.who:9} {row.label:36} {row.median_ms:9.1f} ms  {row.statements:5} SQL  "
        f"{row.peak_mb:7.1f} MB {row.memory_kind}  {row.size_kb:9.1f} kB  {verdict(row)}"
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| as | request | path | median ms | runs | SQL statements | SQL ms | slowest SQL ms | peak MB | answer kB "
        "| target |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        memory = f"{r.peak_mb:.1f}" + (" (ΔmaxRSS)" if r.memory_kind == "rss" else "")
        lines.append(
            f"| {r.who} | {r.label} | `{r.path}` | {r.median_ms:.0f} | {len(r.times_ms)} | {r.statements} | "
            f"{r.sql_ms:.0f} | {r.slowest[0]:.0f} | "
            f"{memory} | {r.size_kb:.0f} | {verdict(r)} |"
        )
    return "\n".join(lines)


def explain(app, rows: list[Row], how_many: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of the slowest requests."""
    out = []
    slow = sorted((r for r in rows if r.slowest[1]), key=lambda r: r.median_ms, reverse=True)[:how_many]
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for r in slow:
                ms, statement, parameters = r.slowest
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plan = "\n".join(line for (line,) in cursor.fetchall())
                out.append(f"### {r.who}: {r.label} ({r.median_ms:.0f} ms; slowest statement {ms:.0f} ms)\n")
                out.append(f"```sql\n{statement.strip()}\n```\n```\n{plan}\n```\n")
            raw.rollback()
        finally:
            raw.close()
    return "\n".join(out)
