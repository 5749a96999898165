"""The "Roster filing" endpoints of API.md: statuses, codes, scope (404) and roles (403)."""

import csv
import io

from openpyxl import load_workbook

from basesys.certificates.models import LedgerEntry
from basesys.extensions import db
from tests.rosters.test_exports import SECTION_9


def test_submit_before_finalisation_is_409(clock, client, api_headers, tenants, make_course, enroll):
    course = make_course(base=tenants.base_a)
    enroll(course, tenants.trainee)
    response = client.post(f"/api/v1/courses/{course.id}/roster", headers=api_headers(tenants.admin_a))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "course_not_finalized"
    assert response.json["error"]["message"].startswith("该培训项目尚未结业")


def test_submit_get_and_accept(clock, client, api_headers, tenants, finished):
    url = f"/api/v1/courses/{finished.id}/roster"
    before = client.get(url, headers=api_headers(tenants.officer_a))
    assert before.status_code == 200 and before.json["status"] == "pending" and before.json["due_on"] == "2025-06-19"

    response = client.post(url, headers=api_headers(tenants.admin_a))
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "submitted" and body["due_on"] == "2025-06-19" and len(body["rows"]) == 3
    row = body["rows"][0]
    assert row["id_number"] == tenants.trainee.id_number and row["gender"] in ("male", "female")
    assert row["completed"] is True and row["credited_hours"] == 8.0 and row["certificate_number"]
    assert client.post(url, headers=api_headers(tenants.admin_a)).json["error"]["code"] == "roster_already_submitted"

    got = client.get(url, headers=api_headers(tenants.admin_a)).json
    assert got["status"] == "submitted" and got["rows"] == body["rows"]

    decided = client.post(url + "/decision", json={"decision": "accept"}, headers=api_headers(tenants.officer_a))
    assert decided.status_code == 200 and decided.json["status"] == "accepted"
    statuses = set(db.session.scalars(db.select(LedgerEntry.status).where(LedgerEntry.course_id == finished.id)))
    assert statuses == {"recognized"}


def test_return_needs_a_comment_then_resubmission(clock, client, api_headers, tenants, finished):
    url = f"/api/v1/courses/{finished.id}/roster"
    client.post(url, headers=api_headers(tenants.admin_a))
    response = client.post(url + "/decision", json={"decision": "return"}, headers=api_headers(tenants.officer_a))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "comment_required" and "comment" in response.json["error"]["fields"]
    bad = client.post(url + "/decision", json={"decision": "maybe"}, headers=api_headers(tenants.officer_a))
    assert bad.status_code == 422 and "decision" in bad.json["error"]["fields"]
    returned = client.post(
        url + "/decision", json={"decision": "return", "comment": "职称缺失"}, headers=api_headers(tenants.officer_a)
    )
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    assert returned.json["comment"] == "职称缺失"
    again = client.post(url, headers=api_headers(tenants.admin_a))
    assert again.status_code == 200 and again.json["status"] == "submitted"
    twice = client.post(url + "/decision", json={"decision": "accept"}, headers=api_headers(tenants.officer_province))
    assert twice.json["status"] == "accepted"
    late = client.post(url + "/decision", json={"decision": "accept"}, headers=api_headers(tenants.officer_a))
    assert late.status_code == 409 and late.json["error"]["code"] == "roster_not_submitted"


def test_scope_is_404_and_roles_are_403(clock, client, api_headers, tenants, finished):
    url = f"/api/v1/courses/{finished.id}/roster"
    for actor in (tenants.admin_b, tenants.officer_b, tenants.officer_county):
        for suffix in ("", ".xlsx", ".csv"):
            assert client.get(url + suffix, headers=api_headers(actor)).status_code == 404
    assert client.post(url, headers=api_headers(tenants.admin_b)).status_code == 404
    assert client.post(url, headers=api_headers(tenants.officer_a)).status_code == 403
    assert client.get(url, headers=api_headers(tenants.trainee)).status_code == 403
    assert client.get(url).status_code == 401
    client.post(url, headers=api_headers(tenants.admin_a))
    decision = {"decision": "accept"}
    assert client.post(url + "/decision", json=decision, headers=api_headers(tenants.officer_b)).status_code == 404
    assert client.post(url + "/decision", json=decision, headers=api_headers(tenants.admin_a)).status_code == 403
    assert client.get("/api/v1/courses/999999/roster", headers=api_headers(tenants.officer_a)).status_code == 404


