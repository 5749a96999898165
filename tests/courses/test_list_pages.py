"""Keyset pages of the course lists (issue 11): `limit`, `after` = the previous page's `next`."""

from datetime import timedelta

import pytest

from basesys.extensions import db


def _ids(client, path, headers):
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [c["id"] for c in answer.json["items"]], answer.json["next"]


def _walk(client, path, headers, limit):
    seen, after = [], None
    while True:
        cursor = f"&after={after}" if after else ""
        ids, after = _ids(client, f"{path}{'&' if '?' in path else '?'}limit={limit}{cursor}", headers)
        seen += ids
        assert len(ids) <= limit
        if after is None:
            return seen


def test_pages_walk_the_whole_list_in_order_without_repeats(client, tenants, make_course, api_headers):
    made = [make_course(base=tenants.base_a, title=f"课程{i}").id for i in range(7)]
    headers = api_headers(tenants.admin_a)
    everything, last = _ids(client, "/api/v1/courses", headers)
    assert everything == sorted(made, reverse=True) and last is None
    assert _walk(client, "/api/v1/courses", headers, 3) == everything
    assert _walk(client, "/api/v1/courses?status=approved", headers, 1) == everything


def test_the_filings_inbox_pages_oldest_first(client, tenants, make_course, api_headers, now):
    made = []
    for i in range(5):
        course = make_course(base=tenants.base_a, status="submitted", title=f"待审{i}")
        course.submitted_at = now - timedelta(hours=10 - i)
        made.append(course.id)
    db.session.commit()
    headers = api_headers(tenants.officer_a)
    assert _walk(client, "/api/v1/filings", headers, 2) == made


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=x", "after=0", "after=99999999999"])
def test_bad_paging_is_a_field_error(client, tenants, api_headers, query):
    answer = client.get(f"/api/v1/courses?{query}", headers=api_headers(tenants.admin_a))
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {query.split("=")[0]}


def test_a_cursor_outside_the_scope_is_the_same_error_as_an_unknown_one(client, tenants, make_course, api_headers):
    theirs = make_course(base=tenants.base_b)
    answer = client.get(f"/api/v1/courses?after={theirs.id}", headers=api_headers(tenants.admin_a))
    assert answer.status_code == 422 and "after" in answer.json["error"]["fields"]
    unknown = client.get("/api/v1/courses?after=999999", headers=api_headers(tenants.admin_a))
    assert unknown.json == answer.json


def test_the_base_admins_list_orders_in_sql_and_pages(db, now, tenants, make_course):
    """Upcoming and running soonest first, then past latest first, then those without sessions,
    newest first; a page at a time (courses.services.list_base_courses)."""
    from basesys.courses.models import CourseSession
    from basesys.courses.services import list_base_courses
    from tests.conftest import at

    def course(title, day):
        return make_course(base=tenants.base_a, title=title, sessions=[(at(day, "09:00"), at(day, "12:00"))])

    for title, day in (("下月", "2025-07-10"), ("明天", "2025-06-02"), ("上月", "2025-05-10"), ("去年", "2024-05-10")):
        course(title, day)
    empty_old, empty_new = course("无课次一", "2025-06-20"), course("无课次二", "2025-06-21")
    for bare in (empty_old, empty_new):
        db.session.delete(db.session.get(CourseSession, bare.sessions[0].id))
        db.session.flush()
    db.session.commit()
    titles = [c.title for c in list_base_courses(tenants.base_a.id, now=at("2025-06-01", "10:00"), size=100)[0]]
    mine = [t for t in titles if t in {"下月", "明天", "上月", "去年", "无课次一", "无课次二"}]
    assert mine == ["明天", "下月", "上月", "去年", "无课次二", "无课次一"]
    first, total, page = list_base_courses(tenants.base_a.id, now=now, page=1, size=2)
    second, _, _ = list_base_courses(tenants.base_a.id, now=now, page=2, size=2)
    assert len(first) == 2 and not {c.id for c in first} & {c.id for c in second} and total >= 6
    assert list_base_courses(tenants.base_a.id, now=now, page=10**9, size=2)[2] == (total + 1) // 2
