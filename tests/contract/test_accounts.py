"""API.md "Accounts", row by row: every documented field, status and error code."""

from datetime import datetime, timedelta

import pytest

from basesys.core.ids import make_credit_code
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import PASSWORD, valid_id_number
from tests.contract.cases import Case, no_token, outside_scope, run, wrong_role
from tests.contract.shapes import DATETIME, INT, MASKED_ID, STR, Equals, Matches, Nullable, one_of, with_values

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

# --- employers and their reviewers (DOMAIN.md §1, issue 14) ----------------------------------------

EMPLOYER = {"id": INT, "name": STR, "credit_code": STR, "bureau_id": INT}
EMPLOYER_CODE = make_credit_code("12370400MB6000001")


def employer_body(w, serial="6000001", **overrides):
    body = {
        "name": f"合约测试单位{serial}",
        "credit_code": make_credit_code(f"12370400MB{serial}"),
        "bureau_id": w.t.city_a.id,
    }
    return {**body, **overrides}


def an_employer(w, serial="6100001") -> int:
    """An employer of city A registered through the API (the same one each time in a world)."""
    code = make_credit_code(f"12370400MB{serial}")
    found = getattr(w, "_employers", {})
    if code not in found:
        found[code] = w.ok("POST", "/api/v1/employers", w.t.sysadmin, json=employer_body(w, serial))["id"]
        w._employers = found
    return found[code]


def employer_echoes_body(body, w):
    sent = employer_body(w)
    assert {k: body[k] for k in sent} == sent, f"the answer does not echo the body: {body}"


def second_with_same_code(w):
    an_employer(w, "6200001")
    body = employer_body(w, "6200001", name="另一个单位", bureau_id=w.t.city_b.id)
    return w.call("POST", "/api/v1/employers", w.t.sysadmin, json=body)


def has_field(name):
    return lambda body, w: None if name in body["error"].get("fields", {}) else pytest.fail(f"no fields.{name}: {body}")


def trainee_linked_to(serial):
    def check(body, w):
        from basesys.accounts.models import Trainee
        from basesys.extensions import db

        trainee = db.session.get(Trainee, body["id"])
        assert trainee.employer_id == an_employer(w, serial), f"not linked: {trainee.employer_id}"

    return check


def register_with_employer_code(w):
    """Self-registration naming an employer registered before, its code typed in lower case."""
    code = make_credit_code("12370400MB6100001")
    an_employer(w, "6100001")
    body = trainee_body(id_number=valid_id_number(birth="19860101", seq=11), employer_credit_code=code.lower())
    return w.call("POST", "/api/v1/trainees", json=body)


CASES["POST /api/v1/employers"] = [
    Case(
        "201 the sysadmin, with every documented field",
        lambda w: w.call("POST", "/api/v1/employers", w.t.sysadmin, json=employer_body(w)),
        201,
        shape=EMPLOYER,
        then=employer_echoes_body,
    ),
    Case(
        "201 an officer, under a bureau below its own",
        lambda w: w.call(
            "POST", "/api/v1/employers", w.t.officer_a, json=employer_body(w, "6000002", bureau_id=w.t.county_a.id)
        ),
        201,
        shape=with_values(EMPLOYER, credit_code=make_credit_code("12370400MB6000002")),
    ),
    Case(
        "422 invalid_credit_code",
        lambda w: w.call(
            "POST",
            "/api/v1/employers",
            w.t.sysadmin,
            json=employer_body(w, credit_code=wrong_check_digit(make_credit_code("12370400MB6000003"))),
        ),
        422,
        "invalid_credit_code",
    ),
    Case("409 duplicate_credit_code", second_with_same_code, 409, "duplicate_credit_code"),
    Case(
        "422 without bureau_id",
        lambda w: w.call("POST", "/api/v1/employers", w.t.sysadmin, json={"name": "x", "credit_code": EMPLOYER_CODE}),
        422,
        "validation_failed",
    ),
    outside_scope(
        "POST",
        "/api/v1/employers",
        "officer_b",
        " (a bureau of another city)",
        json=lambda w: employer_body(w, "6000004"),
    ),
    outside_scope(
        "POST",
        "/api/v1/employers",
        "officer_county",
        " (the bureau above the officer's)",
        json=lambda w: employer_body(w, "6000005"),
    ),
    no_token("POST", lambda w: "/api/v1/employers"),
    wrong_role("POST", lambda w: "/api/v1/employers", "admin_a", json={}),
]

