"""The "Courses" and "Enrolment" endpoints of API.md: shapes, codes, tenant walls."""

import io

import pytest

from basesys.core.phones import PHONE_MESSAGE
from basesys.courses.models import Course, Enrollment
from tests.conftest import valid_id_number

pytestmark = pytest.mark.usefixtures("clock")

SEMINAR = {
    "title": "数字经济高级研修班",
    "category": "professional",
    "kind": "advanced_seminar",
    "delivery": "offline",
    "location": "枣庄",
    "target": "工程系列",
    "planned_headcount": 40,
    "responsible": "王主任",
    "contact": "李老师",
    "contact_phone": "0632-1234567",
    "plan": "两天研修",
    "attendance_mode": "in_out",
    "sessions": [
        {"starts_at": "2025-06-16T09:00:00+08:00", "ends_at": "2025-06-16T12:00:00+08:00", "title": "开班"},
        {"starts_at": "2025-06-17T01:00:00Z", "ends_at": "2025-06-17T04:00:00Z"},
    ],
}


def test_create_course_answers_the_course_json(client, tenants, api_headers):
    response = client.post("/api/v1/courses", json=SEMINAR, headers=api_headers(tenants.admin_a))
    assert response.status_code == 201, response.json
    body = response.json
    for key in [
        "id",
        "base_id",
        "title",
        "category",
        "kind",
        "attendance_mode",
        "pass_ratio",
        "filing_status",
        "filing_number",
        "filing_late",
        "planned_days",
        "planned_hours",
        "sessions",
        "finalized",
    ]:
        assert key in body
    assert body["base_id"] == tenants.base_a.id and body["filing_status"] == "draft"
    assert (body["planned_days"], body["planned_hours"], body["pass_ratio"]) == (2, 16.0, 0.8)
    assert body["sessions"][1] == {
        "id": body["sessions"][1]["id"],
        "starts_at": "2025-06-17T09:00:00+08:00",
        "ends_at": "2025-06-17T12:00:00+08:00",
        "credit_hours": 4.0,
        "title": "",
        "venue_id": None,
        "venue": "",
        "teacher_ids": [],
        "teachers": [],
    }
    assert body["finalized"] is False and body["filing_number"] is None


def test_create_refuses_datetimes_without_offset(client, tenants, api_headers):
    body = dict(SEMINAR, sessions=[{"starts_at": "2025-06-16T09:00:00", "ends_at": "2025-06-16T12:00:00"}])
    response = client.post("/api/v1/courses", json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert "sessions.0.starts_at" in response.json["error"]["fields"]


@pytest.mark.parametrize(
    ("session", "code"),
    [
        (
            {"starts_at": "2025-06-16T12:00:00+08:00", "ends_at": "2025-06-16T09:00:00+08:00"},
            "session_ends_before_start",
        ),
        (
            {"starts_at": "2025-06-16T15:30:00+00:00", "ends_at": "2025-06-16T16:30:00+00:00"},
            "session_crosses_midnight",
        ),
        (
            {"starts_at": "2025-06-16T09:00:00+08:00", "ends_at": "2025-06-16T12:00:00+08:00", "credit_hours": 5},
            "credit_hours_above_duration",
        ),
    ],
)
def test_create_refuses_sessions_breaking_a_rule(client, tenants, api_headers, session, code):
    body = dict(SEMINAR, sessions=[session])
    response = client.post("/api/v1/courses", json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 422
    assert response.json["error"]["code"] == code
    assert response.json["error"]["fields"]


def test_create_refuses_overlaps_and_public_seminars(client, tenants, api_headers):
    overlap = dict(SEMINAR, sessions=[SEMINAR["sessions"][0], SEMINAR["sessions"][0]])
    response = client.post("/api/v1/courses", json=overlap, headers=api_headers(tenants.admin_a))
    assert response.json["error"]["code"] == "session_overlap"
    public = dict(SEMINAR, category="public")
    response = client.post("/api/v1/courses", json=public, headers=api_headers(tenants.admin_a))
    assert response.json["error"]["code"] == "seminar_must_be_professional"


@pytest.mark.parametrize("who", ["officer_a", "trainee", "sysadmin"])
def test_only_base_admins_create_courses(client, tenants, api_headers, who):
    response = client.post("/api/v1/courses", json=SEMINAR, headers=api_headers(getattr(tenants, who)))
    assert response.status_code == 403


def test_create_without_token_is_401(client, tenants):
    assert client.post("/api/v1/courses", json=SEMINAR).status_code == 401


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin_a", 200),
        ("officer_a", 200),
        ("officer_province", 200),
        ("sysadmin", 200),
        ("admin_b", 404),
        ("officer_b", 404),
        ("officer_county", 404),
        ("admin_county", 404),
    ],
)
def test_get_course_is_walled_by_tenant(client, tenants, api_headers, make_course, who, status):
    course = make_course(base=tenants.base_a, status="draft")
    response = client.get(f"/api/v1/courses/{course.id}", headers=api_headers(getattr(tenants, who)))
    assert response.status_code == status
    if status == 404:
        assert response.json["error"]["code"] == "not_found"


