"""Batch filing decisions (issue 11, API.md `POST /api/v1/filings/decisions`): each course decided
on its own, in the order given, each audited; refused items reported, never undoing the others."""

import pytest

from basesys.core.audit import AuditRecord
from basesys.courses.models import Course

pytestmark = pytest.mark.usefixtures("clock")

URL = "/api/v1/filings/decisions"


def batch(client, headers, course_ids, decision="approve", comment="同意备案。"):
    return client.post(URL, json={"course_ids": course_ids, "decision": decision, "comment": comment}, headers=headers)


def decisions_of(db, course_ids):
    rows = db.session.scalars(
        db.select(AuditRecord)
        .where(AuditRecord.object_type == "course", AuditRecord.action.in_(("filing.approved", "filing.returned")))
        .order_by(AuditRecord.id)
    )
    return [(r.object_id, r.action, r.reason) for r in rows if r.object_id in course_ids]


@pytest.fixture
def mixed(tenants, make_course):
    """Three submitted filings in city A's scope (one of the county), one already approved, one of
    city B, one draft."""
    ns = type("Mixed", (), {})()
    ns.first = make_course(base=tenants.base_a, status="submitted", title="第一")
    ns.county = make_course(base=tenants.base_county, status="submitted", title="区县")
    ns.approved = make_course(base=tenants.base_a, status="approved", title="已备案")
    ns.other_city = make_course(base=tenants.base_b, status="submitted", title="别的城市")
    ns.draft = make_course(base=tenants.base_a, status="draft", title="草稿")
    ns.last = make_course(base=tenants.base_a, status="submitted", title="最后")
    return ns


def test_mixed_batch_decides_each_on_its_own_in_order(client, db, tenants, api_headers, mixed):
    ids = [mixed.last.id, mixed.approved.id, mixed.other_city.id, 2_000_000, mixed.first.id, mixed.draft.id]
    ids.append(mixed.county.id)
    response = batch(client, api_headers(tenants.officer_a), ids)
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["course_id"] for r in results] == ids
    by_id = {r["course_id"]: r for r in results}
    for course in (mixed.last, mixed.first, mixed.county):
        assert by_id[course.id]["filing_status"] == "approved" and "error" not in by_id[course.id]
        assert by_id[course.id]["filing_number"].startswith("备2025-")
    assert by_id[mixed.approved.id]["error"]["code"] == "filing_not_submitted"
    assert by_id[mixed.approved.id]["filing_status"] == "approved"
    assert by_id[mixed.draft.id]["error"]["code"] == "filing_not_submitted"
    assert by_id[mixed.draft.id]["filing_status"] == "draft"
    # Another city's course and an unknown id read the same: nothing about either is revealed.
    for unknown in (mixed.other_city.id, 2_000_000):
        assert by_id[unknown] == {
            "course_id": unknown,
            "filing_status": None,
            "filing_number": None,
            "error": {"code": "not_found", "message": "未找到该对象。"},
        }
    db.session.expire_all()
    assert db.session.get(Course, mixed.other_city.id).filing_status == "submitted"
    decided = [mixed.last.id, mixed.first.id, mixed.county.id]
    assert decisions_of(db, set(ids)) == [(i, "filing.approved", "同意备案。") for i in decided]


def test_batch_numbers_follow_the_order_given(client, db, tenants, api_headers, mixed):
    response = batch(client, api_headers(tenants.officer_a), [mixed.last.id, mixed.first.id])
    numbers = [r["filing_number"] for r in response.json["results"]]
    assert numbers == [f"备2025-{tenants.base_a.code}-0001", f"备2025-{tenants.base_a.code}-0002"]


def test_batch_return_with_one_comment(client, db, tenants, api_headers, mixed):
    response = batch(client, api_headers(tenants.officer_a), [mixed.first.id, mixed.last.id], "return", "请补充师资。")
    assert [r["filing_status"] for r in response.json["results"]] == ["returned", "returned"]
    assert decisions_of(db, {mixed.first.id, mixed.last.id}) == [
        (mixed.first.id, "filing.returned", "请补充师资。"),
        (mixed.last.id, "filing.returned", "请补充师资。"),
    ]


def test_batch_return_without_comment_decides_nothing(client, db, tenants, api_headers, mixed):
    response = batch(client, api_headers(tenants.officer_a), [mixed.first.id], "return", "  ")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "comment_required" and "comment" in response.json["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Course, mixed.first.id).filing_status == "submitted"
    assert decisions_of(db, {mixed.first.id}) == []


def test_the_same_course_twice_is_decided_once(client, db, tenants, api_headers, mixed):
    response = batch(client, api_headers(tenants.officer_a), [mixed.first.id, mixed.first.id])
    first, second = response.json["results"]
    assert first["filing_status"] == "approved" and "error" not in first
    assert second["error"]["code"] == "filing_not_submitted"
    assert len(decisions_of(db, {mixed.first.id})) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"course_ids": [], "decision": "approve"},
        {"course_ids": list(range(1, 202)), "decision": "approve"},
        {"course_ids": [0], "decision": "approve"},
        {"course_ids": [2**31], "decision": "approve"},
        {"course_ids": ["x"], "decision": "approve"},
        {"course_ids": [1], "decision": "maybe"},
        {"decision": "approve"},
    ],
)
def test_bad_bodies_are_422(client, tenants, api_headers, body):
    response = client.post(URL, json=body, headers=api_headers(tenants.officer_a))
    assert (response.status_code, response.json["error"]["code"]) == (422, "validation_failed")