def test_xlsx_and_csv_downloads(clock, client, api_headers, tenants, finished):
    url = f"/api/v1/courses/{finished.id}/roster"
    response = client.get(url + ".xlsx", headers=api_headers(tenants.officer_a))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == SECTION_9
    assert sheet.cell(row=2, column=4).value == tenants.trainee.id_number
    response = client.get(url + ".csv", headers=api_headers(tenants.admin_a))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))) == SECTION_9


def test_downloads_before_finalisation_are_409(clock, client, api_headers, tenants, make_course):
    course = make_course(base=tenants.base_a)
    response = client.get(f"/api/v1/courses/{course.id}/roster.xlsx", headers=api_headers(tenants.officer_a))
    assert response.status_code == 409 and response.json["error"]["code"] == "course_not_finalized"
    state = client.get(f"/api/v1/courses/{course.id}/roster", headers=api_headers(tenants.officer_a)).json
    assert state["status"] == "pending" and state["finalized"] is False and state["rows"] == []


def test_list_and_accepted_exports(clock, client, api_headers, tenants, finished):
    client.post(f"/api/v1/courses/{finished.id}/roster", headers=api_headers(tenants.admin_a))
    items = client.get("/api/v1/rosters?status=submitted", headers=api_headers(tenants.officer_a)).json["items"]
    assert [i["course_id"] for i in items] == [finished.id]
    assert client.get("/api/v1/rosters", headers=api_headers(tenants.officer_b)).json["items"] == []
    assert client.get("/api/v1/rosters?status=nope", headers=api_headers(tenants.officer_a)).status_code == 422
    client.post(
        f"/api/v1/courses/{finished.id}/roster/decision",
        json={"decision": "accept"},
        headers=api_headers(tenants.officer_a),
    )
    response = client.get(
        "/api/v1/rosters/accepted.csv?start=2025-01-01&end=2030-12-31", headers=api_headers(tenants.officer_a)
    )
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))) == 4
    response = client.get(
        "/api/v1/rosters/accepted.xlsx?start=2025-01-01&end=2030-12-31", headers=api_headers(tenants.officer_b)
    )
    assert load_workbook(io.BytesIO(response.data)).active.max_row == 1  # city B sees none of city A's
    bad = client.get(
        "/api/v1/rosters/accepted.csv?start=2025-02-01&end=2025-01-01", headers=api_headers(tenants.officer_a)
    )
    assert bad.status_code == 422 and "end" in bad.json["error"]["fields"]
    assert (
        client.get("/api/v1/rosters/accepted.csv?start=x&end=y", headers=api_headers(tenants.officer_a)).status_code
        == 422
    )
    assert (
        client.get(
            "/api/v1/rosters/accepted.csv?start=2025-01-01&end=2025-02-01", headers=api_headers(tenants.admin_a)
        ).status_code
        == 403
    )


def test_every_roster_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/courses/{course_id}/roster"]) == {"get", "post"}
    assert "post" in paths["/api/v1/courses/{course_id}/roster/decision"]
    assert "get" in paths["/api/v1/courses/{course_id}/roster.xlsx"]
    assert "get" in paths["/api/v1/courses/{course_id}/roster.csv"]


def test_status_becomes_overdue_after_the_due_date_unless_submitted(clock, client, api_headers, tenants, finished):
    from tests.conftest import at

    url = f"/api/v1/courses/{finished.id}/roster"
    clock.set(at("2025-06-20", "00:01"))
    assert client.get(url, headers=api_headers(tenants.officer_a)).json["status"] == "overdue"
    late = client.post(url, headers=api_headers(tenants.admin_a)).json
    assert late["status"] == "submitted" and late["submitted_late"] is True
    clock.set(at("2025-08-01", "09:00"))
    assert client.get(url, headers=api_headers(tenants.officer_a)).json["status"] == "submitted"
