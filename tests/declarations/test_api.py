"""The declaration API end to end: each row of the Jining table declared and recognised over HTTP,
Zaozhuang's treatment of the same declaration, the tenant walls (404 for the declaration, its
decision and its evidence) and evidence typed by its content."""

import io

import pytest

from basesys.declarations.models import Evidence
from basesys.extensions import db
from tests.declarations.conftest import EXE, JPEG, PDF, PNG

# (rule, option, quantity, extra fields, expected {category: hours})
JINING_ROWS = [
    ("posting", "posting", 6, {}, {"public": 15.0, "professional": 30.0}),
    ("foreign_language", "a", 1, {}, {"public": 30.0}),
    ("foreign_language", "c", 1, {}, {"public": 10.0}),
    ("computer", "module", 2, {}, {"public": 10.0}),
    ("competition", "provincial", 1, {"category": "professional"}, {"professional": 20.0}),
    ("competition", "county", 1, {"category": "public"}, {"public": 3.0}),
    ("self_study", "course", 2, {}, {"professional": 20.0}),
    ("achievement", "paper", 1, {}, {"professional": 10.0}),
    ("expert_service", "service", 12, {"started_on": "2025-05-12", "ended_on": "2025-05-13"}, {"professional": 12.0}),
    ("qualification", "passed", 1, {}, {"professional": 16.0}),
    ("skill_level", "special", 1, {}, {"professional": 25.0}),
]


def upload(client, headers, data=PDF, name="证明.pdf"):
    return client.post(
        "/api/v1/evidence", headers=headers, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def declare(client, headers, rule, option, quantity=1, **fields):
    evidence = upload(client, headers)
    assert evidence.status_code == 201, evidence.get_json()
    body = {"year": 2025, "rule": rule, "option": option, "quantity": quantity, "title": "申报事项"}
    body.update(fields, evidence_ids=[evidence.get_json()["id"]])
    return client.post("/api/v1/declarations", headers=headers, json=body)


def decide(client, headers, declaration_id, decision="approve", comment=""):
    return client.post(
        f"/api/v1/declarations/{declaration_id}/decision",
        headers=headers,
        json={"decision": decision, "comment": comment},
    )


@pytest.mark.parametrize("rule,option,quantity,fields,granted", JINING_ROWS)
def test_each_jining_row_over_the_api(decl, client, api_headers, rule, option, quantity, fields, granted):
    me = api_headers(decl.trainee)
    created = declare(client, me, rule, option, quantity, **fields)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "submitted" and body["hours_claimed"] == sum(granted.values())
    assert decide(client, api_headers(decl.reviewer_jn), body["id"]).get_json()["status"] == "employer_approved"
    final = decide(client, api_headers(decl.officer_b), body["id"]).get_json()
    assert final["status"] == "recognized" and final["hours_granted"] == sum(granted.values())
    assert {k: v for k, v in final["granted"].items() if v} == granted


def test_the_rules_answer_says_what_is_used_and_left(decl, client, api_headers):
    me = api_headers(decl.trainee)
    assert declare(client, me, "computer", "module", 4).status_code == 201
    rules = client.get("/api/v1/declaration-rules?year=2025", headers=me).get_json()
    computer = next(r for r in rules["rules"] if r["code"] == "computer")
    assert (computer["used_this_year"], computer["left_in_cap"], computer["cap_per_year"]) == (20.0, 10.0, 30.0)
    zz = client.get("/api/v1/declaration-rules?year=2025", headers=api_headers(decl.zz_trainee)).get_json()
    assert zz["bureau_id"] == decl.city_a.id and "computer" not in {r["code"] for r in zz["rules"]}


def test_the_same_competition_is_treated_differently_in_zaozhuang(decl, client, api_headers):
    jn = declare(client, api_headers(decl.trainee), "competition", "national", category="professional").get_json()
    zz = declare(client, api_headers(decl.zz_trainee), "competition", "national", category="professional").get_json()
    assert (jn["hours_claimed"], jn["hours_left_in_cap"]) == (30.0, None)
    assert (zz["hours_claimed"], zz["hours_left_in_cap"]) == (10.0, 20.0)


def test_walls_for_the_declaration_its_decision_and_its_evidence(decl, client, api_headers):
    body = declare(client, api_headers(decl.trainee), "qualification", "passed").get_json()
    evidence_id = body["evidence_ids"][0]
    for outsider in (decl.reviewer_jn2, decl.reviewer_zz, decl.officer_a, decl.zz_trainee):
        headers = api_headers(outsider)
        assert client.get(f"/api/v1/declarations/{body['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/evidence/{evidence_id}", headers=headers).status_code == 404
        if outsider is not decl.zz_trainee:
            answer = decide(client, headers, body["id"])
            assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    assert (
        client.get(f"/api/v1/declarations/{body['id']}", headers=api_headers(decl.officer_province)).status_code == 200
    )
    assert decide(client, api_headers(decl.trainee), body["id"]).status_code == 403


def test_evidence_is_typed_by_its_content(decl, client, api_headers):
    me = api_headers(decl.trainee)
    for data, name, media_type in (
        (PNG, "scan.pdf", "image/png"),
        (JPEG, "photo.png", "image/jpeg"),
        (PDF, "a.jpg", "application/pdf"),
    ):
        answer = upload(client, me, data, name)
        assert answer.status_code == 201, answer.get_json()
        stored = db.session.get(Evidence, answer.get_json()["id"])
        assert stored.media_type == media_type and stored.original_name == name
        path = decl.evidence_dir / stored.sha256[:2] / stored.sha256
        assert path.read_bytes() == data
    webp = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16
    assert upload(client, me, webp, "x.webp").status_code == 201
    for data, name in ((EXE, "setup.exe"), (EXE, "fake.pdf"), (b"<html><script>", "x.png"), (b"", "empty.pdf")):
        answer = upload(client, me, data, name)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "evidence_invalid"


def test_the_same_file_twice_is_stored_once(decl, client, api_headers):
    me = api_headers(decl.trainee)
    first, second = upload(client, me).get_json(), upload(client, me).get_json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    files = [p for p in decl.evidence_dir.rglob("*") if p.is_file()]
    assert len(files) == 1
