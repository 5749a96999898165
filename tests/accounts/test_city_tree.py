"""A city-only deployment (DOMAIN.md §1, API.md "Accounts"): a city bureau at the top, a county
under it, a base under the county; its course is filed and approved by the CITY officer, and the
roster is submitted and accepted — every step over the API, as an integrator would."""

import pytest

from tests.conftest import PASSWORD, at

pytestmark = pytest.mark.usefixtures("clock")

COURSE = {
    "title": "城市更新专题培训",
    "category": "professional",
    "kind": "course",
    "delivery": "offline",
    "location": "枣庄",
    "target": "工程系列",
    "planned_headcount": 20,
    "responsible": "王主任",
    "contact": "李老师",
    "contact_phone": "0632-1234567",
    "plan": "一天",
    "attendance_mode": "in_out",
    "sessions": [{"starts_at": "2025-06-16T09:00:00+08:00", "ends_at": "2025-06-16T12:00:00+08:00"}],
}


def _created(response):
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def city_tree(client, make_user, api_headers):
    """The tree a city-only deployment sets up: city (no parent) > county > base, and their staff."""
    sysadmin = api_headers(make_user("sysadmin"))
    post = lambda path, body: _created(client.post(f"/api/v1/{path}", json=body, headers=sysadmin))  # noqa: E731
    city = post("bureaus", {"name": "枣庄市人社局", "level": "city"})
    county = post("bureaus", {"name": "市中区人社局", "level": "county", "parent_id": city["id"]})
    base = post(
        "bases",
        {"name": "区属基地", "level": "municipal", "credit_code": "12370400MB0000001N", "bureau_id": county["id"]},
    )
    post("users", {"username": "city_officer", "password": PASSWORD, "role": "bureau_officer", "bureau_id": city["id"]})
    post("users", {"username": "base_admin", "password": PASSWORD, "role": "base_admin", "base_id": base["id"]})
    return {"city": city, "county": county, "base": base}


def _token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_a_base_under_a_county_of_a_top_city_files_and_rosters(client, clock, city_tree, make_trainee):
    assert city_tree["city"]["parent_id"] is None and city_tree["base"]["bureau_id"] == city_tree["county"]["id"]
    admin, officer = _token(client, "base_admin"), _token(client, "city_officer")
    course = _created(client.post("/api/v1/courses", json=COURSE, headers=admin))
    assert course["base_id"] == city_tree["base"]["id"]
    url = f"/api/v1/courses/{course['id']}"

    assert client.post(url + "/filing", headers=admin).json["filing_status"] == "submitted"
    assert client.get("/api/v1/filings?status=submitted", headers=officer).json["items"][0]["id"] == course["id"]
    approved = client.post(url + "/filing/decision", json={"decision": "approve", "comment": ""}, headers=officer)
    assert approved.status_code == 200 and approved.json["filing_status"] == "approved"

    trainee = make_trainee(name="孙悦")
    enrolled = client.post(url + "/enrollments", json={"id_number": trainee.id_number}, headers=admin)
    assert enrolled.status_code == 201
    clock.set(at("2025-06-16", "13:00"))
    session_id = course["sessions"][0]["id"]
    for purpose, moment in (("in", "2025-06-16T09:00:00+08:00"), ("out", "2025-06-16T12:00:00+08:00")):
        entry = {"id_number": trainee.id_number, "purpose": purpose, "at": moment, "reason": "扫码设备故障"}
        assert client.post(f"/api/v1/sessions/{session_id}/attendance", json=entry, headers=admin).status_code == 201

    clock.set(at("2025-06-17", "09:00"))
    finalized = client.post(url + "/finalize", headers=admin)
    assert finalized.status_code == 200 and finalized.json["completed"] == 1
    roster = client.post(url + "/roster", headers=admin)
    assert roster.status_code == 200 and roster.json["status"] == "submitted" and len(roster.json["rows"]) == 1
    accepted = client.post(url + "/roster/decision", json={"decision": "accept"}, headers=officer)
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
