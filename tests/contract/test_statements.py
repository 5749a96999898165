"""API.md "Annual statement", row by row: every documented field, status and error code (§15)."""

import base64
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.contract.cases import Case, no_token, outside_scope, request, run, wrong_role
from tests.contract.shapes import DATE, HOURS, INT, SIGNED, STR, TOTALS, Matches, one_of, with_values

PDF = "application/pdf"
NUMBER = Matches(r"XS\d{4}-\d{8}", "a statement number (XS2025-00000123)")
ENTRY = {
    "source": one_of("course", "declaration"),
    "title": STR,
    "category": one_of("public", "professional"),
    "hours": HOURS,
    "status": one_of("issued", "recognized"),
}
STATEMENT = {
    "number": NUMBER,
    "code": STR,
    "year": INT,
    "required": TOTALS,
    "issued": TOTALS,
    "recognized": TOTALS,
    "entries": [ENTRY],
    "signed": SIGNED,
}
VERIFICATION = {
    "number": NUMBER,
    "year": INT,
    "name_masked": STR,
    "totals": TOTALS,
    "status": one_of("valid", "superseded"),
    "issued_on": DATE,
    "signed": SIGNED,
}


def statement(w) -> dict:
    """The trainee's 2025 statement, after the course `ended` was finalised (one course entry)."""
    if not hasattr(w, "statement"):
        w.certificate  # noqa: B018 -- finalises `ended` through the API
        w.statement = w.ok("GET", "/api/v1/me/statements/2025", w.t.trainee)
    return w.statement


def has_the_course_and_verifies(body, w):
    assert [(e["source"], e["hours"], e["status"]) for e in body["entries"]] == [("course", 16.0, "issued")], body
    assert body["issued"]["total"] == 16.0 and body["required"]["total"] == 90, body
    payload = body["signed"]["payload"]
    assert payload == json.dumps(json.loads(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = w.ok("GET", "/api/v1/certificates/public-key")["public_key"]
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(
            base64.b64decode(body["signed"]["signature"]), payload.encode()
        )
    except InvalidSignature:
        pytest.fail("the statement's signature does not verify with the published public key")


def the_same_statement(body, w):
    assert body["number"] == statement(w)["number"], "an unchanged year answered a new statement"


def verify_path(code=None, number=None):
    return lambda w: f"/api/v1/statements/{number or statement(w)['number']}?code={code or statement(w)['code']}"


def valid_and_masked(body, w):
    assert body["status"] == "valid" and body["name_masked"] == "李*" and body["year"] == 2025, body
    assert body["totals"] == {"public": 0.0, "professional": 16.0, "total": 16.0}, body
    assert body["signed"] == statement(w)["signed"]


CASES = {
    "GET /api/v1/me/statements/{year}": [
        Case(
            "200 the year's statement, signed",
            lambda w: w.call("GET", "/api/v1/me/statements/2025", w.t.trainee) if statement(w) else None,
            200,
            shape=with_values(STATEMENT, year=2025),
            then=has_the_course_and_verifies,
        ),
        Case(
            "200 asked again: the same statement",
            lambda w: statement(w) and w.call("GET", "/api/v1/me/statements/2025", w.t.trainee),
            200,
            shape=STATEMENT,
            then=the_same_statement,
        ),
        Case(
            "200 another trainee: their own",
            request("GET", "/api/v1/me/statements/2025", "other_trainee"),
            200,
            shape=with_values(STATEMENT, entries=[]),
        ),
        outside_scope("GET", "/api/v1/me/statements/2031", "trainee", " (a year not begun)"),
        no_token("GET", "/api/v1/me/statements/2025"),
        wrong_role("GET", "/api/v1/me/statements/2025", "officer_a"),
    ],
    "GET /api/v1/me/statements/{year}.pdf": [
        Case("200 the PDF", request("GET", "/api/v1/me/statements/2025.pdf", "trainee"), 200, mimetype=PDF),
        outside_scope("GET", "/api/v1/me/statements/2031.pdf", "trainee", " (a year not begun)"),
        no_token("GET", "/api/v1/me/statements/2025.pdf"),
        wrong_role("GET", "/api/v1/me/statements/2025.pdf", "admin_a"),
    ],
    "GET /api/v1/statements/{number}?code=C": [
        Case(
            "200 to anyone, signed",
            lambda w: w.call("GET", verify_path()(w)),
            200,
            shape=VERIFICATION,
            then=valid_and_masked,
        ),
        Case("404 on a wrong code", lambda w: w.call("GET", verify_path(code="WRONG234")(w)), 404, "not_found"),
        Case(
            "404 on an unknown number",
            lambda w: w.call("GET", verify_path(code="ABC", number="XS2025-99999999")(w)),
            404,
            "not_found",
        ),
    ],
}


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
