"""The "Accounts" endpoints of API.md, exactly: status codes, error codes, fields."""

import pytest

from basesys.core.ids import make_credit_code
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import PASSWORD, valid_id_number


def test_token_for_valid_credentials(client, make_user):
    user = make_user("sysadmin")
    response = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "role", "expires_at"} and body["role"] == "sysadmin"
    assert body["expires_at"].endswith("+08:00")
    me = client.post(
        "/api/v1/bureaus",
        json={"name": "省", "level": "province"},
        headers={"Authorization": f"Bearer {body['token']}"},
    )
    assert me.status_code == 201


def test_token_refuses_bad_credentials(client, make_user):
    user = make_user("sysadmin")
    response = client.post("/api/v1/auth/token", json={"username": user.username, "password": "nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_trainee_token_with_id_number(client, make_trainee):
    trainee = make_trainee()
    response = client.post("/api/v1/auth/token", json={"username": trainee.id_number.lower(), "password": PASSWORD})
    assert response.status_code == 200 and response.get_json()["role"] == "trainee"


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_body"


def test_missing_fields_are_422_with_fields(client):
    response = client.post("/api/v1/trainees", json={"name": 5})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and {"id_number", "name", "password"} <= set(error["fields"])


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}])
def test_missing_or_bad_token_is_401(client, headers):
    response = client.post("/api/v1/bureaus", json={"name": "x", "level": "province"}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_create_bureau_and_child(client, make_user, api_headers):
    headers = api_headers(make_user("sysadmin"))
    province = client.post("/api/v1/bureaus", json={"name": "山东省", "level": "province"}, headers=headers)
    assert province.status_code == 201
    body = province.get_json()
    assert body == {"id": body["id"], "name": "山东省", "level": "province", "parent_id": None}
    city = client.post(
        "/api/v1/bureaus", json={"name": "枣庄市", "level": "city", "parent_id": body["id"]}, headers=headers
    )
    assert city.status_code == 201 and city.get_json()["parent_id"] == body["id"]
    bad = client.post("/api/v1/bureaus", json={"name": "X", "level": "town"}, headers=headers)
    assert bad.status_code == 422 and "level" in bad.get_json()["error"]["fields"]
    orphan = client.post("/api/v1/bureaus", json={"name": "Y", "level": "city", "parent_id": 999}, headers=headers)
    assert orphan.status_code == 422 and "parent_id" in orphan.get_json()["error"]["fields"]


def test_create_base_and_invalid_credit_code(client, make_user, make_bureau, api_headers):
    headers = api_headers(make_user("sysadmin"))
    bureau = make_bureau()
    code = make_credit_code("12370400MB0999999")
    response = client.post(
        "/api/v1/bases",
        json={"name": "基地", "level": "municipal", "credit_code": code, "bureau_id": bureau.id, "address": "枣庄"},
        headers=headers,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] and body["credit_code"] == code and body["bureau_id"] == bureau.id
    bad = client.post(
        "/api/v1/bases",
        json={"name": "基地2", "level": "municipal", "credit_code": "91370400MA3C123450", "bureau_id": bureau.id},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "invalid_credit_code"
    assert "credit_code" in bad.get_json()["error"]["fields"]


def test_create_users(client, make_user, make_base, make_bureau, api_headers):
    headers = api_headers(make_user("sysadmin"))
    base, bureau = make_base(), make_bureau()
    admin = client.post(
        "/api/v1/users",
        json={"username": "ba", "password": PASSWORD, "role": "base_admin", "base_id": base.id},
        headers=headers,
    )
    assert admin.status_code == 201
    assert admin.get_json() == {"id": admin.get_json()["id"], "username": "ba", "role": "base_admin"}
    officer = client.post(
        "/api/v1/users",
        json={"username": "bo", "password": PASSWORD, "role": "bureau_officer", "bureau_id": bureau.id},
        headers=headers,
    )
    assert officer.status_code == 201
    again = client.post(
        "/api/v1/users",
        json={"username": "bo", "password": PASSWORD, "role": "bureau_officer", "bureau_id": bureau.id},
        headers=headers,
    )
    assert again.status_code == 409
    no_scope = client.post(
        "/api/v1/users", json={"username": "bx", "password": PASSWORD, "role": "base_admin"}, headers=headers
    )
    assert no_scope.status_code == 422
    sysadmin = client.post(
        "/api/v1/users", json={"username": "sx", "password": PASSWORD, "role": "sysadmin"}, headers=headers
    )
    assert sysadmin.status_code == 422


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/bureaus", {"name": "x", "level": "province"}),
        ("/api/v1/bases", {"name": "x", "level": "municipal", "credit_code": "x", "bureau_id": 1}),
        ("/api/v1/users", {"username": "x", "password": PASSWORD, "role": "base_admin", "base_id": 1}),
    ],
)
@pytest.mark.parametrize("role", ["bureau_officer", "base_admin", "trainee"])
def test_sysadmin_endpoints_are_403_for_other_roles(client, tenants, api_headers, path, body, role):
    actor = {"bureau_officer": tenants.officer_a, "base_admin": tenants.admin_a, "trainee": tenants.trainee}[role]
    response = client.post(path, json=body, headers=api_headers(actor))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_trainee_self_registration(client):
    number = valid_id_number(male=False)
    response = client.post(
        "/api/v1/trainees",
        json={
            "id_number": number,
            "name": "王芳",
            "phone": "13900000000",
            "employer": "枣庄市立医院",
            "series": "卫生",
            "title": "主治医师",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "name": "王芳",
        "gender": "female",
        "id_number_masked": number[:4] + "*" * 10 + number[-4:],
    }
    again = client.post(
        "/api/v1/trainees", json={"id_number": number, "name": "王芳", "phone": "1", "password": PASSWORD}
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate_id_number"


def test_trainee_registration_refuses_invalid_id_number(client):
    response = client.post(
        "/api/v1/trainees", json={"id_number": "370402197903120310", "name": "甲", "phone": "1", "password": PASSWORD}
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_id_number" and "id_number" in error["fields"]


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_openapi_describes_every_endpoint(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = set()
    for path, operations in document["paths"].items():
        for method in operations:
            described.add((path, method.upper()))
    import re

    flask_style = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), method) for rule, method in routes}
    assert flask_style <= described
    token = document["paths"]["/api/v1/auth/token"]["post"]
    assert token["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("TokenRequest")
    assert "TraineeCreate" in document["components"]["schemas"]


def test_openapi_describes_uploads_as_multipart(client):
    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/api/v1/courses/{course_id}/enrollments/import"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}


def _post_bureau(client, headers, **body):
    return client.post("/api/v1/bureaus", json=body, headers=headers)


def test_a_city_bureau_without_a_parent_and_a_county_under_it(client, make_user, api_headers):
    """API.md: any level may omit `parent_id` (a city-only deployment)."""
    headers = api_headers(make_user("sysadmin"))
    city = _post_bureau(client, headers, name="枣庄市人社局", level="city")
    assert city.status_code == 201, city.json
    city_body = city.get_json()
    assert city_body == {"id": city_body["id"], "name": "枣庄市人社局", "level": "city", "parent_id": None}
    county = _post_bureau(client, headers, name="市中区人社局", level="county", parent_id=city_body["id"])
    assert county.status_code == 201
    county_body = county.get_json()
    assert county_body == {
        "id": county_body["id"],
        "name": "市中区人社局",
        "level": "county",
        "parent_id": city_body["id"],
    }
    alone = _post_bureau(client, headers, name="某县人社局", level="county")
    assert alone.status_code == 201 and alone.get_json()["parent_id"] is None


@pytest.mark.parametrize("parent_level, level", [("city", "city"), ("county", "city"), ("county", "county")])
def test_a_parent_not_of_a_higher_level_is_422(client, make_user, api_headers, parent_level, level):
    headers = api_headers(make_user("sysadmin"))
    parent = _post_bureau(client, headers, name="上级", level=parent_level).get_json()
    response = _post_bureau(client, headers, name="下级", level=level, parent_id=parent["id"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and "parent_id" in error["fields"]


def test_token_refusals_are_recorded_and_lock_the_account(client, make_user):
    """The refused attempt is committed before the 401 is answered: enough of them lock the account."""
    user = make_user("sysadmin")
    for _ in range(DEFAULT_POLICY.login_max_failures):
        wrong = client.post("/api/v1/auth/token", json={"username": user.username, "password": "nope"})
        assert wrong.status_code == 401
    locked = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "too_many_attempts"


def test_me_password_changes_it_and_ends_the_token(client, make_user, api_headers):
    headers = api_headers(make_user("sysadmin"))
    wrong = client.post(
        "/api/v1/me/password", json={"current_password": "nope", "new_password": "brand-new-pass"}, headers=headers
    )
    assert wrong.status_code == 422
    assert (
        wrong.get_json()["error"]["code"] == "wrong_password"
        and "current_password" in wrong.get_json()["error"]["fields"]
    )
    short = client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=headers
    )
    assert short.status_code == 422 and "new_password" in short.get_json()["error"]["fields"]
    changed = client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "brand-new-pass"}, headers=headers
    )
    assert changed.status_code == 204 and changed.data == b""
    assert client.post("/api/v1/me/password", json={"new_password": "x" * 9}, headers=headers).status_code == 401
    assert client.post("/api/v1/me/password", json={"new_password": "x" * 9}).status_code == 401
