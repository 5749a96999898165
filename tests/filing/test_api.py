"""Filing endpoints of API.md: submit, decision, the officer's list, the PDF; codes and walls."""

import pytest

from basesys.core.audit import AuditRecord
from tests.conftest import at

pytestmark = pytest.mark.usefixtures("clock")


def submit(client, course, headers):
    return client.post(f"/api/v1/courses/{course.id}/filing", headers=headers)


def decide(client, course, headers, decision="approve", comment=""):
    return client.post(
        f"/api/v1/courses/{course.id}/filing/decision", json={"decision": decision, "comment": comment}, headers=headers
    )


def test_submit_then_approve(client, tenants, api_headers, new_course):
    course = new_course()
    response = submit(client, course, api_headers(tenants.admin_a))
    assert response.status_code == 200
    assert (response.json["filing_status"], response.json["filing_late"]) == ("submitted", False)
    again = submit(client, course, api_headers(tenants.admin_a))
    assert (again.status_code, again.json["error"]["code"]) == (409, "filing_already_submitted")
    approved = decide(client, course, api_headers(tenants.officer_a))
    assert approved.status_code == 200
    assert approved.json["filing_status"] == "approved"
    assert approved.json["filing_number"] == f"备2025-{tenants.base_a.code}-0001"


def test_return_requires_a_comment(client, tenants, api_headers, new_course):
    course = new_course()
    submit(client, course, api_headers(tenants.admin_a))
    response = decide(client, course, api_headers(tenants.officer_a), "return", "")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "comment_required" and "comment" in response.json["error"]["fields"]
    response = decide(client, course, api_headers(tenants.officer_a), "return", "请补充")
    assert response.json["filing_status"] == "returned"
    resubmitted = submit(client, course, api_headers(tenants.admin_a))
    assert resubmitted.json["filing_status"] == "submitted"


def test_decision_body_is_validated(client, tenants, api_headers, new_course):
    course = new_course()
    submit(client, course, api_headers(tenants.admin_a))
    response = decide(client, course, api_headers(tenants.officer_a), "maybe")
    assert response.status_code == 422 and "decision" in response.json["error"]["fields"]


def test_decision_on_a_draft_is_409(client, tenants, api_headers, new_course):
    response = decide(client, new_course(), api_headers(tenants.officer_a))
    assert (response.status_code, response.json["error"]["code"]) == (409, "filing_not_submitted")


def test_submit_without_sessions_or_fields_is_422(client, tenants, api_headers, new_course, db):
    course = new_course(responsible="")
    response = submit(client, course, api_headers(tenants.admin_a))
    assert (response.status_code, response.json["error"]["code"]) == (422, "filing_incomplete")
    assert "responsible" in response.json["error"]["fields"]
    course = new_course()
    course.sessions = []
    db.session.commit()
    response = submit(client, course, api_headers(tenants.admin_a))
    assert response.json["error"]["code"] == "no_sessions"


def test_late_submission_is_flagged(client, tenants, api_headers, new_course, clock):
    course = new_course(("2025-06-01", "09:00", "12:00"))
    clock.set(at("2025-06-01", "10:00"))
    assert submit(client, course, api_headers(tenants.admin_a)).json["filing_late"] is True


@pytest.mark.parametrize(
    ("who", "status"), [("officer_b", 404), ("officer_county", 404), ("admin_a", 403), ("trainee", 403)]
)
def test_decision_walls(client, tenants, api_headers, new_course, who, status):
    course = new_course()
    submit(client, course, api_headers(tenants.admin_a))
    assert decide(client, course, api_headers(getattr(tenants, who))).status_code == status


@pytest.mark.parametrize(("who", "status"), [("admin_b", 404), ("officer_a", 403), ("trainee", 403)])
def test_submit_walls(client, tenants, api_headers, new_course, who, status):
    assert submit(client, new_course(), api_headers(getattr(tenants, who))).status_code == status


def test_filings_list_of_the_officers_bases(client, tenants, api_headers, new_course, clock):
    first, county = new_course(title="甲"), new_course(base=tenants.base_county, actor=tenants.admin_county)
    other = new_course(base=tenants.base_b, actor=tenants.admin_b)
    clock.set(at("2025-06-01", "08:00"))
    submit(client, county, api_headers(tenants.admin_county))
    clock.set(at("2025-06-01", "09:00"))
    submit(client, first, api_headers(tenants.admin_a))
    submit(client, other, api_headers(tenants.admin_b))
    items = client.get("/api/v1/filings?status=submitted", headers=api_headers(tenants.officer_a)).json["items"]
    assert [c["id"] for c in items] == [county.id, first.id]
    assert items[0]["filing_status"] == "submitted" and "sessions" in items[0]
    assert [c["id"] for c in client.get("/api/v1/filings", headers=api_headers(tenants.officer_b)).json["items"]] == [
        other.id
    ]
    answer = client.get("/api/v1/filings?status=approved", headers=api_headers(tenants.officer_a)).json
    assert answer == {"items": [], "next": None}
    assert client.get("/api/v1/filings?status=nope", headers=api_headers(tenants.officer_a)).status_code == 422
    assert client.get("/api/v1/filings", headers=api_headers(tenants.admin_a)).status_code == 403


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin_a", 200),
        ("officer_a", 200),
        ("officer_province", 200),
        ("sysadmin", 200),
        ("admin_b", 404),
        ("officer_b", 404),
        ("trainee", 403),
    ],
)
def test_filing_pdf_walls(client, tenants, api_headers, new_course, who, status):
    course = new_course()
    response = client.get(f"/api/v1/courses/{course.id}/filing.pdf", headers=api_headers(getattr(tenants, who)))
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_openapi_describes_the_filing_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "post" in paths["/api/v1/courses/{course_id}/filing"]
    assert "post" in paths["/api/v1/courses/{course_id}/filing/decision"]
    assert "get" in paths["/api/v1/filings"]
    assert "get" in paths["/api/v1/courses/{course_id}/filing.pdf"]


def test_an_edit_filing_refuses_rolls_back_whole(client, tenants, api_headers, new_course, db):
    """filing refuses while handling courses' course_changed: the caller gets the refusal and the
    edit (fields and audit record) is not stored."""
    course = new_course()
    assert submit(client, course, api_headers(tenants.admin_a)).status_code == 200
    assert decide(client, course, api_headers(tenants.officer_a)).status_code == 200
    response = client.patch(
        f"/api/v1/courses/{course.id}",
        json={"responsible": "", "title": "改了名"},
        headers=api_headers(tenants.admin_a),
    )
    assert (response.status_code, response.json["error"]["code"]) == (422, "filing_incomplete")
    db.session.expire_all()
    assert course.title != "改了名" and course.responsible and course.filing_status == "approved"
    updated = db.select(db.func.count()).select_from(AuditRecord).where(AuditRecord.action == "course.updated")
    assert db.session.scalar(updated) == 0