CASES["POST /api/v1/users"] += [
    Case(
        "201 an employer reviewer with employer_id",
        lambda w: w.call(
            "POST",
            "/api/v1/users",
            w.t.sysadmin,
            json=user_body(w, username="contract-reviewer", role="employer_reviewer", employer_id=an_employer(w)),
        ),
        201,
        shape={"id": INT, "username": Equals("contract-reviewer"), "role": Equals("employer_reviewer")},
    ),
    Case(
        "422 an employer reviewer without employer_id",
        lambda w: w.call(
            "POST", "/api/v1/users", w.t.sysadmin, json=user_body(w, username="rev-2", role="employer_reviewer")
        ),
        422,
        "validation_failed",
        then=has_field("employer_id"),
    ),
    Case(
        "422 an employer reviewer with an unknown employer_id",
        lambda w: w.call(
            "POST",
            "/api/v1/users",
            w.t.sysadmin,
            json=user_body(w, username="rev-3", role="employer_reviewer", employer_id=999999),
        ),
        422,
        "validation_failed",
        then=has_field("employer_id"),
    ),
]

CASES["POST /api/v1/trainees"] += [
    Case(
        "201 with employer_credit_code: linked to that employer",
        register_with_employer_code,
        201,
        then=trainee_linked_to("6100001"),
    ),
    Case(
        "201 with an empty employer_credit_code: no link",
        lambda w: w.call(
            "POST",
            "/api/v1/trainees",
            json=trainee_body(id_number=valid_id_number(birth="19860102", seq=13), employer_credit_code=""),
        ),
        201,
    ),
    Case(
        "422 invalid_credit_code for a malformed employer_credit_code",
        lambda w: w.call(
            "POST",
            "/api/v1/trainees",
            json=trainee_body(id_number=valid_id_number(birth="19860103", seq=15), employer_credit_code="12345"),
        ),
        422,
        "invalid_credit_code",
        then=has_field("employer_credit_code"),
    ),
    Case(
        "422 employer_unknown for a well-formed code no employer has",
        lambda w: w.call(
            "POST",
            "/api/v1/trainees",
            json=trainee_body(
                id_number=valid_id_number(birth="19860104", seq=17),
                employer_credit_code=make_credit_code("12370400MB6999999"),
            ),
        ),
        422,
        "employer_unknown",
        then=has_field("employer_credit_code"),
    ),
]

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


# --- one-time login codes (DOMAIN.md §2) ------------------------------------------------------------

CODE = {"code": Matches(r"\d{6}", "six digits"), "expires_at": DATETIME}
CODE_TOKEN = {**TOKEN, "must_change_password": Equals(True)}


def enrolled_trainee(w):
    """The trainee, on a course of base A (cached by the world: the same course each time)."""
    return w.running and w.t.trainee


def issue_code(who="admin_a", trainee=enrolled_trainee):
    def send(w):
        return w.call("POST", "/api/v1/login-codes", getattr(w.t, who), json={"id_number": trainee(w).id_number})

    return send


def trainee_number(w) -> dict:
    return {"id_number": enrolled_trainee(w).id_number}


def code_of(w, who="admin_a") -> str:
    return w.ok("POST", "/api/v1/login-codes", getattr(w.t, who), json={"id_number": enrolled_trainee(w).id_number})[
        "code"
    ]


def code_login(w, code: str, **extra):
    body = {"username": w.t.trainee.id_number, "login_code": code, **extra}
    return w.call("POST", "/api/v1/auth/token", json=body)


def code_logs_in(body, w):
    login = code_login(w, body["code"])
    assert login.status_code == 200, f"the issued code does not log in: {login.get_json()}"


def expires_in_policy_minutes(body, w):
    expected = w.clock() + timedelta(minutes=DEFAULT_POLICY.login_code_minutes)
    assert datetime.fromisoformat(body["expires_at"]) == expected, body["expires_at"]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def used_twice(w):
    code = code_of(w)
    assert code_login(w, code).status_code == 200
    return code_login(w, code)


def after_expiry(w):
    code = code_of(w)
    w.clock.advance(minutes=DEFAULT_POLICY.login_code_minutes)
    return code_login(w, code)


def after_max_wrong_tries(w):
    code = code_of(w)
    for _ in range(DEFAULT_POLICY.login_code_max_tries):
        assert code_login(w, wrong(code)).status_code == 401
    return code_login(w, code)


def old_code_after_a_new_one(w):
    old = code_of(w)
    while code_of(w, "officer_a") == old:  # one in a million: the new random code is the old one
        pass
    return code_login(w, old)


