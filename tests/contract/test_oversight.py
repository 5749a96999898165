"""API.md "Oversight and audit", the anomaly rows: every documented field, status and error code.

The finding is produced as DOMAIN §14 says: two trainees check in with one phone (X-Device-Id) in
two sessions of one local date through the scan API, and the scheduled detection runs."""

import pytest

from basesys.extensions import db
from basesys.oversight.jobs import detect_anomalies
from basesys.oversight.models import Anomaly
from tests.conftest import at
from tests.contract.cases import Case, no_token, outside_scope, request, run, wrong_role
from tests.contract.shapes import DATE, INT, STR, Nullable, one_of, with_values

ANOMALY = {
    "id": INT,
    "kind": one_of("shared_device", "impossible_presence", "manual_share", "late_filing", "roster_overdue"),
    "base_id": INT,
    "course_id": Nullable(INT),
    "trainee_ids": [INT],
    "detected_on": DATE,
    "summary": STR,
    "status": one_of("open", "reviewed"),
}


def _scan(w, course_session, trainee, moment):
    w.clock.set(moment)
    token = w.ok("GET", f"/api/v1/sessions/{course_session.id}/qr?purpose=in", w.t.admin_a)["token"]
    w.ok("POST", "/api/v1/scan", trainee, json={"token": token}, headers={"X-Device-Id": "shared-phone"})


def shared_device(w):
    """The id of the shared_device finding of base A (made once per world)."""
    if getattr(w, "finding_id", None) is None:
        course = w.course(
            sessions=[
                (at("2025-06-02", "09:00"), at("2025-06-02", "12:00")),
                (at("2025-06-02", "14:00"), at("2025-06-02", "17:00")),
            ]
        )
        w.enroll(course, w.t.trainee, w.t.other_trainee)
        _scan(w, course.sessions[0], w.t.trainee, at("2025-06-02", "09:00"))
        _scan(w, course.sessions[1], w.t.other_trainee, at("2025-06-02", "14:00"))
        detect_anomalies(at("2025-06-02", "20:00"))
        w.finding_id = db.session.scalar(db.select(Anomaly.id).where(Anomaly.kind == "shared_device"))
    return w.finding_id


def listed(path):
    return lambda w: (shared_device(w), path)[1]


def review_path(w):
    return f"/api/v1/anomalies/{shared_device(w)}/review"


def both_trainees(body, w):
    (item,) = [item for item in body["items"] if item["id"] == w.finding_id]
    assert item["kind"] == "shared_device" and item["base_id"] == w.t.base_a.id, item
    assert sorted(item["trainee_ids"]) == sorted([w.t.trainee.id, w.t.other_trainee.id]), item
    assert item["detected_on"] == "2025-06-02", item


def nothing_of_base_a(body, w):
    assert body["items"] == [], body


def now_reviewed(body, w):
    items = w.ok("GET", "/api/v1/anomalies?status=reviewed", w.t.officer_a)["items"]
    assert [item["id"] for item in items] == [w.finding_id], items


CASES = {
    "GET /api/v1/anomalies?kind=&status=open": [
        Case(
            "200 {items: [finding]} with the documented fields",
            request("GET", listed("/api/v1/anomalies?kind=shared_device&status=open"), "officer_a"),
            200,
            shape={"items": [{**ANOMALY, "status": one_of("open")}]},
            then=both_trainees,
        ),
        Case(
            "200 for an officer of the bureau above",
            request("GET", listed("/api/v1/anomalies?status=open"), "officer_province"),
            200,
            shape={"items": [ANOMALY]},
            then=both_trainees,
        ),
        Case(
            "200 without the findings of another city",
            request("GET", listed("/api/v1/anomalies"), "officer_b"),
            200,
            then=nothing_of_base_a,
        ),
        outside_scope(
            "GET", lambda w: f"/api/v1/anomalies?base_id={w.t.base_a.id}", "officer_b", " (a base of another city)"
        ),
        Case("422 for an unknown kind", request("GET", "/api/v1/anomalies?kind=nonsense", "officer_a"), 422),
        no_token("GET", "/api/v1/anomalies"),
        wrong_role("GET", "/api/v1/anomalies", "admin_a"),
    ],
    "POST /api/v1/anomalies/{id}/review": [
        Case(
            "422 without comment",
            request("POST", review_path, "officer_a", json={"comment": ""}),
            422,
            "comment_required",
        ),
        outside_scope("POST", review_path, "officer_b", " (another city)", json={"comment": "x"}),
        outside_scope(
            "POST", lambda w: "/api/v1/anomalies/999999/review", "officer_a", " (unknown id)", json={"comment": "x"}
        ),
        no_token("POST", review_path),
        wrong_role("POST", review_path, "admin_a", json={"comment": "x"}),
        Case(
            "200 {status: reviewed}",
            request("POST", review_path, "officer_a", json={"comment": "已电话核实"}),
            200,
            shape=with_values({"status": STR}, status="reviewed"),
            then=now_reviewed,
        ),
    ],
}


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
