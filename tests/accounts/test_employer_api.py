"""PATCH /api/v1/me/profile: the trainee links or clears the employer by credit code (an addition
to API.md "Accounts")."""

from basesys.core.ids import make_credit_code
from tests.accounts.conftest import CODE_A


def test_patch_profile_links_and_clears(client, api_headers, employers):
    headers = api_headers(employers.trainee)
    linked = client.patch("/api/v1/me/profile", json={"employer_credit_code": CODE_A.lower()}, headers=headers)
    assert linked.status_code == 200
    body = linked.get_json()
    assert body["employer_id"] == employers.emp_a.id and body["employer_credit_code"] == CODE_A
    cleared = client.patch("/api/v1/me/profile", json={"employer_credit_code": None}, headers=headers)
    assert cleared.status_code == 200 and cleared.get_json()["employer_id"] is None


def test_patch_profile_refusals(client, api_headers, employers):
    headers = api_headers(employers.trainee)
    bad = client.patch("/api/v1/me/profile", json={"employer_credit_code": "1234"}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_credit_code"
    unknown = make_credit_code("12370400MB5999999")
    response = client.patch("/api/v1/me/profile", json={"employer_credit_code": unknown}, headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "employer_unknown"
    staff = client.patch("/api/v1/me/profile", json={}, headers=api_headers(employers.officer_a))
    assert staff.status_code == 403
    assert client.patch("/api/v1/me/profile", json={}).status_code == 401