def test_two_hundred_is_the_bound(client, tenants, api_headers):
    response = batch(client, api_headers(tenants.officer_a), list(range(1_000_000, 1_000_200)))
    assert response.status_code == 200 and len(response.json["results"]) == 200
    assert {r["error"]["code"] for r in response.json["results"]} == {"not_found"}


@pytest.mark.parametrize("who", ["officer_b", "officer_county"])
def test_walls_per_officer(client, db, tenants, api_headers, mixed, who):
    """City B sees nothing of city A; the county officer decides its own base only."""
    response = batch(client, api_headers(getattr(tenants, who)), [mixed.first.id, mixed.county.id])
    codes = [r.get("error", {}).get("code") for r in response.json["results"]]
    assert codes == (["not_found", "not_found"] if who == "officer_b" else ["not_found", None])


@pytest.mark.parametrize("who", ["admin_a", "sysadmin", "trainee"])
def test_other_roles_are_403(client, tenants, api_headers, mixed, who):
    response = batch(client, api_headers(getattr(tenants, who)), [mixed.first.id])
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")


def test_anonymous_is_401(client, mixed):
    response = client.post(URL, json={"course_ids": [mixed.first.id], "decision": "approve"})
    assert (response.status_code, response.json["error"]["code"]) == (401, "unauthorized")


# --- the inbox page ------------------------------------------------------------------------------


def test_inbox_ticks_and_approves_in_one_go(client, db, login, tenants, mixed):
    login(tenants.officer_a)
    page = client.get("/filing/").get_data(as_text=True)
    assert 'name="course_ids"' in page and "批量通过" in page and "批量退回" in page
    assert f'value="{mixed.other_city.id}"' not in page
    ids = [mixed.first.id, mixed.approved.id, mixed.county.id]
    response = client.post("/filing/decisions", data={"course_ids": ids, "decision": "approve", "comment": ""})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "已通过 2 项，1 项未处理：《已备案》（该课程当前不在待审核状态，不能审核。）" in page
    assert decisions_of(db, set(ids)) == [
        (mixed.first.id, "filing.approved", ""),
        (mixed.county.id, "filing.approved", ""),
    ]


def test_inbox_batch_all_decided_says_so(client, db, login, tenants, mixed):
    login(tenants.officer_a)
    data = {"course_ids": [mixed.first.id, mixed.last.id], "decision": "return", "comment": "请补充师资。"}
    response = client.post("/filing/decisions", data=data)
    assert "已退回 2 项。" in client.get(response.location).get_data(as_text=True)
    assert [r[1] for r in decisions_of(db, {mixed.first.id, mixed.last.id})] == ["filing.returned"] * 2


def test_inbox_batch_return_without_comment_is_a_form_error(client, db, login, tenants, mixed):
    login(tenants.officer_a)
    response = client.post("/filing/decisions", data={"course_ids": [mixed.first.id], "decision": "return"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "退回时必须填写审核意见" in page
    assert "checked" in page  # the ticks are kept
    assert decisions_of(db, {mixed.first.id}) == []


@pytest.mark.parametrize("data", [{"decision": "approve"}, {"course_ids": ["x"], "decision": "approve"}])
def test_inbox_batch_refuses_bad_input(client, login, tenants, data):
    login(tenants.officer_a)
    response = client.post("/filing/decisions", data=data)
    assert response.status_code == 422


def test_inbox_batch_of_another_city_decides_nothing(client, db, login, tenants, mixed):
    login(tenants.officer_b)
    data = {"course_ids": [mixed.first.id], "decision": "approve"}
    page = client.get(client.post("/filing/decisions", data=data).location).get_data(as_text=True)
    assert f"#{mixed.first.id}（未找到该对象。）" in page and "第一" not in page
    assert decisions_of(db, {mixed.first.id}) == []


@pytest.mark.parametrize("who", ["admin_a", "sysadmin", "trainee"])
def test_inbox_batch_is_for_officers(client, login, tenants, mixed, who):
    login(getattr(tenants, who))
    assert (
        client.post("/filing/decisions", data={"course_ids": [mixed.first.id], "decision": "approve"}).status_code
        == 403
    )


def test_inbox_batch_anonymous_goes_to_login(client, mixed):
    response = client.post("/filing/decisions", data={"course_ids": [mixed.first.id], "decision": "approve"})
    assert response.status_code == 302 and "login" in response.location
