"""bench/hall_burst.py: its account of answers against stored rows, and a tiny burst end to end.

No timing assertions: speed is bench/'s (bench/README.md). The tiny burst starts gunicorn as the
bench does, on an SQLite file in the SQLite pass and on its own throw-away PostgreSQL (tests/pg.py)
in the PostgreSQL pass, so it never touches the session's database.
"""

import os
from argparse import Namespace
from datetime import UTC, datetime, timedelta

from basesys.core.time import iso
from bench.hall_burst import Answer, account, arrival_times, measure, parse_phases, percentile, production_options

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def answered(trainee_id: int, status=200, result="checked_in", at=T0, device=None) -> Answer:
    return Answer(
        trainee_id, device or f"phone-{trainee_id}", 0.0, latency_ms=float(trainee_id), status=status,
        result=result, at=iso(at) if status == 200 else "",
    )  # fmt: skip


def test_account_tells_lost_duplicated_unanswered_and_mismatched_apart():
    answers = [
        answered(1),  # stored as answered
        answered(2),  # answered checked_in, nothing stored: lost
        answered(3, status=0),  # timed out, but stored: unanswered
        answered(4),  # stored twice: duplicated
        answered(5),  # stored with another phone: mismatched
        answered(6),  # stored a second later than answered: mismatched
        answered(7, status=500, result=""),  # an error, nothing stored
    ]
    rows = [
        (1, T0, "phone-1"),
        (3, T0, "phone-3"),
        (4, T0, "phone-4"),
        (4, T0, "phone-4"),
        (5, T0, "phone-x"),
        (6, T0 + timedelta(seconds=1), "phone-6"),
    ]
    got = account(answers, rows)
    assert (got["requests"], got["checked_in"], got["errors"]) == (7, 5, 2)
    assert (got["lost"], got["duplicated"], got["unanswered"], got["mismatched"]) == (1, 1, 1, 2)
    assert got["stored"] == 6 and got["max_ms"] == 7.0


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([5.0], 99) == 5.0


def test_arrivals_follow_the_phases():
    phases = parse_phases("0.5:60,1.5:140,8:300")
    times = arrival_times(phases, seed=1)
    assert len(times) == 500 and times == sorted(times)
    assert sum(t < 0.5 for t in times) == 60 and sum(t < 2 for t in times) == 200 and max(times) < 10


def test_gunicorn_options_are_the_web_units():
    options = production_options()
    assert "--workers" in options and "--bind" not in options and "wsgi:app" not in options


def test_a_tiny_burst_stores_every_scan_once(tmp_path):
    args = Namespace(trainees=12, warmup=2, seed=3, timeout=30.0, keep_answers=None)
    phases = [(0.3, 12)]
    if os.environ.get("BASESYS_TEST_DB") == "postgres":
        from tests.pg import PostgresServer

        server = PostgresServer().start()
        try:
            result = measure("postgres", server.create_database("hall_small"), args, tmp_path, "pg", phases)
        finally:
            server.stop()
    else:
        result = measure("sqlite", f"sqlite:///{tmp_path / 'hall.sqlite3'}", args, tmp_path, "sqlite", phases)
    assert (result["requests"], result["checked_in"], result["errors"], result["stored"]) == (12, 12, 0, 12)
    assert (result["lost"], result["duplicated"], result["unanswered"], result["mismatched"]) == (0, 0, 0, 0)
    assert (result["server_2xx"], result["metrics_checked_in"], result["refusals_logged"]) == (12, 12, 0)
