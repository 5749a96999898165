"""The served OpenAPI document is one a checker can hold the API to (issue 10): a schema for every
documented answer, every status each operation can return, typed query parameters, `Allow` on 405.
schemathesis runs against it in tests/contract/test_schemathesis.py; these pin its shape."""

import pytest

from basesys.core.api import ENDPOINTS, EndpointSpec, UndeclaredAnswer, check_refusal

METHODS = ("get", "post", "patch", "put", "delete")


@pytest.fixture
def document(client, db):
    return client.get("/api/v1/openapi.json").get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_success_answer_has_a_schema_or_a_media_type(document):
    undescribed = []
    for path, method, operation in _operations(document):
        if path == "/api/v1/openapi.json":
            continue
        success = [status for status in operation["responses"] if status.startswith("2")]
        assert len(success) == 1, (method, path, success)
        answer = operation["responses"][success[0]]
        if success[0] == "204":
            assert "content" not in answer
            continue
        content = answer.get("content", {})
        schemas = [media.get("schema") for media in content.values()]
        if not schemas or not all(schemas):
            undescribed.append((method, path))
    assert undescribed == []


def test_the_answer_schemas_resolve_to_described_fields(document):
    course = document["components"]["schemas"]["CourseAnswer"]
    assert {"id", "base_id", "filing_status", "filing_number", "sessions", "finalized"} <= set(course["required"])
    assert course["properties"]["filing_status"]["enum"] == ["draft", "submitted", "approved", "returned"]
    assert course["properties"]["sessions"]["items"] == {"$ref": "#/components/schemas/SessionAnswer"}
    # API.md lets fields be added: the document does not close the objects.
    assert "additionalProperties" not in course


def test_every_operation_lists_its_refusals_by_status(document):
    operation = document["paths"]["/api/v1/courses/{course_id}/enrollments"]["post"]
    statuses = set(operation["responses"])
    assert statuses == {"201", "400", "401", "403", "404", "409", "422"}
    conflict = operation["responses"]["409"]["content"]["application/json"]["schema"]
    codes = conflict["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"]
    assert {"already_enrolled", "course_full"} <= set(codes)
    assert conflict["allOf"][0] == {"$ref": "#/components/schemas/Error"}


def test_every_operation_has_401_and_the_role_bound_ones_403(document):
    for path, method, operation in _operations(document):
        if path == "/api/v1/openapi.json":
            continue
        assert "401" in operation["responses"], (method, path)
        if operation.get("x-roles"):
            assert "403" in operation["responses"], (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


def test_query_parameters_are_typed(document):
    hours = document["paths"]["/api/v1/me/hours"]["get"]["parameters"]
    year = next(p for p in hours if p["name"] == "year")
    assert {"type": "integer", "minimum": 2000, "maximum": 2100} in year["schema"]["anyOf"]
    filings = document["paths"]["/api/v1/filings"]["get"]["parameters"]
    status = next(p for p in filings if p["name"] == "status")
    assert status["schema"]["enum"] == ["submitted", "approved", "returned"]
    accepted = document["paths"]["/api/v1/rosters/accepted.csv"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("format") for p in accepted} == {"start": "date", "end": "date"}
    assert all(p["required"] for p in accepted)


def test_file_answers_name_their_media_type(document):
    roster = document["paths"]["/api/v1/courses/{course_id}/roster.xlsx"]["get"]["responses"]["200"]
    assert list(roster["content"]) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    csv = document["paths"]["/api/v1/courses/{course_id}/roster.csv"]["get"]["responses"]["200"]
    assert list(csv["content"]) == ["text/csv"]
    pdf = document["paths"]["/api/v1/courses/{course_id}/filing.pdf"]["get"]["responses"]["200"]
    assert list(pdf["content"]) == ["application/pdf"]


def test_a_wrong_method_is_405_with_allow(client, db):
    answer = client.delete("/api/v1/courses")
    assert answer.status_code == 405
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    page = client.put("/login")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_an_undeclared_refusal_is_caught_by_the_test_check():
    spec = next(s for s in ENDPOINTS if s.rule == "/api/v1/courses/<int:course_id>" and s.method == "GET")
    check_refusal(spec, "not_found", 404)
    with pytest.raises(UndeclaredAnswer):
        check_refusal(spec, "course_full", 409)
    with pytest.raises(UndeclaredAnswer):
        check_refusal(spec, "not_found", 409)  # the right code with another status is wrong too


def test_the_test_configuration_checks_answers(app):
    assert app.config["API_CHECK_ANSWERS"] is True
    assert all(isinstance(spec, EndpointSpec) for spec in ENDPOINTS)