def test_get_unknown_course_is_404(client, tenants, api_headers):
    assert client.get("/api/v1/courses/999999", headers=api_headers(tenants.admin_a)).status_code == 404


def test_patch_changes_fields_and_keeps_sessions(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a, status="draft")
    response = client.patch(
        f"/api/v1/courses/{course.id}", json={"title": "新名称", "capacity": 30}, headers=api_headers(tenants.admin_a)
    )
    assert response.status_code == 200
    assert (response.json["title"], response.json["capacity"], len(response.json["sessions"])) == ("新名称", 30, 1)
    response = client.patch(
        f"/api/v1/courses/{course.id}", json={"capacity": None}, headers=api_headers(tenants.admin_a)
    )
    assert response.json["capacity"] is None


def test_patch_of_an_approved_course_files_a_change(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a, status="approved")
    session_id = course.sessions[0].id
    sessions = [
        {"id": session_id, "starts_at": "2025-06-10T09:00:00+08:00", "ends_at": "2025-06-10T12:00:00+08:00"},
        {"starts_at": "2025-06-11T09:00:00+08:00", "ends_at": "2025-06-11T12:00:00+08:00"},
    ]
    response = client.patch(
        f"/api/v1/courses/{course.id}", json={"sessions": sessions}, headers=api_headers(tenants.admin_a)
    )
    assert response.status_code == 200, response.json
    assert response.json["filing_status"] == "submitted"
    assert response.json["sessions"][0]["id"] == session_id
    assert response.json["planned_days"] == 2


def test_patch_contact_of_an_approved_course_keeps_it_approved(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a, status="approved")
    response = client.patch(
        f"/api/v1/courses/{course.id}", json={"contact": "赵"}, headers=api_headers(tenants.admin_a)
    )
    assert response.json["filing_status"] == "approved"


def test_patch_of_another_base_is_404_and_of_an_officer_403(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a, status="draft")
    assert (
        client.patch(
            f"/api/v1/courses/{course.id}", json={"title": "x"}, headers=api_headers(tenants.admin_b)
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/courses/{course.id}", json={"title": "x"}, headers=api_headers(tenants.officer_a)
        ).status_code
        == 403
    )


def test_list_courses_of_a_base(client, tenants, api_headers, make_course):
    mine = make_course(base=tenants.base_a, status="draft")
    make_course(base=tenants.base_b)
    response = client.get("/api/v1/courses?status=draft", headers=api_headers(tenants.admin_a))
    assert [c["id"] for c in response.json["items"]] == [mine.id]
    assert client.get("/api/v1/courses?status=nope", headers=api_headers(tenants.admin_a)).status_code == 422


# --- enrolment --------------------------------------------------------------------------------


def enroll_url(course):
    return f"/api/v1/courses/{course.id}/enrollments"


def test_admin_enrols_by_id_number(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a, status="draft")
    response = client.post(
        enroll_url(course), json={"id_number": tenants.trainee.id_number}, headers=api_headers(tenants.admin_a)
    )
    assert response.status_code == 201
    assert response.json == {"course_id": course.id, "trainee_id": tenants.trainee.id}
    again = client.post(
        enroll_url(course), json={"id_number": tenants.trainee.id_number}, headers=api_headers(tenants.admin_a)
    )
    assert (again.status_code, again.json["error"]["code"]) == (409, "already_enrolled")


def test_admin_enrols_an_unregistered_person_with_a_name(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a)
    number = valid_id_number()
    unknown = client.post(enroll_url(course), json={"id_number": number}, headers=api_headers(tenants.admin_a))
    assert (unknown.status_code, unknown.json["error"]["code"]) == (422, "trainee_unknown")
    created = client.post(
        enroll_url(course),
        json={"id_number": number, "name": "钱七", "employer": "某厂"},
        headers=api_headers(tenants.admin_a),
    )
    assert created.status_code == 201


def test_bad_id_number_and_missing_id_number(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a)
    bad = client.post(enroll_url(course), json={"id_number": "123", "name": "x"}, headers=api_headers(tenants.admin_a))
    assert (bad.status_code, bad.json["error"]["code"]) == (422, "invalid_id_number")
    missing = client.post(enroll_url(course), json={}, headers=api_headers(tenants.admin_a))
    assert (missing.status_code, missing.json["error"]["fields"]) == (422, {"id_number": "必填项"})


