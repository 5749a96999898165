"""API.md "Accounts", row by row: every documented field, status and error code."""

import pytest

from basesys.core.ids import make_credit_code
from tests.conftest import PASSWORD, valid_id_number
from tests.contract.cases import Case, no_token, run, wrong_role
from tests.contract.shapes import DATETIME, INT, MASKED_ID, STR, Equals, Nullable, one_of, with_values

ROLES = one_of("sysadmin", "bureau_officer", "base_admin", "employer_reviewer", "trainee")
TOKEN = {"token": STR, "role": ROLES, "expires_at": DATETIME}
BUREAU = {"id": INT, "name": STR, "level": one_of("province", "city", "county"), "parent_id": Nullable(INT)}


def token_works(body, w):
    me = w.client.get("/api/v1/me/certificates", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200, f"the token does not authenticate: {me.status_code}"


def as_sysadmin(method, path, **kwargs):
    return lambda w: w.call(method, path, w.t.sysadmin, **kwargs)


def bureau(name, level, parent=None):
    def send(w):
        body = {"name": name, "level": level}
        if parent is not None:
            body["parent_id"] = parent(w)
        return w.call("POST", "/api/v1/bureaus", w.t.sysadmin, json=body)

    return send


def county_under_parentless_city(w):
    city = w.call("POST", "/api/v1/bureaus", w.t.sysadmin, json={"name": "独立市人社局", "level": "city"})
    assert city.status_code == 201, f"the parentless city was refused first: {city.get_json()}"
    return w.call(
        "POST",
        "/api/v1/bureaus",
        w.t.sysadmin,
        json={"name": "独立市某区人社局", "level": "county", "parent_id": city.get_json()["id"]},
    )


def base_body(w, serial="0999999", **overrides):
    body = {
        "name": f"合约测试基地{serial}",
        "level": "provincial",
        "credit_code": make_credit_code(f"12370400MB{serial}"),
        "bureau_id": w.t.city_a.id,
        "address": "枣庄市薛城区",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def base_echoes_body(body, w):
    sent = base_body(w)
    assert {k: body[k] for k in sent} == sent, f"the answer does not echo the body: {body}"


def wrong_check_digit(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def trainee_body(**overrides):
    body = {
        "id_number": valid_id_number(birth="19850315", seq=7, male=False),
        "name": "孙七",
        "phone": "13900000000",
        "employer": "枣庄市立医院",
        "series": "卫生",
        "title": "主治医师",
        "password": "a-long-password",
    }
    body.update(overrides)
    return body


def user_body(w, **overrides):
    return {"username": "contract-officer", "password": "a-long-password", "role": "bureau_officer", **overrides}


CASES = {
    "POST /api/v1/auth/token": [
        Case(
            "200 staff username and password",
            lambda w: w.call(
                "POST", "/api/v1/auth/token", json={"username": w.t.admin_a.username, "password": PASSWORD}
            ),
            200,
            shape=with_values(TOKEN, role="base_admin"),
        ),
        Case(
            "200 a trainee logs in with the ID number",
            lambda w: w.call(
                "POST", "/api/v1/auth/token", json={"username": w.t.trainee.id_number, "password": PASSWORD}
            ),
            200,
            shape=with_values(TOKEN, role="trainee"),
            then=token_works,
        ),
        Case(
            "401 invalid_credentials for a wrong password",
            lambda w: w.call(
                "POST", "/api/v1/auth/token", json={"username": w.t.admin_a.username, "password": "wrong-one"}
            ),
            401,
            "invalid_credentials",
        ),
        Case(
            "401 invalid_credentials for an unknown user",
            lambda w: w.call("POST", "/api/v1/auth/token", json={"username": "nobody", "password": PASSWORD}),
            401,
            "invalid_credentials",
        ),
        Case(
            "400 malformed body (Conventions)",
            lambda w: w.call("POST", "/api/v1/auth/token", data="{not json", content_type="application/json"),
            400,
        ),
        Case(
            "422 validation with fields (Conventions)",
            lambda w: w.call("POST", "/api/v1/auth/token", json={"username": "x"}),
            422,
            then=lambda body, w: None if "password" in body["error"]["fields"] else pytest.fail("no fields.password"),
        ),
    ],
    "POST /api/v1/bureaus": [
        Case(
            "201 a province without parent_id",
            bureau("合约省人社厅", "province"),
            201,
            shape=with_values(BUREAU, parent_id=None),
        ),
        Case(
            "201 a city without parent_id (a city-only deployment)",
            bureau("合约市人社局", "city"),
            201,
            shape=with_values(BUREAU, level="city", parent_id=None),
        ),
        Case(
            "201 a county without parent_id (any level may omit it)",
            bureau("合约县人社局", "county"),
            201,
            shape=with_values(BUREAU, level="county", parent_id=None),
        ),
        Case("201 a county under a parentless city", county_under_parentless_city, 201, shape=BUREAU),
        Case(
            "201 a city under a province",
            bureau("合约地级市人社局", "city", parent=lambda w: w.t.province.id),
            201,
            then=lambda body, w: None if body["parent_id"] == w.t.province.id else pytest.fail(f"parent_id {body}"),
        ),
        Case("422 a parent of the same level", bureau("同级市", "city", parent=lambda w: w.t.city_b.id), 422),
        Case("422 a parent of a lower level", bureau("低级市", "city", parent=lambda w: w.t.county_a.id), 422),
        Case("422 a level outside province/city/county", bureau("某局", "state"), 422),
        no_token("POST", lambda w: "/api/v1/bureaus"),
        wrong_role("POST", lambda w: "/api/v1/bureaus", "officer_province", json={"name": "x", "level": "city"}),
    ],
    "POST /api/v1/bases": [
        Case(
            "201 with every documented field",
            lambda w: w.call("POST", "/api/v1/bases", w.t.sysadmin, json=base_body(w)),
            201,
            shape={"id": INT},
            then=base_echoes_body,
        ),
        Case(
            "201 without the optional address",
            lambda w: w.call(
                "POST",
                "/api/v1/bases",
                w.t.sysadmin,
                json=base_body(w, serial="0888888", address=None),
            ),
            201,
            shape={"id": INT},
        ),
        Case(
            "422 invalid_credit_code",
            lambda w: w.call(
                "POST",
                "/api/v1/bases",
                w.t.sysadmin,
                json=base_body(w, credit_code=wrong_check_digit(make_credit_code("12370400MB0777777"))),
            ),
            422,
            "invalid_credit_code",
        ),
        Case(
            "422 a level outside national/provincial/municipal",
            lambda w: w.call("POST", "/api/v1/bases", w.t.sysadmin, json=base_body(w, level="county")),
            422,
        ),
        no_token("POST", lambda w: "/api/v1/bases"),
        wrong_role("POST", lambda w: "/api/v1/bases", "officer_a", json={}),
    ],
    "POST /api/v1/users": [
        Case(
            "201 a bureau officer",
            lambda w: w.call("POST", "/api/v1/users", w.t.sysadmin, json=user_body(w, bureau_id=w.t.city_a.id)),
            201,
            shape={"id": INT, "username": Equals("contract-officer"), "role": Equals("bureau_officer")},
        ),
        Case(
            "201 a base admin",
            lambda w: w.call(
                "POST",
                "/api/v1/users",
                w.t.sysadmin,
                json=user_body(w, username="contract-admin", role="base_admin", base_id=w.t.base_a.id),
            ),
            201,
            shape={"id": INT, "username": Equals("contract-admin"), "role": Equals("base_admin")},
        ),
        Case(
            "422 a role outside the documented ones",
            lambda w: w.call("POST", "/api/v1/users", w.t.sysadmin, json=user_body(w, username="x-y", role="trainee")),
            422,
        ),
        no_token("POST", lambda w: "/api/v1/users"),
        wrong_role("POST", lambda w: "/api/v1/users", "admin_a", json={}),
    ],
    "POST /api/v1/trainees": [
        Case(
            "201 self-registration, no token needed",
            lambda w: w.call("POST", "/api/v1/trainees", json=trainee_body()),
            201,
            shape={"id": INT, "name": Equals("孙七"), "gender": Equals("female"), "id_number_masked": MASKED_ID},
            then=lambda body, w: (
                None
                if body["id_number_masked"][:4] == trainee_body()["id_number"][:4]
                and body["id_number_masked"][-4:] == trainee_body()["id_number"][-4:]
                else pytest.fail(f"masking is not first 4, last 4: {body}")
            ),
        ),
        Case(
            "422 invalid_id_number",
            lambda w: w.call(
                "POST", "/api/v1/trainees", json=trainee_body(id_number=wrong_check_digit(trainee_body()["id_number"]))
            ),
            422,
            "invalid_id_number",
        ),
        Case(
            "409 duplicate_id_number",
            lambda w: w.call(
                "POST", "/api/v1/trainees", json=trainee_body(id_number=w.t.trainee.id_number, name="李四")
            ),
            409,
            "duplicate_id_number",
        ),
    ],
}

CASES["POST /api/v1/me/password"] = [
    Case(
        "204 a new password with the current one",
        lambda w: w.call(
            "POST",
            "/api/v1/me/password",
            w.t.admin_b,
            json={"current_password": PASSWORD, "new_password": "another-long-pass"},
        ),
        204,
        then=lambda response, w: (
            None
            if w.call(
                "POST", "/api/v1/auth/token", json={"username": w.t.admin_b.username, "password": PASSWORD}
            ).status_code
            == 401
            else pytest.fail("the old password still logs in")
        ),
    ),
    Case(
        "422 wrong_password",
        lambda w: w.call(
            "POST",
            "/api/v1/me/password",
            w.t.admin_a,
            json={"current_password": "not-the-one", "new_password": "another-long-pass"},
        ),
        422,
        "wrong_password",
    ),
    Case(
        "422 without a new password",
        lambda w: w.call("POST", "/api/v1/me/password", w.t.admin_a, json={"current_password": PASSWORD}),
        422,
    ),
    no_token("POST", lambda w: "/api/v1/me/password"),
]


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
