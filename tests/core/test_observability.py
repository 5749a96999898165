"""Metrics, request ids and the per-request JSON log line (core/observability.py)."""

import json
import logging

import pytest
from flask import Blueprint

from basesys import create_app
from basesys.core.observability import SCANS
from tests.conftest import _INSTANCE, at


def _sample(text: str, name: str, **labels) -> float:
    """The value of one sample of the Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))  # the exporter sorts labels
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_every_answer_carries_a_request_id_and_a_json_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="basesys.requests"):
        response = client.get("/login", headers={"X-Request-Id": "probe-0123456789"})
    assert response.headers["X-Request-Id"] == "probe-0123456789"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "basesys.requests"]
    assert lines[-1]["request_id"] == "probe-0123456789"
    assert lines[-1] | {"ms": 0} == lines[-1] | {
        "method": "GET",
        "path": "/login",
        "endpoint": "accounts.login",
        "status": 200,
        "ms": 0,
    }


@pytest.mark.parametrize("given", ["short", "x" * 65, "a b c d e f g h", "<script>alert(1)</script>"])
def test_a_malformed_request_id_is_replaced(client, given):
    answered = client.get("/login", headers={"X-Request-Id": given}).headers["X-Request-Id"]
    assert answered != given and len(answered) == 32


def test_metrics_count_requests_and_scans_for_allowed_addresses_only(client, app, tenants, api_headers):
    client.get("/login")
    refused = SCANS.labels(result="refused", code="token_invalid")
    before = refused._value.get()
    client.post("/api/v1/scan", json={"token": "not-a-token"})  # 401: no scan happened
    assert refused._value.get() == before
    answer = client.post("/api/v1/scan", json={"token": "not-a-token"}, headers=api_headers(tenants.trainee))
    assert answer.status_code == 422 and refused._value.get() == before + 1
    text = client.get("/metrics").get_data(as_text=True)
    assert _sample(text, "basesys_http_requests_total", endpoint="accounts.login", method="GET", status="200") >= 1
    assert _sample(text, "basesys_scans_total", result="refused", code="token_invalid") >= 1
    assert "basesys_http_request_seconds_bucket" in text and "# HELP basesys_job_runs_total" in text
    app.config["METRICS_ALLOW_FROM"] = "10.9.9.9"
    try:
        assert client.get("/metrics").status_code == 404
    finally:
        app.config["METRICS_ALLOW_FROM"] = "127.0.0.1,::1"


def test_an_error_page_and_an_api_500_name_the_request(database_url):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False, "INSTANCE_DIR": _INSTANCE, "BASE_URL": "http://t"}
    )
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def page():
        raise RuntimeError("kaputt")

    @boom.get("/api/v1/boom")
    def api():
        raise RuntimeError("kaputt")

    app.register_blueprint(boom)
    client = app.test_client()
    page_answer = client.get("/boom", headers={"X-Request-Id": "page-0123456789"})
    assert page_answer.status_code == 500 and "page-0123456789" in page_answer.get_data(as_text=True)
    api_answer = client.get("/api/v1/boom", headers={"X-Request-Id": "api-0123456789"})
    assert api_answer.status_code == 500
    assert api_answer.get_json()["error"] == {
        "code": "internal_error",
        "message": api_answer.get_json()["error"]["message"],
        "request_id": "api-0123456789",
    }


def test_a_finalisation_is_timed(client, tenants, make_course, api_headers, clock):
    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
    clock.set(at("2025-05-21", "09:00"))
    before = _sample(client.get("/metrics").get_data(as_text=True), "basesys_finalize_seconds_count")
    answer = client.post(f"/api/v1/courses/{course.id}/finalize", headers=api_headers(tenants.admin_a))
    assert answer.status_code == 200, answer.get_json()
    after = _sample(client.get("/metrics").get_data(as_text=True), "basesys_finalize_seconds_count")
    assert after == before + 1
