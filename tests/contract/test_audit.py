"""API.md "Oversight and audit": `GET /api/v1/audit`, every documented field, the search by what
people type, and the walls of each reader's scope."""

from urllib.parse import quote

import pytest

from tests.contract.cases import Case, no_token, outside_scope, request, run, wrong_role
from tests.contract.shapes import CHINESE, DATETIME, INT, STR, Nullable

CHANGE = {"field": STR, "before": Nullable(STR), "after": Nullable(STR)}
ITEM = {
    "at": DATETIME,
    "actor": STR,
    "action": STR,
    "text": CHINESE,
    "object_type": STR,
    "object_id": Nullable(INT),
    "changes": [CHANGE],
    "reason": STR,
}
AUDIT = {"total": INT, "items": [ITEM]}
TITLE = "审计测试培训班"


def returned(w):
    """A course of base A, submitted and returned by officer A through the API (once per world)."""
    if not hasattr(w, "returned"):
        w.returned = w.course(title=TITLE, status="submitted")
        body = {"decision": "return", "comment": "培训对象不明确"}
        w.ok("POST", f"/api/v1/courses/{w.returned.id}/filing/decision", w.t.officer_a, json=body)
    return w.returned


def audit_as(who, query=lambda w: ""):
    def send(w):
        returned(w)
        return request("GET", f"/api/v1/audit?{query(w)}", who)(w)

    return send


def the_return_reads_as_a_sentence(body, w):
    texts = [item["text"] for item in body["items"]]
    assert any(f"退回了「{TITLE}」的备案：培训对象不明确" in text for text in texts), texts
    item = next(item for item in body["items"] if item["action"] == "filing.returned")
    assert item["reason"] == "培训对象不明确" and item["object_id"] == w.returned.id
    statuses = {c["field"]: (c["before"], c["after"]) for c in item["changes"]}
    assert statuses["filing_status"] == ("待审核", "已退回"), statuses
    assert all(TITLE in text for text in texts), "q is the course title's prefix"


def by_id_number(w):
    assert w.certificate  # finalised through the API: the trainee's certificate is issued and audited
    return f"q={w.t.trainee.id_number}"


def the_trainees_history(body, w):
    assert body["total"] >= 1 and all(w.t.trainee.name in item["text"] for item in body["items"]), body
    assert any(item["action"] == "certificate.issue" for item in body["items"])


def by_certificate_number(w):
    return f"q={w.certificate['number']}"


def only_its_certificate(body, w):
    assert body["total"] == 1 and w.certificate["number"] in body["items"][0]["text"], body


def nothing(body, w):
    assert body == {**body, "total": 0, "items": []}, body


def only_base_a(body, w):
    assert body["items"] and {item["object_type"] for item in body["items"]} >= {"course"}
    assert all("基地乙" not in item["text"] for item in body["items"])


CASES = {
    "GET /api/v1/audit?q=&object_type=&base_id=&since=&until=&page=": [
        Case(
            "200 for the officer: q finds the course title; text is the sentence, changes labelled",
            audit_as("officer_a", lambda w: f"q={quote(TITLE[:4])}&object_type=course"),
            200,
            shape=AUDIT,
            then=the_return_reads_as_a_sentence,
        ),
        Case(
            "200 q finds the trainee's ID number",
            audit_as("officer_a", by_id_number),
            200,
            shape=AUDIT,
            then=the_trainees_history,
        ),
        Case(
            "200 q finds the certificate number",
            audit_as("admin_a", by_certificate_number),
            200,
            shape=AUDIT,
            then=only_its_certificate,
        ),
        Case(
            "200 for the base admin: its own base, with dates",
            audit_as("admin_a", lambda w: f"base_id={w.t.base_a.id}&since=2025-01-01&until=2025-12-31&page=1"),
            200,
            shape=AUDIT,
            then=only_base_a,
        ),
        Case(
            "200 and nothing for another city's officer",
            audit_as("officer_b", lambda w: f"q={quote(TITLE)}"),
            200,
            shape=AUDIT,
            then=nothing,
        ),
        Case("200 for sysadmin", audit_as("sysadmin"), 200, shape=AUDIT),
        outside_scope("GET", lambda w: f"/api/v1/audit?base_id={w.t.base_a.id}", "officer_b"),
        outside_scope("GET", lambda w: f"/api/v1/audit?base_id={w.t.base_b.id}", "admin_a", " (another base)"),
        Case(
            "422 validation_failed for an unknown object type",
            request("GET", "/api/v1/audit?object_type=spaceship", "officer_a"),
            422,
            "validation_failed",
        ),
        Case(
            "422 validation_failed for a malformed date",
            request("GET", "/api/v1/audit?since=2025-13-40", "officer_a"),
            422,
            "validation_failed",
        ),
        no_token("GET", "/api/v1/audit"),
        wrong_role("GET", "/api/v1/audit", "trainee"),
    ],
}


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
