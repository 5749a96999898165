"""Bad input is a 4xx, never a 5xx (issue 10, "5xx on bad input"): ids beyond the database's
integers, NUL characters (PostgreSQL refuses them in text), datetimes that overflow UTC."""

import re

import pytest

from basesys.accounts.models import Trainee
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.inputs import DB_INT_MAX
from tests.conftest import valid_id_number

HUGE = (DB_INT_MAX + 1, 2**63, 2**64 + 7)
_INT_ARG = re.compile(r"<int:\w+>")
_OTHER_ARG = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?\w+>")


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.rule


def _fill(rule: str, value: int) -> str:
    path = _INT_ARG.sub(str(value), rule)
    return _OTHER_ARG.sub("xlsx", path)


@pytest.mark.parametrize("role", ["sysadmin", "officer_a", "admin_a", "trainee"])
def test_an_id_beyond_the_database_integers_is_404_on_every_route(app, client, tenants, api_headers, role):
    actor = getattr(tenants, role)
    headers = api_headers(actor)
    pages = app.test_client()
    username = getattr(actor, "username", None) or actor.id_number
    assert pages.post("/login", data={"username": username, "password": "secret-pass-1"}).status_code == 302
    answers = {}
    for method, rule in _int_rules(app):
        for value in HUGE:
            path = _fill(rule, value)
            if rule.startswith("/api/"):
                response = client.open(path, method=method, headers=headers, json={})
            else:
                response = pages.open(path, method=method, data={})
            answers[f"{method} {path}"] = response.status_code
    assert {key: status for key, status in answers.items() if status != 404} == {}


def test_the_openapi_document_bounds_path_ids(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["paths"]["/api/v1/courses/{course_id}"]["get"]["parameters"][0]["schema"]
    assert schema == {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/bureaus", {"name": "局", "level": "city", "parent_id": 2**63}, "parent_id"),
        ("/api/v1/bases", {"name": "基地", "level": "municipal", "credit_code": "x", "bureau_id": 2**31}, "bureau_id"),
        ("/api/v1/users", {"username": "u1", "password": "p" * 9, "role": "base_admin", "base_id": 2**31}, "base_id"),
        ("/api/v1/users", {"username": "u1", "password": "p" * 9, "role": "base_admin", "base_id": 0}, "base_id"),
    ],
)
def test_a_body_id_beyond_the_database_integers_is_a_field_error(client, tenants, api_headers, path, body, field):
    response = client.post(path, json=body, headers=api_headers(tenants.sysadmin))
    assert response.status_code == 422, response.text
    assert field in response.get_json()["error"]["fields"]


def test_a_scan_with_a_huge_session_id_is_a_field_error(client, tenants, api_headers):
    response = client.post(
        "/api/v1/scan", json={"session_id": 2**63, "code": "123456"}, headers=api_headers(tenants.trainee)
    )
    assert response.status_code == 422, response.text
    assert "session_id" in response.get_json()["error"]["fields"]


def _course_body(**session):
    return {
        "title": "培训",
        "category": "public",
        "kind": "course",
        "sessions": [{"starts_at": "2025-07-01T09:00:00+08:00", "ends_at": "2025-07-01T12:00:00+08:00", **session}],
    }


def test_a_course_with_a_huge_session_id_or_capacity_is_a_field_error(client, tenants, api_headers):
    headers = api_headers(tenants.admin_a)
    response = client.post("/api/v1/courses", json=_course_body(id=2**63), headers=headers)
    assert response.status_code == 422, response.text
    assert "sessions.0.id" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/courses", json={**_course_body(), "capacity": 2**63}, headers=headers)
    assert response.status_code == 422, response.text
    assert "capacity" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "path", ["/bureau/courses?page=99999999999999999999", "/rosters/inbox?page=9223372036854775808"]
)
def test_a_huge_page_number_is_the_first_page(client, tenants, login, path):
    login(tenants.officer_a)
    assert client.get(path).status_code == 200


