"""API.md "Quality evaluation" (DOMAIN §13): every documented field, status and error code.

The course is the world's `ended` one (trainee attended all of it, other_trainee the first day);
the clock is after its last session. Answers go through the POST row, results are read through GET."""

import pytest

from tests.contract.cases import Case, no_token, outside_scope, request, run, wrong_role
from tests.contract.shapes import BOOL, INT, NUMBER, STR, Nullable, with_values

SCORES = {"content": 5, "teaching": 4, "organisation": 4, "venue": 3, "overall": 5}
ITEM = {"mean": Nullable(NUMBER), "counts": [INT]}
EVALUATION = {
    "responses": INT,
    "response_rate": NUMBER,
    "items": {name: ITEM for name in SCORES},
    "comments": [STR],
}


def path(w):
    return f"/api/v1/courses/{w.ended.id}/evaluation"


def running_path(w):
    return f"/api/v1/courses/{w.running.id}/evaluation"


def draft_path(w):
    """A draft course of base A: not in any catalogue, the trainee is not enrolled."""
    if getattr(w, "draft", None) is None:
        w.draft = w.course(status="draft")
    return f"/api/v1/courses/{w.draft.id}/evaluation"


def absent(w):
    """A trainee enrolled on `ended` who never came."""
    if getattr(w, "absent_trainee", None) is None:
        w.absent_trainee = w.make_trainee(name="赵六")
        w.enroll(w.ended, w.absent_trainee)
    return w.absent_trainee


def answered_path(w):
    """`ended` once trainee and other_trainee answered (other_trainee with a comment)."""
    if not getattr(w, "answered", False):
        w.ok("POST", path(w), w.t.trainee, json={"scores": SCORES})
        body = {"scores": {**SCORES, "content": 2}, "comment": "案例很实用"}
        w.ok("POST", path(w), w.t.other_trainee, json=body)
        w.answered = True
    return path(w)


def stored_once(body, w):
    assert body == {"course_id": w.ended.id, "evaluated": True}, body
    summary = w.ok("GET", path(w), w.t.admin_a)
    assert summary["responses"] == 1 and summary["comments"] == ["很好"], summary


def aggregates(body, w):
    assert body["responses"] == 2 and body["response_rate"] == 1.0, body
    assert body["items"]["content"] == {"mean": 3.5, "counts": [0, 1, 0, 0, 1]}, body
    assert body["items"]["venue"] == {"mean": 3.0, "counts": [0, 0, 2, 0, 0]}, body
    assert body["comments"] == ["案例很实用"], body
    text = repr(body)
    for trainee in (w.t.trainee, w.t.other_trainee):
        assert trainee.name not in text and str(trainee.id_number) not in text, body


CASES = {
    "POST /api/v1/courses/{id}/evaluation": [
        Case(
            "403 not_attended while the last session has not ended",
            request("POST", running_path, "trainee", json={"scores": SCORES}),
            403,
            "not_attended",
        ),
        Case(
            "403 not_attended without credited hours",
            request("POST", path, absent, json={"scores": SCORES}),
            403,
            "not_attended",
        ),
        Case(
            "422 for a score outside 1–5",
            request("POST", path, "trainee", json={"scores": {**SCORES, "venue": 6}}),
            422,
            "validation_failed",
        ),
        Case(
            "422 for a missing item",
            request("POST", path, "trainee", json={"scores": {"content": 5}}),
            422,
            "validation_failed",
        ),
        Case(
            "422 for a NUL in the comment",
            request("POST", path, "trainee", json={"scores": SCORES, "comment": "a\u0000b"}),
            422,
            "validation_failed",
        ),
        Case(
            "400 for a body that is not JSON",
            request("POST", path, "trainee", data="{", content_type="application/json"),
            400,
            "malformed_body",
        ),
        Case(
            "201 stored",
            request("POST", path, "trainee", json={"scores": SCORES, "comment": "很好"}),
            201,
            shape=with_values({"course_id": INT, "evaluated": BOOL}, evaluated=True),
            then=stored_once,
        ),
        Case(
            "409 already_evaluated the second time",
            request("POST", path, "trainee", json={"scores": SCORES}),
            409,
            "already_evaluated",
        ),
        outside_scope("POST", draft_path, "trainee", " (a course the trainee cannot see)", json={"scores": SCORES}),
        outside_scope(
            "POST", lambda w: "/api/v1/courses/999999/evaluation", "trainee", " (unknown id)", json={"scores": SCORES}
        ),
        no_token("POST", path),
        wrong_role("POST", path, "admin_a", json={"scores": SCORES}),
    ],
    "GET /api/v1/courses/{id}/evaluation": [
        Case(
            "200 the aggregates for its base, never who answered",
            request("GET", answered_path, "admin_a"),
            200,
            shape=EVALUATION,
            then=aggregates,
        ),
        Case("200 for its bureau", request("GET", answered_path, "officer_a"), 200, shape=EVALUATION, then=aggregates),
        Case("200 for the bureau above", request("GET", answered_path, "officer_province"), 200, shape=EVALUATION),
        Case(
            "200 without answers: means null, counts zero",
            request("GET", running_path, "admin_a"),
            200,
            shape=with_values(EVALUATION, responses=0, comments=[]),
        ),
        outside_scope("GET", path, "admin_b", " (another base)"),
        outside_scope("GET", path, "officer_b", " (a bureau of another city)"),
        outside_scope("GET", path, "officer_county", " (a bureau below the base's)"),
        no_token("GET", path),
        wrong_role("GET", path, "trainee"),
    ],
}


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
