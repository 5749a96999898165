"""What operators watch: Prometheus metrics and one JSON log line per request with a request id.

Metrics (prometheus_client, the official exporter library): requests by endpoint, method and
status with a latency histogram; scans by result and refusal code; job runs by outcome; the
duration of course finalisations. `GET /metrics` answers only the addresses of
`METRICS_ALLOW_FROM` (Prometheus scrapes each app server directly, not through the proxy). Under
gunicorn with several workers set `PROMETHEUS_MULTIPROC_DIR` to an empty folder: every worker
writes its samples there and `/metrics` adds them up (prometheus_client's multiprocess mode).

Each request gets an id: a well-formed `X-Request-Id` from the proxy, else a new one. It is
answered in the `X-Request-Id` header, shown on error pages and in API 5xx bodies, and written in
the request's JSON log line, so a user's "错误编号" finds the line.
"""

import json
import logging
import os
import re
import time
import uuid

from flask import Blueprint, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

bp = Blueprint("observability", __name__)
access_log = logging.getLogger("basesys.requests")

REQUESTS = Counter("basesys_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "basesys_http_request_seconds",
    "Time to answer a request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SCANS = Counter("basesys_scans", "Check-in scans by result (refused: by refusal code)", ["result", "code"])
JOB_RUNS = Counter("basesys_job_runs", "Scheduled job runs by outcome", ["job", "outcome"])
FINALIZE_SECONDS = Histogram(
    "basesys_finalize_seconds", "Time to finalise one course", buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def count_scan(result: str, code: str = "") -> None:
    SCANS.labels(result=result, code=code).inc()


def count_job(job: str, ok: bool) -> None:
    JOB_RUNS.labels(job=job, outcome="ok" if ok else "error").inc()


def request_id() -> str:
    return getattr(g, "request_id", "")


@bp.get("/metrics")
def metrics():
    allowed = {a.strip() for a in str(current_app.config["METRICS_ALLOW_FROM"]).split(",") if a.strip()}
    if "*" not in allowed and request.remote_addr not in allowed:
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        data = generate_latest(registry)
    else:
        data = generate_latest()
    return Response(data, mimetype=CONTENT_TYPE_LATEST)


def init_app(app) -> None:
    @app.before_request
    def _start():
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        elapsed = time.perf_counter() - getattr(g, "request_started", time.perf_counter())
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(endpoint=endpoint, method=request.method, status=str(response.status_code)).inc()
        LATENCY.labels(endpoint=endpoint).observe(elapsed)
        response.headers["X-Request-Id"] = request_id()
        access_log.info(
            json.dumps(
                {
                    "request_id": request_id(),
                    "method": request.method,
                    "path": request.path,
                    "endpoint": endpoint,
                    "status": response.status_code,
                    "ms": round(elapsed * 1000, 1),
                    "remote_addr": request.remote_addr,
                    "user_id": _user_id(),
                },
                ensure_ascii=False,
            )
        )
        return response


def _user_id():
    user = getattr(g, "_login_user", None) or getattr(g, "api_actor", None)
    return getattr(user, "id", None)