def test_a_huge_id_in_a_page_form_is_a_form_error(client, tenants, login):
    login(tenants.sysadmin)
    response = client.post(
        "/admin/users/new",
        data={"username": "u1", "password": "p" * 9, "role": "base_admin", "base_id": str(2**63)},
    )
    assert response.status_code == 422, response.text[:300]
    response = client.post("/register", data={"id_number": "x", "name": "n", "bureau_id": str(2**63)})
    assert response.status_code != 500


# NUL characters ------------------------------------------------------------------------------


def test_a_nul_in_a_login_or_registration_form_is_refused(client, tenants):
    response = client.post("/login", data={"username": "admin\x00", "password": "x"})
    assert response.status_code == 422
    response = client.post(
        "/register",
        data={"id_number": tenants.trainee.id_number, "name": "张\x00三", "phone": "1", "password": "p" * 9},
    )
    assert response.status_code == 422
    assert "控制字符" in response.text


@pytest.mark.parametrize("body", [{"username": "a\x00", "password": "x"}, {"username": "a", "password": "\x00"}])
def test_a_nul_in_an_api_body_is_a_field_error(client, db, body):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 422, response.text
    field = next(name for name, value in body.items() if "\x00" in value)
    assert field in response.get_json()["error"]["fields"]


def test_a_nul_in_a_nested_api_body_names_its_field(client, tenants, api_headers):
    body = _course_body(title="第\x00一课")
    response = client.post("/api/v1/courses", json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 422, response.text
    assert "sessions.0.title" in response.get_json()["error"]["fields"]


def test_a_nul_in_a_registration_through_the_api_is_a_field_error(client, db):
    body = {"id_number": "37040219800101\x00", "name": "张三", "phone": "1", "password": "p" * 9}
    response = client.post("/api/v1/trainees", json=body)
    assert response.status_code == 422, response.text
    assert "id_number" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/certificates/BS2025%00?code=abc",
        "/v/BS2025%00",
        "/v/BS2025?c=%00",
        "/verify?number=BS%00&code=x",
        "/q/abc%00def",
    ],
)
def test_a_nul_in_a_path_or_query_string_is_404(client, db, path):
    assert client.get(path).status_code == 404


def test_a_nul_in_an_api_query_is_a_field_error_of_the_operations_query(client, db, tenants, api_headers):
    """The API reads a query only through its model: a NUL there is a 422 naming the parameter
    (every operation with a query declares 422); a parameter no operation reads is ignored, so an
    operation never answers a status its OpenAPI declaration does not list (a 404 here was one)."""
    response = client.get("/api/v1/certificates/BS2025?code=a%00b")
    assert response.status_code == 422 and "code" in response.get_json()["error"]["fields"]
    response = client.get("/api/v1/courses?x%00y=1", headers=api_headers(tenants.admin_a))
    assert response.status_code == 422 and "xy" in response.get_json()["error"]["fields"]
    response = client.get("/api/v1/me/certificates?x=%00", headers=api_headers(tenants.trainee))
    assert response.status_code == 200


def test_a_nul_in_a_bureau_search_is_404(client, tenants, login):
    login(tenants.officer_a)
    assert client.get("/bureau/certificates?q=%00").status_code == 404


