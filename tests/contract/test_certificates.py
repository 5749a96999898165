"""API.md "Hours and certificates", row by row: every documented field, status and error code."""

import base64
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.conftest import at
from tests.contract.cases import Case, no_token, outside_scope, request, run, tenant, wrong_role
from tests.contract.shapes import (
    BASE64,
    DATE,
    HOURS,
    INT,
    SIGNED,
    STR,
    TOTALS,
    Equals,
    Nullable,
    one_of,
    with_values,
)

PDF = "application/pdf"
TOTALS_OF_COURSE = {"completed": INT, "not_completed": INT, "certificates": INT}
HOURS_OF_YEAR = {
    "year": INT,
    "required": TOTALS,
    "issued": TOTALS,
    "recognized": TOTALS,
    "entries": [
        {
            "course_id": Nullable(INT),  # null for a declaration
            "title": STR,
            "category": one_of("public", "professional"),
            "hours": HOURS,
            "status": one_of("issued", "recognized"),
            "certificate_number": Nullable(STR),
            "source": one_of("course", "declaration"),
        }
    ],
}
CATEGORY = one_of("public", "professional")
CERTIFICATE = {
    "number": STR,
    "code": STR,
    "status": one_of("valid", "revoked"),
    "course_id": INT,
    "course_title": STR,
    "category": CATEGORY,
    "hours": HOURS,
    "issued_on": DATE,
}
VERIFICATION = {
    "number": STR,
    "status": one_of("valid", "revoked"),
    "name_masked": STR,
    "course_title": STR,
    "category": CATEGORY,
    "hours": HOURS,
    "issued_on": DATE,
    "base_name": STR,
    "filing_number": Nullable(STR),
    "signed": SIGNED,
}


def finalize_path(course_of):
    return lambda w: f"/api/v1/courses/{course_of(w).id}/finalize"


def finalized_twice(w):
    first = w.ok("POST", finalize_path(lambda w: w.ended)(w), w.t.admin_a)
    before = w.ok("GET", "/api/v1/me/certificates", w.t.trainee)["items"]
    again = w.call("POST", finalize_path(lambda w: w.ended)(w), w.t.admin_a)
    w.first_totals, w.before = first, before
    return again


def same_totals_nothing_new(body, w):
    assert body == w.first_totals, f"a second call answers {body}, the first {w.first_totals}"
    after = w.ok("GET", "/api/v1/me/certificates", w.t.trainee)["items"]
    assert after == w.before, "the second call issued something new"


def hours_of_2025(body, w):
    entry = next((e for e in body["entries"] if e["course_id"] == w.ended.id), None)
    assert entry is not None, f"no entry for the finalised course: {body['entries']}"
    assert (entry["hours"], entry["status"], entry["category"]) == (16.0, "issued", "professional"), entry
    assert entry["certificate_number"] == w.certificate["number"] and entry["source"] == "course", entry
    assert body["required"] == {"public": 30, "professional": 60, "total": 90}, f"required {body['required']}"
    assert body["issued"]["professional"] >= 16.0, f"issued {body['issued']}"


def certificate_path(suffix="", number=None):
    return lambda w: f"/api/v1/certificates/{number or w.certificate['number']}{suffix}"


def verify_path(w):
    return certificate_path(f"?code={w.certificate['code']}")(w)


