"""Every row of API.md is pinned by contract cases (tests/contract/test_*.py) or listed here as not
built yet, with the open issue that builds it; a built row is never pending, and the served OpenAPI
document describes every built row. The cases of a row cover each status and error code its answer
documents, 401 without a token, 403 for a role it does not name and 404 outside the caller's scope."""

import re

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.contract import (
    test_accounts,
    test_attendance,
    test_audit,
    test_certificates,
    test_courses,
    test_declarations,
    test_evaluation,
    test_filing_decisions,
    test_oversight,
    test_rosters,
    test_statements,
)
from tests.contract.api_md import rows

CASES = {
    **test_accounts.CASES,
    **test_courses.CASES,
    **test_attendance.CASES,
    **test_certificates.CASES,
    **test_rosters.CASES,
    **test_oversight.CASES,
    **test_audit.CASES,
    **test_filing_decisions.CASES,
    **test_evaluation.CASES,
    **test_declarations.CASES,
    **test_statements.CASES,
}

# Rows of API.md not built yet → the open issue that builds them (`issues show N`).
PENDING: dict[str, int] = {}
OPEN_ISSUES = {11, 12, 13, 14, 15}

# Parts of built rows not built yet → the open issue that builds them; each is probed below.
PENDING_FIELDS: dict[tuple[str, str], int] = {}

# Built rows without a role refused outright, so no 403 case: why.
NO_WRONG_ROLE = {
    "GET /api/v1/courses/{id}": "its trainees and the catalogue's see it too (an addition); others get 404",
    "GET /api/v1/certificates/{number}.pdf": "owner, base and bureau span the trainee and staff roles",
    "POST /api/v1/auth/token with {username, login_code}": "a login: a username that is not a trainee's (a staff "
    "account) is answered 401 invalid_credentials like an unknown one, never revealing which accounts exist",
}

SAMPLE = {"id": "1", "number": "2025-0001-000001", "year": "2025"}


def statuses_of(key):
    return {(case.status, case.code) for case in CASES[key]}


def test_api_md_has_endpoint_rows():
    keys = [row.key for row in rows()]
    assert len(keys) >= 40 and len(keys) == len(set(keys)), keys
    assert "POST /api/v1/bureaus" in keys and "POST /api/v1/filings/decisions" in keys


def test_every_row_is_pinned_or_pending_and_nothing_else():
    keys = {row.key for row in rows()}
    both = set(CASES) & set(PENDING)
    neither = keys - set(CASES) - set(PENDING)
    stale = (set(CASES) | set(PENDING)) - keys
    assert not both, f"rows both pinned and pending: {sorted(both)}"
    assert not neither, f"API.md rows with neither contract cases nor a PENDING issue: {sorted(neither)}"
    assert not stale, f"cases or pending entries for rows API.md no longer has: {sorted(stale)}"
    assert set(PENDING.values()) | {issue for issue in PENDING_FIELDS.values()} <= OPEN_ISSUES


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path))
        for path, operations in response.get_json()["paths"].items()
        for method in operations
    }


def test_every_pinned_row_is_in_the_openapi_document(openapi):
    missing = [
        f"{endpoint.method} {endpoint.path} ({row.key})"
        for row in rows()
        if row.key in CASES
        for endpoint in row.endpoints
        if (endpoint.method, endpoint.pattern) not in openapi
    ]
    assert not missing, f"built rows the served OpenAPI document does not describe: {missing}"


def test_every_served_api_route_is_in_the_openapi_document(app, openapi):
    served = {
        (method, re.sub(r"<[^>]*>", "{}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert not served - openapi, f"served endpoints the OpenAPI document omits: {sorted(served - openapi)}"


def _routed(app, method, path) -> bool:
    adapter = app.url_map.bind("testserver")
    try:
        adapter.match(re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "1"), path), method=method)
    except (NotFound, MethodNotAllowed):
        return False
    return True


def test_no_pending_row_is_built_yet(app, client, openapi):
    """One test over every PENDING row (a loop, so an empty PENDING is a pass, not a skip)."""
    for key in PENDING:
        row = next(row for row in rows() if row.key == key)
        built = any((e.method, e.pattern) in openapi or _routed(app, e.method, e.path) for e in row.endpoints)
        assert not built, (
            f"{key} is built now: pin it with contract cases and drop it from PENDING (issue {PENDING[key]})"
        )


@pytest.mark.parametrize("key", sorted(CASES))
def test_the_cases_of_a_row_cover_what_it_documents(key):
    row = next(row for row in rows() if row.key == key)
    pinned = statuses_of(key)
    lacking = [f"{status} {code}" for status, code in sorted(row.codes) if (status, code) not in pinned]
    lacking += [str(status) for status in sorted(row.statuses) if status not in {s for s, _ in pinned}]
    if not row.public and (401, "unauthorized") not in pinned:
        lacking.append("401 without a token")
    if not (row.public or row.any_logged_in_user or key in NO_WRONG_ROLE) and (403, "forbidden") not in pinned:
        lacking.append("403 for a role the row does not name")
    if row.owned and not any(status == 404 for status, _ in pinned):
        lacking.append("404 outside the caller's scope")
    if not any(200 <= status < 300 for status, _ in pinned):
        lacking.append("a success")
    assert not lacking, f"{key}: no case for {lacking}"


PROBES: dict = {}


def test_no_pending_part_of_a_built_row_is_built_yet(request):
    """Each PENDING_FIELDS part is probed (a loop: an empty PENDING_FIELDS is a pass, not a skip)."""
    if not PENDING_FIELDS:
        return
    world = request.getfixturevalue("world")
    for (row, part), issue in PENDING_FIELDS.items():
        assert not PROBES[row](world), (
            f"{row}: {part} is built now: pin it in the row's cases and drop it from PENDING_FIELDS (issue {issue})"
        )