def test_course_full(client, tenants, api_headers, make_course, enroll):
    course = make_course(base=tenants.base_a, capacity=1)
    enroll(course, tenants.other_trainee)
    response = client.post(
        enroll_url(course), json={"id_number": tenants.trainee.id_number}, headers=api_headers(tenants.admin_a)
    )
    assert (response.status_code, response.json["error"]["code"]) == (409, "course_full")


def test_trainee_enrols_themself(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a)
    response = client.post(enroll_url(course), json={}, headers=api_headers(tenants.trainee))
    assert response.status_code == 201
    assert response.json == {"course_id": course.id, "trainee_id": tenants.trainee.id}
    again = client.post(enroll_url(course), json={}, headers=api_headers(tenants.trainee))
    assert again.json["error"]["code"] == "already_enrolled"


def test_trainee_cannot_see_or_enrol_in_a_draft(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a, status="draft")
    assert client.post(enroll_url(course), json={}, headers=api_headers(tenants.trainee)).status_code == 404
    assert client.get(f"/api/v1/courses/{course.id}", headers=api_headers(tenants.trainee)).status_code == 404


def test_trainee_of_another_city_gets_404(client, tenants, api_headers, make_course, make_trainee):
    course = make_course(base=tenants.base_a)
    elsewhere = make_trainee(name="外市", bureau_id=tenants.city_b.id)
    assert client.post(enroll_url(course), json={}, headers=api_headers(elsewhere)).status_code == 404


def test_enrolment_on_another_base_is_404_and_officers_403(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a)
    body = {"id_number": tenants.trainee.id_number}
    assert client.post(enroll_url(course), json=body, headers=api_headers(tenants.admin_b)).status_code == 404
    assert client.post(enroll_url(course), json=body, headers=api_headers(tenants.officer_a)).status_code == 403


def test_import_answers_imported_or_every_bad_row(client, tenants, api_headers, make_course, db):
    course = make_course(base=tenants.base_a, status="draft")
    header = "序号,姓名,性别,身份证号,工作单位,专业技术系列,职称,手机\r\n"
    good = header + f"1,张三,,{valid_id_number()},单位,工程,工程师,13800000000\r\n"
    good += f"2,李四,,{tenants.trainee.id_number},单位,工程,工程师,0632-1234567\r\n"
    bad = header + "1,,,123,单位,工程,工程师,12345\r\n"
    url = f"/api/v1/courses/{course.id}/enrollments/import"
    headers = api_headers(tenants.admin_a)
    refused = client.post(url, data={"file": (io.BytesIO(bad.encode("gbk")), "名单.csv")}, headers=headers)
    assert refused.status_code == 422
    error = refused.json["error"]
    assert error["code"] == "import_invalid" and error["message"]
    assert error["rows"] == [
        {"row": 2, "column": "姓名", "reason": "姓名不能为空"},
        {"row": 2, "column": "身份证号", "reason": "身份证号码应为18位"},
        {"row": 2, "column": "手机", "reason": PHONE_MESSAGE},
    ]
    response = client.post(url, data={"file": (io.BytesIO(good.encode("utf-8-sig")), "名单.csv")}, headers=headers)
    assert response.status_code == 200
    assert response.json["imported"] == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrollment)) == 2


def test_import_needs_a_file_and_the_own_base(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a)
    url = f"/api/v1/courses/{course.id}/enrollments/import"
    assert client.post(url, data={}, headers=api_headers(tenants.admin_a)).status_code == 422
    data = {"file": (io.BytesIO(b"x"), "a.csv")}
    assert client.post(url, data=data, headers=api_headers(tenants.admin_b)).status_code == 404


def test_template_downloads(client, tenants, api_headers):
    xlsx = client.get("/api/v1/enrollments/template.xlsx", headers=api_headers(tenants.admin_a))
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    csv = client.get("/api/v1/enrollments/template.csv", headers=api_headers(tenants.admin_a))
    assert csv.data.decode("utf-8-sig").startswith("序号,姓名")
    assert client.get("/api/v1/enrollments/template.pdf", headers=api_headers(tenants.admin_a)).status_code == 404


def test_openapi_describes_the_course_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in [
        "/api/v1/courses",
        "/api/v1/courses/{course_id}",
        "/api/v1/courses/{course_id}/enrollments",
        "/api/v1/courses/{course_id}/enrollments/import",
    ]:
        assert path in paths
    assert {"post", "get"} <= set(paths["/api/v1/courses"])


def test_created_course_is_stored(client, tenants, api_headers, db):
    client.post("/api/v1/courses", json=SEMINAR, headers=api_headers(tenants.admin_a))
    assert db.session.scalar(db.select(Course.title)) == SEMINAR["title"]
