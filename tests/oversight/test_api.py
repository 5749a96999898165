"""GET /api/v1/anomalies and POST /api/v1/anomalies/{id}/review: answers, refusals and walls."""

import pytest

from basesys.oversight.models import Anomaly
from tests.conftest import at

DAY_END = at("2025-06-02", "20:00")


@pytest.fixture
def finding(shared_phone, detect):
    (found,) = detect(DAY_END, "shared_device")
    return found


def test_the_list_answers_the_documented_fields(finding, client, api_headers, tenants):
    body = client.get("/api/v1/anomalies?kind=shared_device&status=open", headers=api_headers(tenants.officer_a))
    assert body.status_code == 200
    (item,) = body.get_json()["items"]
    assert item["id"] == finding.id and item["kind"] == "shared_device" and item["base_id"] == tenants.base_a.id
    assert item["course_id"] is None and item["detected_on"] == "2025-06-02" and item["status"] == "open"
    assert item["trainee_ids"] == sorted([tenants.trainee.id, tenants.other_trainee.id]) and item["summary"]


def test_review_through_the_api(finding, client, api_headers, tenants, db):
    url, headers = f"/api/v1/anomalies/{finding.id}/review", api_headers(tenants.officer_a)
    missing = client.post(url, json={}, headers=headers)
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "comment_required"
    done = client.post(url, json={"comment": "已核实"}, headers=headers)
    assert done.status_code == 200 and done.get_json() == {"id": finding.id, "status": "reviewed"}
    again = client.post(url, json={"comment": "再次"}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "anomaly_already_reviewed"
    listed = client.get("/api/v1/anomalies?status=reviewed", headers=headers).get_json()["items"]
    assert [item["id"] for item in listed] == [finding.id] and listed[0]["review_comment"] == "已核实"


WALLS = [("officer_b", 404), ("officer_county", 404), ("admin_a", 403), ("trainee", 403)]


@pytest.mark.parametrize("who, status", WALLS)
def test_walls_of_the_review(finding, client, api_headers, tenants, db, who, status):
    response = client.post(
        f"/api/v1/anomalies/{finding.id}/review", json={"comment": "x"}, headers=api_headers(getattr(tenants, who))
    )
    assert response.status_code == status
    assert db.session.get(Anomaly, finding.id).status == "open"


@pytest.mark.parametrize("who, status", [("admin_a", 403), ("trainee", 403), ("sysadmin", 403)])
def test_the_list_is_for_officers(finding, client, api_headers, tenants, who, status):
    assert client.get("/api/v1/anomalies", headers=api_headers(getattr(tenants, who))).status_code == status


def test_the_list_of_another_city_is_empty_and_its_base_filter_404s(finding, client, api_headers, tenants):
    headers = api_headers(tenants.officer_b)
    assert client.get("/api/v1/anomalies", headers=headers).get_json()["items"] == []
    assert client.get(f"/api/v1/anomalies?base_id={tenants.base_a.id}", headers=headers).status_code == 404
    mine = client.get(f"/api/v1/anomalies?base_id={tenants.base_a.id}", headers=api_headers(tenants.officer_a))
    assert [item["id"] for item in mine.get_json()["items"]] == [finding.id]


def test_without_a_token_401(client, db):
    assert client.get("/api/v1/anomalies").status_code == 401
    assert client.post("/api/v1/anomalies/1/review", json={"comment": "x"}).status_code == 401