# Datetimes beyond UTC ------------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_datetime_that_overflows_utc_is_a_field_error(client, tenants, api_headers, moment):
    body = _course_body(starts_at=moment)
    response = client.post("/api/v1/courses", json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 422, response.text
    assert "sessions.0.starts_at" in response.get_json()["error"]["fields"]


def test_a_manual_entry_that_overflows_utc_is_a_field_error(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a)
    body = {"id_number": tenants.trainee.id_number, "purpose": "in", "at": "0001-01-01T00:00:00+14:00", "reason": "r"}
    path = f"/api/v1/sessions/{course.sessions[0].id}/attendance"
    response = client.post(path, json=body, headers=api_headers(tenants.admin_a))
    assert response.status_code == 422, response.text
    assert "at" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    [
        "/bureau/courses?start=0001-01-01&end=9999-12-31",
        "/bureau/certificates?start=0001-01-01&end=9999-12-31",
        "/bureau/audit?start=0001-01-01&end=9999-12-31",
        "/rosters/inbox?start=0001-01-01&end=9999-12-31",
        "/rosters/exports?start=0001-01-01&end=9999-12-31",
        "/api/v1/rosters/accepted.csv?start=0001-01-01&end=9999-12-31",
        "/api/v1/rosters/accepted.xlsx?start=0001-01-01&end=9999-12-31",
        "/api/v1/me/hours?year=99999999999",
        "/me/hours?year=99999999999",
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_no_5xx(client, tenants, login, api_headers, path):
    actor = tenants.trainee if "hours" in path else tenants.officer_a
    login(actor)
    response = client.get(path, headers=api_headers(actor) if path.startswith("/api/") else {})
    assert response.status_code < 500


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_a_schedule_week_at_the_ends_of_the_calendar_shows_this_week(client, tenants, login, week):
    login(tenants.admin_a)
    assert client.get(f"/courses/schedule?week={week}").status_code == 200


def test_a_huge_id_in_a_filter_or_manual_entry_form_is_no_5xx(client, tenants, login, make_course):
    login(tenants.officer_a)
    assert client.get(f"/bureau/courses?base={2**63}").status_code == 200
    assert client.get(f"/rosters/inbox?base={2**63}").status_code == 200
    course = make_course(base=tenants.base_a)
    login(tenants.admin_a)
    data = {
        "session_id": str(2**63),
        "trainee_id": str(2**63),
        "purpose": "in",
        "at": "2025-06-10T09:00",
        "reason": "r",
    }
    response = client.post(f"/attendance/courses/{course.id}/manual", data=data)
    assert response.status_code == 422


def test_a_manual_entry_page_in_year_one_is_a_form_error(client, tenants, login, make_course, enroll):
    course = make_course(base=tenants.base_a)
    enroll(course, tenants.trainee)
    login(tenants.admin_a)
    data = {
        "session_id": str(course.sessions[0].id),
        "trainee_id": str(tenants.trainee.id),
        "purpose": "in",
        "at": "0001-01-01T00:00",
        "reason": "r",
    }
    response = client.post(f"/attendance/courses/{course.id}/manual", data=data)
    assert response.status_code == 422


# Full-width ID digits ------------------------------------------------------------------------


def _full_width(number: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in number)


def test_registration_with_full_width_digits_through_the_api(client, db):
    number = valid_id_number()
    body = {"id_number": _full_width(number), "name": "张三", "phone": "13800000000", "password": "p" * 9}
    response = client.post("/api/v1/trainees", json=body)
    assert response.status_code == 201, response.text
    assert db.session.scalar(db.select(Trainee.id_number)) == number


def test_registration_and_login_with_full_width_digits_on_the_pages(client, db):
    number = valid_id_number()
    typed = _full_width(number)
    data = {"id_number": typed, "name": "张三", "phone": "13800000000", "password": "p" * 9, "confirm": "p" * 9}
    assert client.post("/register", data=data).status_code == 302
    assert db.session.scalar(db.select(Trainee.id_number)) == number
    client.post("/logout")
    assert client.post("/login", data={"username": typed, "password": "p" * 9}).status_code == 302


def test_a_trainee_gets_an_api_token_with_full_width_digits(client, db, make_trainee):
    trainee = make_trainee()
    body = {"username": _full_width(trainee.id_number), "password": "secret-pass-1"}
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 200 and response.get_json()["role"] == "trainee"


def test_a_base_enrols_a_full_width_id_number(tenants, make_course, db, now):
    from basesys.courses.services import enroll_trainee

    course = make_course(base=tenants.base_a, status="approved")
    typed = _full_width(tenants.trainee.id_number)
    enrollment = enroll_trainee(tenants.admin_a, course, id_number=typed, now=now)
    assert enrollment.trainee_id == tenants.trainee.id


# Invisible characters in names ---------------------------------------------------------------

INVISIBLE = ["张\u200b三", "\u200b\u200c", "张\u200d三", "\u2060张三", "张三\ufeff", "张\x07三", "张\u202e三"]


@pytest.mark.parametrize("name", INVISIBLE)
def test_a_name_with_invisible_characters_is_refused(db, now, name):
    from basesys.accounts import services

    with pytest.raises(ValidationFailed) as error:
        services.register_trainee(id_number=valid_id_number(), name=name, password="p" * 9, phone="1", now=now)
    assert "不可见" in error.value.fields["name"]


def test_bureau_base_staff_and_course_names_refuse_invisible_characters(tenants, db, now):
    from basesys.accounts import services
    from basesys.core.ids import make_credit_code
    from basesys.courses.services import create_course

    calls = {
        "bureau": lambda: services.create_bureau(None, name="局\u200b", level="city", parent_id=None, now=now),
        "base": lambda: services.create_base(
            None,
            name="\ufeff基地",
            level="municipal",
            credit_code=make_credit_code("12370400MB9999999"),
            bureau_id=tenants.city_a.id,
            now=now,
        ),
        "trainee record": lambda: services.create_trainee_record(
            None, id_number=valid_id_number(), name="\u200b", now=now
        ),
        "staff": lambda: services.create_staff_user(
            None, username="u\u200b", password="p" * 9, role="sysadmin", now=now
        ),
        "display name": lambda: services.create_staff_user(
            None, username="u2", password="p" * 9, role="sysadmin", display_name="管理\u2060员", now=now
        ),
        "course": lambda: create_course(
            tenants.admin_a,
            tenants.base_a,
            values={"title": "课程\u200b", "category": "public", "kind": "course"},
            sessions=[],
            now=now,
        ),
    }
    refused = {}
    for what, call in calls.items():
        try:
            call()
        except ValidationFailed as error:
            refused[what] = next(iter(error.fields.values()))
    assert set(refused) == set(calls), refused
    assert all("不可见" in message for message in refused.values()), refused


def test_the_api_and_the_register_page_refuse_a_zero_width_name(client, db):
    body = {"id_number": valid_id_number(), "name": "张\u200b三", "phone": "1", "password": "p" * 9}
    response = client.post("/api/v1/trainees", json=body)
    assert response.status_code == 422, response.text
    assert "name" in response.get_json()["error"]["fields"]
    data = {**body, "confirm": body["password"]}
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert "不可见" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Trainee)) is None