def code_token(w) -> str:
    response = code_login(w, code_of(w))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def set_password_after_code(w):
    token = code_token(w)
    headers = {"Authorization": f"Bearer {token}"}
    return w.call("POST", "/api/v1/me/password", json={"new_password": "new-pass-after-code"}, headers=headers)


def new_password_logs_in(response, w):
    login = w.call(
        "POST", "/api/v1/auth/token", json={"username": w.t.trainee.id_number, "password": "new-pass-after-code"}
    )
    assert login.status_code == 200, f"the new password does not log in: {login.get_json()}"
    assert "must_change_password" not in login.get_json(), "a password login owes no new password"


CASES["POST /api/v1/login-codes"] = [
    Case(
        "201 a base admin for a trainee enrolled at its base",
        issue_code(),
        201,
        shape=CODE,
        then=lambda body, w: (expires_in_policy_minutes(body, w), code_logs_in(body, w)),
    ),
    Case("201 an officer of the base's bureau", issue_code("officer_a"), 201, shape=CODE),
    Case("201 an officer of a bureau above", issue_code("officer_province"), 201, shape=CODE),
    Case("201 the sysadmin, for any trainee", issue_code("sysadmin", lambda w: w.t.other_trainee), 201, shape=CODE),
    outside_scope("POST", "/api/v1/login-codes", "admin_b", " (another base)", json=lambda w: trainee_number(w)),
    outside_scope("POST", "/api/v1/login-codes", "officer_b", " (another city)", json=lambda w: trainee_number(w)),
    outside_scope(
        "POST",
        "/api/v1/login-codes",
        "admin_a",
        " (registered, enrolled elsewhere or nowhere)",
        json=lambda w: {"id_number": w.t.other_trainee.id_number},
    ),
    Case(
        "404 an unknown ID number: the same answer",
        lambda w: w.call("POST", "/api/v1/login-codes", w.t.admin_a, json={"id_number": valid_id_number()}),
        404,
        "not_found",
    ),
    Case(
        "422 without id_number",
        lambda w: w.call("POST", "/api/v1/login-codes", w.t.admin_a, json={}),
        422,
        "validation_failed",
    ),
    no_token("POST", lambda w: "/api/v1/login-codes"),
    wrong_role("POST", lambda w: "/api/v1/login-codes", "trainee", json={"id_number": "370402198001010011"}),
]

CASES["POST /api/v1/auth/token with {username, login_code}"] = [
    Case(
        "200 a trainee logs in with a code, must_change_password: true",
        lambda w: code_login(w, code_of(w)),
        200,
        shape=with_values(CODE_TOKEN, role="trainee"),
        then=token_works,
    ),
    Case(
        "401 invalid_credentials for a wrong code",
        lambda w: code_login(w, wrong(code_of(w))),
        401,
        "invalid_credentials",
    ),
    Case("401 invalid_credentials for a used code", used_twice, 401, "invalid_credentials"),
    Case("401 invalid_credentials for an expired code", after_expiry, 401, "invalid_credentials"),
    Case("401 invalid_credentials after the wrong tries allowed", after_max_wrong_tries, 401, "invalid_credentials"),
    Case("401 invalid_credentials for a code a new one killed", old_code_after_a_new_one, 401, "invalid_credentials"),
    Case(
        "401 invalid_credentials for an ID number without a code",
        lambda w: w.call(
            "POST", "/api/v1/auth/token", json={"username": w.t.other_trainee.id_number, "login_code": "123456"}
        ),
        401,
        "invalid_credentials",
    ),
    Case(
        "401 unauthorized with a bad bearer token (Conventions)",
        lambda w: w.call(
            "POST",
            "/api/v1/auth/token",
            json={"username": w.t.trainee.id_number, "login_code": "123456"},
            headers={"Authorization": "Bearer not-a-token"},
        ),
        401,
        "unauthorized",
    ),
    Case(
        "422 a password and a login code at once",
        lambda w: code_login(w, "123456", password=PASSWORD),
        422,
        "validation_failed",
    ),
]

CASES["POST /api/v1/me/password"] += [
    Case(
        "204 without current_password right after a login code",
        set_password_after_code,
        204,
        then=new_password_logs_in,
    ),
    Case(
        "422 wrong_password without current_password when no login code came first",
        lambda w: w.call("POST", "/api/v1/me/password", w.t.trainee, json={"new_password": "another-long-pass"}),
        422,
        "wrong_password",
    ),
]


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
