"""API.md "Oversight and audit": `POST /api/v1/filings/decisions`, the batch of filing decisions."""

import pytest

from tests.contract.cases import Case, no_token, run, tenant, wrong_role
from tests.contract.shapes import INT, STR, Nullable, one_of, problems

URL = "/api/v1/filings/decisions"
ERROR = {"code": STR, "message": STR}
RESULT = {"course_id": INT, "filing_status": Nullable(one_of("draft", "submitted", "approved", "returned"))}


def decide_batch(courses_of, who, decision="approve", comment="同意备案。"):
    def send(w):
        ids = [course.id if hasattr(course, "id") else course for course in courses_of(w)]
        w.sent = ids
        return w.call("POST", URL, tenant(who, w), json={"course_ids": ids, "decision": decision, "comment": comment})

    return send


def two_submitted(w):
    return [w.course(status="submitted"), w.course(base=w.t.base_county, status="submitted")]


def mixed(w):
    """Submitted in scope, already approved, another city's, unknown, submitted in scope."""
    return [
        w.course(status="submitted"),
        w.course(status="approved"),
        w.course(base=w.t.base_b, status="submitted"),
        2_000_000,
        w.course(status="submitted"),
    ]


def all_decided(status):
    def check(body, w):
        results = body["results"]
        assert [r["course_id"] for r in results] == w.sent, "results not in the order given"
        assert all(r["filing_status"] == status and "error" not in r for r in results), results

    return check


def each_on_its_own(body, w):
    results = body["results"]
    assert [r["course_id"] for r in results] == w.sent, "results not in the order given"
    got = [(r["filing_status"], r.get("error", {}).get("code")) for r in results]
    assert got == [
        ("approved", None),
        ("approved", "filing_not_submitted"),
        (None, "not_found"),
        (None, "not_found"),
        ("approved", None),
    ], got
    for result in results:
        if "error" in result:
            assert not problems(ERROR, result["error"], "error"), problems(ERROR, result["error"], "error")


CASES = {
    "POST /api/v1/filings/decisions": [
        Case(
            "200 approve: every item decided",
            decide_batch(two_submitted, "officer_a"),
            200,
            shape={"results": [RESULT]},
            then=all_decided("approved"),
        ),
        Case(
            "200 return with one comment",
            decide_batch(two_submitted, "officer_a", "return", "课时安排不清。"),
            200,
            shape={"results": [RESULT]},
            then=all_decided("returned"),
        ),
        Case(
            "200 mixed: a refused item (not waiting, outside scope, unknown) stops none of the others",
            decide_batch(mixed, "officer_a"),
            200,
            shape={"results": [RESULT]},
            then=each_on_its_own,
        ),
        Case(
            "422 comment_required: returning without a comment decides nothing",
            decide_batch(two_submitted, "officer_a", "return", ""),
            422,
            "comment_required",
        ),
        Case(
            "422 more than 200 courses",
            decide_batch(lambda w: list(range(1, 202)), "officer_a"),
            422,
            "validation_failed",
        ),
        Case("422 no course", decide_batch(lambda w: [], "officer_a"), 422, "validation_failed"),
        no_token("POST", URL),
        wrong_role("POST", URL, "admin_a", json={"course_ids": [1], "decision": "approve", "comment": ""}),
    ],
}


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