def test_an_enrolment_file_with_a_zero_width_name_lists_the_row(tenants, make_course, db, now):
    from basesys.courses.services import import_enrollments

    course = make_course(base=tenants.base_a)
    header = "姓名,身份证号码,工作单位,专业技术系列,职称,手机号码\n"
    content = (header + f"张\u200b三,{valid_id_number()},单位,工程,工程师,13800000000\n").encode("utf-8")
    with pytest.raises(DomainError) as error:
        import_enrollments(tenants.admin_a, course, content, filename="list.csv", now=now)
    assert error.value.code == "import_invalid"
    assert "不可见" in str(error.value.details)


# Multipart parts without a name ---------------------------------------------------------------

NAMELESS = (
    b"--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
    b'--XX\r\nContent-Disposition: form-data; filename="a.csv"\r\n\r\n1,2\r\n--XX--\r\n'
)


def test_a_nameless_multipart_part_is_ignored_by_a_page(client, db):
    """werkzeug keeps such a part under the key None; the CSRF check and the NUL check broke on it (500)."""
    response = client.post("/login", data=NAMELESS, headers={"Content-Type": "multipart/form-data; boundary=XX"})
    assert response.status_code == 422  # no username, no password: the form's own errors


def test_a_nameless_multipart_part_is_no_upload_to_the_api(client, tenants, api_headers, make_course):
    course = make_course(base=tenants.base_a)
    headers = {**api_headers(tenants.admin_a), "Content-Type": "multipart/form-data; boundary=XX"}
    response = client.post(f"/api/v1/courses/{course.id}/enrollments/import", data=NAMELESS, headers=headers)
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]
