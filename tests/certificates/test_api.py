"""The "Hours and certificates" endpoints of API.md, exactly: shapes, status codes, tenant walls."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from basesys.certificates.models import Certificate
from basesys.core.time import local_date
from tests.certificates import ed25519_reference


def test_finalize_answers_totals_and_is_idempotent(client, finished, api_headers, now):
    url = f"/api/v1/courses/{finished.course.id}/finalize"
    first = client.post(url, headers=api_headers(finished.admin_a))
    assert first.status_code == 200
    assert first.get_json() == {"completed": 1, "not_completed": 1, "certificates": 1}
    second = client.post(url, headers=api_headers(finished.admin_a))
    assert second.status_code == 200 and second.get_json() == first.get_json()


def test_finalize_before_the_end_is_409(client, tenants, make_course, api_headers):
    from tests.conftest import at

    course = make_course(base=tenants.base_a, sessions=[(at("2099-06-10", "09:00"), at("2099-06-10", "12:00"))])
    response = client.post(f"/api/v1/courses/{course.id}/finalize", headers=api_headers(tenants.admin_a))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "course_not_ended"


@pytest.mark.parametrize(("who", "status"), [("admin_b", 404), ("officer_a", 403), ("trainee", 403), ("sysadmin", 403)])
def test_finalize_walls(client, finished, api_headers, who, status):
    response = client.post(
        f"/api/v1/courses/{finished.course.id}/finalize", headers=api_headers(getattr(finished, who))
    )
    assert response.status_code == status


def test_finalize_without_token_is_401(client, finished):
    assert client.post(f"/api/v1/courses/{finished.course.id}/finalize").status_code == 401


def test_me_certificates(client, finalized, api_headers):
    response = client.get("/api/v1/me/certificates", headers=api_headers(finalized.trainee))
    assert response.status_code == 200
    certificate = finalized.certificate
    assert response.get_json() == {
        "items": [
            {
                "number": certificate.number,
                "code": certificate.check_code,
                "status": "valid",
                "course_id": finalized.course.id,
                "course_title": finalized.course.title,
                "category": "professional",
                "hours": 16.0,
                "issued_on": "2025-06-02",
            }
        ]
    }
    assert client.get("/api/v1/me/certificates", headers=api_headers(finalized.other_trainee)).get_json() == {
        "items": []
    }
    assert client.get("/api/v1/me/certificates", headers=api_headers(finalized.admin_a)).status_code == 403


def test_me_hours(client, finalized, api_headers):
    response = client.get("/api/v1/me/hours?year=2025", headers=api_headers(finalized.trainee))
    assert response.status_code == 200
    assert response.get_json() == {
        "year": 2025,
        "required": {"public": 30.0, "professional": 60.0, "total": 90.0},
        "issued": {"public": 0.0, "professional": 16.0, "total": 16.0},
        "recognized": {"public": 0.0, "professional": 0.0, "total": 0.0},
        "entries": [
            {
                "source": "course",
                "course_id": finalized.course.id,
                "title": finalized.course.title,
                "category": "professional",
                "hours": 16.0,
                "status": "issued",
                "certificate_number": finalized.certificate.number,
            }
        ],
    }
    assert client.get("/api/v1/me/hours?year=1066", headers=api_headers(finalized.trainee)).status_code == 422
    assert client.get("/api/v1/me/hours?year=abc", headers=api_headers(finalized.trainee)).status_code == 422
    assert client.get("/api/v1/me/hours", headers=api_headers(finalized.officer_a)).status_code == 403


def test_verification_returns_the_signed_payload_that_checks_against_the_public_key(client, finalized):
    certificate = finalized.certificate
    key = client.get("/api/v1/certificates/public-key")
    assert key.status_code == 200 and key.get_json()["alg"] == "Ed25519"
    raw = base64.b64decode(key.get_json()["public_key"])
    assert len(raw) == 32
    response = client.get(f"/api/v1/certificates/{certificate.number}?code={certificate.check_code}")
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in body if k not in ("signed", "revoked_on", "revoked_reason")} == {
        "number": certificate.number,
        "status": "valid",
        "name_masked": "李*",
        "course_title": finalized.course.title,
        "category": "professional",
        "hours": 16.0,
        "issued_on": "2025-06-02",
        "base_name": "基地甲",
        "filing_number": finalized.course.filing_number,
        "starts_on": "2025-05-26",
        "ends_on": "2025-05-27",
        "hours_status": "issued",
    }
    assert body["signed"]["payload"] == certificate.payload
    signature, message = base64.b64decode(body["signed"]["signature"]), body["signed"]["payload"].encode("utf-8")
    Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)  # the `cryptography` library
    assert ed25519_reference.verify(raw, message, signature)  # RFC 8032's own algorithm, no library
    assert not ed25519_reference.verify(raw, message.replace(b"16.0", b"61.0"), signature)


def test_verification_accepts_the_code_in_lower_case(client, finalized):
    certificate = finalized.certificate
    response = client.get(f"/api/v1/certificates/{certificate.number}?code={certificate.check_code.lower()}")
    assert response.status_code == 200


def test_a_wrong_code_is_the_same_404_as_an_unknown_number(client, finalized):
    number = finalized.certificate.number
    wrong = client.get(f"/api/v1/certificates/{number}?code=AAAAAAAA")
    missing = client.get(f"/api/v1/certificates/{number}")
    unknown = client.get("/api/v1/certificates/2025-9999-000001?code=AAAAAAAA")
    long_code = client.get(f"/api/v1/certificates/{number}?code={'A' * 300}")
    assert long_code.status_code == 404 and long_code.get_json() == unknown.get_json()
    assert wrong.status_code == missing.status_code == unknown.status_code == 404
    assert wrong.get_json() == missing.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "not_found"


def test_pdf_for_the_owner_its_base_and_its_bureaus_only(client, finalized, api_headers):
    url = f"/api/v1/certificates/{finalized.certificate.number}.pdf"
    for who in ("trainee", "admin_a", "officer_a", "officer_province"):
        response = client.get(url, headers=api_headers(getattr(finalized, who)))
        assert response.status_code == 200, who
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    for who in ("other_trainee", "admin_b", "officer_b", "officer_county"):
        assert client.get(url, headers=api_headers(getattr(finalized, who))).status_code == 404, who
    assert client.get(url).status_code == 401


def test_routes_resolve_public_key_number_and_pdf_separately(app):
    adapter = app.url_map.bind("testserver")
    assert adapter.match("/api/v1/certificates/public-key")[0] == "certificates_api.public_key"
    assert adapter.match("/api/v1/certificates/2025-0001-000001")[0] == "certificates_api.verify"
    assert adapter.match("/api/v1/certificates/2025-0001-000001.pdf")[0] == "certificates_api.certificate_pdf_file"
    assert adapter.match("/api/v1/certificates/2025-0001-000001/revoke", method="POST")[0] == "certificates_api.revoke"


def test_revoke_needs_a_reason(client, finalized, api_headers):
    url = f"/api/v1/certificates/{finalized.certificate.number}/revoke"
    for body in ({}, {"reason": ""}, {"reason": "  "}):
        response = client.post(url, json=body, headers=api_headers(finalized.admin_a))
        assert response.status_code == 422, body
        assert "reason" in response.get_json()["error"]["fields"]


def test_revoke_by_the_bureau_then_verification_says_revoked(client, finalized, api_headers, db):
    certificate = finalized.certificate
    url = f"/api/v1/certificates/{certificate.number}/revoke"
    response = client.post(url, json={"reason": "培训记录造假"}, headers=api_headers(finalized.officer_a))
    assert response.status_code == 200 and response.get_json() == {"status": "revoked"}
    again = client.post(url, json={"reason": "再次"}, headers=api_headers(finalized.officer_a))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_revoked"
    body = client.get(f"/api/v1/certificates/{certificate.number}?code={certificate.check_code}").get_json()
    assert body["status"] == "revoked" and body["revoked_reason"] == "培训记录造假"
    assert body["revoked_on"] == local_date(db.session.get(Certificate, certificate.id).revoked_at).isoformat()
    assert body["signed"]["payload"] == certificate.payload  # the signed facts never change


@pytest.mark.parametrize(
    ("who", "status"), [("admin_b", 404), ("officer_b", 404), ("officer_county", 404), ("trainee", 403)]
)
def test_revoke_walls(client, finalized, api_headers, who, status):
    url = f"/api/v1/certificates/{finalized.certificate.number}/revoke"
    response = client.post(url, json={"reason": "x"}, headers=api_headers(getattr(finalized, who)))
    assert response.status_code == status


def test_openapi_describes_every_certificate_endpoint(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/courses/{course_id}/finalize"]
    for path in (
        "/api/v1/me/hours",
        "/api/v1/me/certificates",
        "/api/v1/certificates/public-key",
        "/api/v1/certificates/{number}",
        "/api/v1/certificates/{number}.pdf",
    ):
        assert "get" in paths[path], path
    assert "post" in paths["/api/v1/certificates/{number}/revoke"]
