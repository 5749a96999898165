"""Statements per request do not grow with the number of rows listed (issue 11): lists eager-load
what they show and scope in SQL. Each case lists once with a few rows and once with many more."""

import pytest

from basesys.rosters import services as rosters
from tests.statements import counted


def _statements(client, db, path, headers) -> int:
    db.session.expire_all()
    with counted(db.engine) as statements:
        answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return len(statements)


def _courses(make_course, tenants, n, status):
    for i in range(n):
        make_course(base=tenants.base_a if i % 2 else tenants.base_county, status=status, title=f"课程{i}")


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        ("/api/v1/courses", "admin_a", "approved"),
        ("/api/v1/courses", "officer_a", "approved"),
        ("/api/v1/filings?status=approved", "officer_a", "approved"),
        ("/api/v1/filings", "officer_province", "submitted"),
    ],
)
def test_course_lists_take_the_same_statements_for_more_courses(
    client, db, tenants, make_course, api_headers, path, who, status
):
    headers = api_headers(getattr(tenants, who))
    _courses(make_course, tenants, 2, status)
    few = _statements(client, db, path, headers)
    _courses(make_course, tenants, 12, status)
    assert _statements(client, db, path, headers) == few


def _history(tenants, make_course, enroll, finalize, n):
    for i in range(n):
        course = make_course(base=tenants.base_a, title=f"历史课程{i}")
        enroll(course, tenants.trainee)
        finalize(course, {tenants.trainee: (3.0, True)})


@pytest.mark.parametrize("path", ["/api/v1/me/hours?year=2025", "/api/v1/me/certificates"])
def test_a_trainees_own_lists_take_the_same_statements_for_a_longer_history(
    client, db, tenants, make_course, enroll, finalize, api_headers, path
):
    headers = api_headers(tenants.trainee)
    _history(tenants, make_course, enroll, finalize, 2)
    few = _statements(client, db, path, headers)
    _history(tenants, make_course, enroll, finalize, 10)
    assert _statements(client, db, path, headers) == few


def test_the_roster_list_pages_with_the_same_statements(
    client, db, tenants, make_course, enroll, finalize, api_headers
):
    def rosters_of(n):
        for i in range(n):
            course = make_course(base=tenants.base_a if i % 2 else tenants.base_county, title=f"名单{i}")
            enroll(course, tenants.trainee)
            finalize(course, {tenants.trainee: (3.0, True)})
            rosters.submit_roster(tenants.admin_a if i % 2 else tenants.admin_county, course, now=course.ends_at)
        db.session.commit()

    headers = api_headers(tenants.officer_a)
    rosters_of(2)
    few = _statements(client, db, "/api/v1/rosters", headers)
    rosters_of(8)
    assert _statements(client, db, "/api/v1/rosters", headers) == few
    seen, after = [], None
    while True:
        answer = client.get(f"/api/v1/rosters?limit=3{f'&after={after}' if after else ''}", headers=headers).json
        seen += [item["course_id"] for item in answer["items"]]
        after = answer["next"]
        if after is None:
            break
    everything = [item["course_id"] for item in client.get("/api/v1/rosters", headers=headers).json["items"]]
    assert seen == everything and len(everything) == 10