def signature_checks(body, w):
    payload, signature = body["signed"]["payload"], body["signed"]["signature"]
    canonical = json.dumps(json.loads(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert payload == canonical, "payload is not canonical JSON (sorted keys, no spaces, UTF-8 as itself)"
    key = w.ok("GET", "/api/v1/certificates/public-key")["public_key"]
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(base64.b64decode(signature), payload.encode())
    except InvalidSignature:
        pytest.fail("the signature does not verify with the published public key")
    assert body["status"] == "valid" and body["number"] == w.certificate["number"], body


def key_is_32_bytes(body, w):
    assert len(base64.b64decode(body["public_key"])) == 32, "an Ed25519 public key is 32 bytes"


def my_certificates(body, w):
    mine = [item for item in body["items"] if item["course_id"] == w.ended.id]
    assert len(mine) == 1 and mine[0]["hours"] == 16.0 and mine[0]["status"] == "valid", body["items"]


def revoked(who, reason="证书信息有误"):
    def send(w):
        body = {} if reason is None else {"reason": reason}
        return w.call("POST", certificate_path("/revoke")(w), tenant(who, w), json=body)

    return send


def verification_says_revoked(body, w):
    verified = w.ok("GET", verify_path(w))
    assert verified["status"] == "revoked", f"verification after revocation: {verified['status']}"


def another_certificate(w) -> str:
    """The number of a second certificate of base A: a fresh trainee's, finalised through the API."""
    trainee = w.make_trainee(name="冯十二")
    course = w.course(sessions=[(at("2025-05-12", "09:00"), at("2025-05-12", "12:00"))])
    w.enroll(course, trainee)
    w.request.getfixturevalue("attend")(course, trainee)
    w.ok("POST", f"/api/v1/courses/{course.id}/finalize", w.t.admin_a)
    return w.ok("GET", "/api/v1/me/certificates", trainee)["items"][0]["number"]


CASES = {
    "POST /api/v1/courses/{id}/finalize": [
        Case(
            "200 the course's totals",
            request("POST", finalize_path(lambda w: w.ended), "admin_a"),
            200,
            shape=with_values(TOTALS_OF_COURSE, completed=1, not_completed=1, certificates=1),
        ),
        Case(
            "200 idempotent: the same totals, nothing new",
            finalized_twice,
            200,
            shape=TOTALS_OF_COURSE,
            then=same_totals_nothing_new,
        ),
        Case(
            "409 course_not_ended",
            request("POST", finalize_path(lambda w: w.running), "admin_a"),
            409,
            "course_not_ended",
        ),
        outside_scope("POST", finalize_path(lambda w: w.ended), "admin_b"),
        outside_scope("POST", lambda w: "/api/v1/courses/999999/finalize", "admin_a", " (unknown id)"),
        no_token("POST", finalize_path(lambda w: w.ended)),
        wrong_role("POST", finalize_path(lambda w: w.ended), "officer_a"),
    ],
    "GET /api/v1/me/hours?year=2025": [
        Case(
            "200 the year's hours",
            lambda w: w.certificate and w.call("GET", "/api/v1/me/hours?year=2025", w.t.trainee),
            200,
            shape=with_values(HOURS_OF_YEAR, year=2025),
            then=hours_of_2025,
        ),
        Case(
            "200 another year",
            lambda w: w.call("GET", "/api/v1/me/hours?year=2024", w.t.trainee),
            200,
            shape=with_values(HOURS_OF_YEAR, year=2024, entries=[]),
        ),
        no_token("GET", lambda w: "/api/v1/me/hours?year=2025"),
        wrong_role("GET", lambda w: "/api/v1/me/hours?year=2025", "admin_a"),
    ],
    "GET /api/v1/me/certificates": [
        Case(
            "200 {items: [certificate…]}",
            lambda w: w.certificate and w.call("GET", "/api/v1/me/certificates", w.t.trainee),
            200,
            shape={"items": [CERTIFICATE]},
            then=my_certificates,
        ),
        Case(
            "200 only the caller's own",
            lambda w: w.certificate and w.call("GET", "/api/v1/me/certificates", w.t.other_trainee),
            200,
            shape=with_values({}, items=[]),
        ),
        no_token("GET", lambda w: "/api/v1/me/certificates"),
        wrong_role("GET", lambda w: "/api/v1/me/certificates", "officer_a"),
    ],
    "GET /api/v1/certificates/{number}?code=C": [
        Case(
            "200 to anyone, signed",
            lambda w: w.call("GET", verify_path(w)),
            200,
            shape=VERIFICATION,
            then=signature_checks,
        ),
        Case(
            "404 on a wrong code",
            lambda w: w.call("GET", certificate_path("?code=WRONG1")(w)),
            404,
            "not_found",
        ),
        Case(
            "404 on an unknown number",
            lambda w: w.call("GET", certificate_path("?code=ABC", number="2025-9999-999999")(w)),
            404,
            "not_found",
        ),
    ],
    "GET /api/v1/certificates/{number}.pdf": [
        Case(
            "200 PDF for its owner",
            request("GET", certificate_path(".pdf"), "trainee"),
            200,
            mimetype=PDF,
        ),
        Case("200 PDF for its base", request("GET", certificate_path(".pdf"), "admin_a"), 200, mimetype=PDF),
        Case(
            "200 PDF for its bureau",
            request("GET", certificate_path(".pdf"), "officer_a"),
            200,
            mimetype=PDF,
        ),
        outside_scope("GET", certificate_path(".pdf"), "other_trainee", " (another trainee)"),
        outside_scope("GET", certificate_path(".pdf"), "admin_b", " (another base)"),
        outside_scope("GET", certificate_path(".pdf"), "officer_b", " (another city)"),
        no_token("GET", certificate_path(".pdf")),
    ],
    "GET /api/v1/certificates/public-key": [
        Case(
            "200 to anyone",
            lambda w: w.call("GET", "/api/v1/certificates/public-key"),
            200,
            shape={"alg": Equals("Ed25519"), "public_key": BASE64},
            then=key_is_32_bytes,
        ),
    ],
    "POST /api/v1/certificates/{number}/revoke": [
        Case("422 without reason", revoked("admin_a", reason=None), 422),
        Case("422 with an empty reason", revoked("admin_a", reason=""), 422),
        Case(
            "200 {status: revoked} by its base",
            revoked("admin_a"),
            200,
            shape={"status": Equals("revoked")},
            then=verification_says_revoked,
        ),
        Case(
            "200 {status: revoked} by its bureau",
            lambda w: w.call(
                "POST",
                f"/api/v1/certificates/{another_certificate(w)}/revoke",
                w.t.officer_a,
                json={"reason": "冒名顶替"},
            ),
            200,
            shape={"status": Equals("revoked")},
        ),
        outside_scope("POST", certificate_path("/revoke"), "admin_b", json={"reason": "x"}),
        outside_scope("POST", certificate_path("/revoke"), "officer_b", json={"reason": "x"}),
        no_token("POST", certificate_path("/revoke")),
        wrong_role("POST", certificate_path("/revoke"), "trainee", json={"reason": "x"}),
    ],
}


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
