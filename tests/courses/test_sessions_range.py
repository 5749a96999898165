"""Sessions lie in the years 2000–2100 (issue 10): year 9999 was accepted, year 1 with +14:00 a 500."""

import pytest

from basesys.courses.models import Course
from tests.courses.test_views import course_form

pytestmark = pytest.mark.usefixtures("clock")


def _body(start: str, end: str) -> dict:
    return {"title": "培训", "category": "public", "kind": "course", "sessions": [{"starts_at": start, "ends_at": end}]}


@pytest.mark.parametrize("year", ["9999", "2101", "1999"])
def test_the_api_refuses_a_session_outside_the_range(client, tenants, api_headers, db, year):
    body = _body(f"{year}-06-10T09:00:00+08:00", f"{year}-06-10T12:00:00+08:00")
    response = client.post("/api/v1/courses", json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 422, response.text
    error = response.get_json()["error"]
    assert error["code"] == "session_out_of_range"
    assert "2000–2100" in error["fields"]["sessions.0.starts_at"]
    assert db.session.scalar(db.select(Course)) is None


@pytest.mark.parametrize("day", ["9999-06-16", "0001-01-01"])
def test_the_course_page_refuses_a_session_outside_the_range(client, login, tenants, db, day):
    login(tenants.admin_a)
    data = course_form(**{"sessions-0-day": day})
    data = {key: value for key, value in data.items() if not key.startswith("sessions-3-")}
    response = client.post("/courses/new", data=data)
    assert response.status_code == 422
    assert "2000–2100" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Course)) is None
