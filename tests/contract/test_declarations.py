"""API.md "Hour declarations" (DOMAIN §11): every documented field, status and error code.

The world's city_b is Jining with its 2025 rules, city_a Zaozhuang with its own; the trainee works
for a Jining employer (reviewer `reviewer`), `other_reviewer` reviews another Jining employer.
Evidence is stored in a temporary folder (app.config EVIDENCE_DIR)."""

import io
import itertools

import pytest

from basesys.accounts.models import Employer, User
from basesys.accounts.services.passwords import hash_password
from basesys.core.ids import make_credit_code
from basesys.declarations import services
from basesys.declarations.rules import bundled, read_rule_file
from basesys.extensions import db
from tests.conftest import PASSWORD
from tests.contract.cases import Case, no_token, outside_scope, request, run, wrong_role
from tests.contract.shapes import BOOL, DATETIME, HOURS, INT, NUMBER, STR, Nullable, one_of, with_values

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64
_codes = itertools.count(900)

STATUS = one_of("submitted", "employer_approved", "recognized", "returned")
OPTION = {"code": STR, "name": STR, "category": one_of("public", "professional", "either", "both"), "hours": NUMBER}
RULE = {
    "code": STR,
    "name": STR,
    "options": [OPTION],
    "per_unit": BOOL,
    "cap_per_year": Nullable(NUMBER),
    "used_this_year": NUMBER,
}
RULES = {"bureau_id": INT, "year": INT, "rules": [RULE]}
EVIDENCE = {"id": INT, "sha256": STR, "size": INT}
DECLARATION = {
    "id": INT,
    "status": STATUS,
    "rule": STR,
    "option": STR,
    "category": STR,
    "hours_claimed": HOURS,
    "hours_left_in_cap": Nullable(NUMBER),
    "hours_granted": Nullable(NUMBER),
    "submitted_at": DATETIME,
}


def setup(w):
    """Rules, employers and reviewers, once per world."""
    if getattr(w, "declarations_ready", False):
        return w
    for bureau, name in ((w.t.city_b, "jining-2025.yaml"), (w.t.city_a, "zaozhuang-2025.yaml")):
        document, sha256 = read_rule_file(bundled(name))
        services.load_rule_set(None, bureau, document, source_sha256=sha256, now=w.start)
    w.employer = _employer("济宁市第一人民医院", w.t.city_b, w)
    w.other_employer = _employer("济宁市第二人民医院", w.t.city_b, w)
    w.reviewer, w.other_reviewer = _reviewer(w.employer, w), _reviewer(w.other_employer, w)
    w.t.trainee.employer_id = w.employer.id
    db.session.commit()
    w.declarations_ready = True
    return w


def _employer(name, bureau, w):
    code = make_credit_code(f"91370800MC{next(_codes):07d}")
    employer = Employer(name=name, credit_code=code, bureau_id=bureau.id, created_at=w.start)
    db.session.add(employer)
    db.session.flush()
    return employer


def _reviewer(employer, w):
    user = User(
        username=f"contract_reviewer{next(_codes)}",
        password_hash=hash_password(PASSWORD),
        role="employer_reviewer",
        employer_id=employer.id,
        created_at=w.start,
    )
    db.session.add(user)
    db.session.flush()
    return user


def reviewer(w):
    return setup(w).reviewer


def other_reviewer(w):
    return setup(w).other_reviewer


def rules_path(w):
    setup(w)
    return "/api/v1/declaration-rules?year=2025"


def upload(data=PDF, name="证明.pdf"):
    return lambda w: {"file": (io.BytesIO(data), name)}


def evidence_id(w, who=None):
    """A fresh evidence file of the trainee (or `who`), unattached."""
    setup(w)
    body = w.ok("POST", "/api/v1/evidence", who or w.t.trainee, data=upload()(w), content_type="multipart/form-data")
    return body["id"]


def paper(w, **overrides):
    body = {"year": 2025, "rule": "achievement", "option": "paper", "quantity": 1, "title": "护理质量研究"}
    body.update(overrides)
    if "evidence_ids" not in body:
        body["evidence_ids"] = [evidence_id(w)]
    return body


def submitted(w):
    """A paper declaration of the trainee, waiting for its employer."""
    if getattr(w, "declaration", None) is None:
        w.declaration = w.ok("POST", "/api/v1/declarations", w.t.trainee, json=paper(w))
    return w.declaration


def decision_path(w):
    return f"/api/v1/declarations/{submitted(w)['id']}/decision"


def fresh_decision_path(w):
    body = w.ok("POST", "/api/v1/declarations", w.t.trainee, json=paper(w, option="patent"))
    return f"/api/v1/declarations/{body['id']}/decision"


def attached_evidence_path(w):
    return f"/api/v1/evidence/{submitted(w)['evidence_ids'][0]}"


def unattached_evidence_path(w):
    return f"/api/v1/evidence/{evidence_id(w)}"


def stored_as_png(body, w):
    assert body["size"] == len(PNG), body
    response = w.call("GET", f"/api/v1/evidence/{body['id']}", w.t.trainee)
    assert response.status_code == 200 and response.mimetype == "image/png", response.status_code


def served_inline(response, w):
    assert response.headers["Content-Disposition"] == "inline", response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff", response.headers
    assert response.get_data() == PDF


def used_cap(w):
    """Three papers recognised: the 30-hour cap of 科研成果/论文著作 is used up."""
    setup(w)
    body = w.ok("POST", "/api/v1/declarations", w.t.trainee, json=paper(w, quantity=3))
    for who in (w.reviewer, w.t.officer_b):
        w.ok("POST", f"/api/v1/declarations/{body['id']}/decision", who, json={"decision": "approve"})
    return paper(w, option="book")


def listed(path):
    def build(w):
        submitted(w)
        return path

    return build


def only_the_declaration(body, w):
    assert [item["id"] for item in body["items"]] == [submitted(w)["id"]], body


def nothing(body, w):
    assert body["items"] == [], body


def approved_by_employer(body, w):
    assert body["status"] == "employer_approved" and body["hours_granted"] is None, body
    recognised = w.ok("POST", decision_path(w), w.t.officer_b, json={"decision": "approve"})
    assert recognised["status"] == "recognized" and recognised["hours_granted"] == 10.0, recognised


CASES = {
    "GET /api/v1/declaration-rules?year=2025": [
        Case(
            "200 the trainee's employer's bureau's rules (Jining) with what is used",
            request("GET", rules_path, "trainee"),
            200,
            shape=RULES,
            then=lambda body, w: (
                _assert(body["bureau_id"] == w.t.city_b.id, body["bureau_id"]),
                _assert(any(r["code"] == "skill_level" for r in body["rules"]), [r["code"] for r in body["rules"]]),
            ),
        ),
        Case(
            "200 no rules for a year without a set",
            request("GET", lambda w: rules_path(w).replace("2025", "2024"), "trainee"),
            200,
            shape=with_values(RULES, rules=[]),
        ),
        Case("422 without a year", request("GET", "/api/v1/declaration-rules", "trainee"), 422, "validation_failed"),
        no_token("GET", "/api/v1/declaration-rules?year=2025"),
        wrong_role("GET", "/api/v1/declaration-rules?year=2025", "officer_b"),
    ],
    "POST /api/v1/evidence": [
        Case(
            "201 a PDF",
            request("POST", "/api/v1/evidence", "trainee", data=upload(), content_type="multipart/form-data"),
            201,
            shape=with_values(EVIDENCE, size=len(PDF)),
        ),
        Case(
            "201 PNG bytes named .pdf are stored as PNG (type by content)",
            request(
                "POST", "/api/v1/evidence", "trainee", data=upload(PNG, "x.pdf"), content_type="multipart/form-data"
            ),
            201,
            shape=EVIDENCE,
            then=stored_as_png,
        ),
        Case(
            "422 evidence_invalid for an .exe",
            request(
                "POST", "/api/v1/evidence", "trainee", data=upload(EXE, "a.exe"), content_type="multipart/form-data"
            ),
            422,
            "evidence_invalid",
        ),
        Case(
            "422 evidence_invalid for an empty file",
            request(
                "POST", "/api/v1/evidence", "trainee", data=upload(b"", "a.pdf"), content_type="multipart/form-data"
            ),
            422,
            "evidence_invalid",
        ),
        Case(
            "422 evidence_invalid beyond 10 MB",
            request(
                "POST",
                "/api/v1/evidence",
                "trainee",
                data=upload(b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf"),
                content_type="multipart/form-data",
            ),
            422,
            "evidence_invalid",
        ),
        Case(
            "413 too_large (JSON) for a body beyond the request limit",
            request(
                "POST",
                "/api/v1/evidence",
                "trainee",
                data=upload(b"%PDF-" + b"0" * (17 * 1024 * 1024), "huge.pdf"),
                content_type="multipart/form-data",
            ),
            413,
            "too_large",
        ),
        Case(
            "422 without the file field",
            request("POST", "/api/v1/evidence", "trainee", data={}, content_type="multipart/form-data"),
            422,
            "validation_failed",
        ),
        no_token("POST", "/api/v1/evidence"),
        wrong_role("POST", "/api/v1/evidence", "officer_b", data=upload(), content_type="multipart/form-data"),
    ],
    "POST /api/v1/declarations": [
        Case(
            "201 submitted, to the employer",
            request("POST", "/api/v1/declarations", "trainee", json=paper),
            201,
            shape=with_values(DECLARATION, status="submitted", category="professional", hours_claimed=10.0),
            then=lambda body, w: _assert(body["hours_left_in_cap"] == 20.0 and body["stage"] == "employer", body),
        ),
        Case(
            "201 a competition counted in the category chosen",
            request(
                "POST",
                "/api/v1/declarations",
                "trainee",
                json=lambda w: paper(w, rule="competition", option="national", category="public"),
            ),
            201,
            shape=with_values(DECLARATION, category="public", hours_claimed=5.0),
        ),
        Case(
            "422 rule_unknown for an option not in the rules",
            request("POST", "/api/v1/declarations", "trainee", json=lambda w: paper(w, option="software")),
            422,
            "rule_unknown",
        ),
        Case(
            "422 evidence_missing without evidence",
            request("POST", "/api/v1/declarations", "trainee", json=lambda w: paper(w, evidence_ids=[])),
            422,
            "evidence_missing",
        ),
        Case(
            "422 evidence_missing for another trainee's evidence",
            request(
                "POST",
                "/api/v1/declarations",
                "trainee",
                json=lambda w: paper(w, evidence_ids=[evidence_id(w, w.t.other_trainee)]),
            ),
            422,
            "evidence_missing",
        ),
        Case(
            "422 cap_reached when nothing is left of the cap",
            request("POST", "/api/v1/declarations", "trainee", json=used_cap),
            422,
            "cap_reached",
        ),
        Case(
            "422 for a future year",
            request("POST", "/api/v1/declarations", "trainee", json=lambda w: paper(w, year=2026)),
            422,
            "validation_failed",
        ),
        Case(
            "422 for a NUL in the title",
            request("POST", "/api/v1/declarations", "trainee", json=lambda w: paper(w, title="a\u0000b")),
            422,
            "validation_failed",
        ),
        Case(
            "400 for a body that is not JSON",
            request("POST", "/api/v1/declarations", "trainee", data="{", content_type="application/json"),
            400,
            "malformed_body",
        ),
        no_token("POST", "/api/v1/declarations"),
        wrong_role("POST", "/api/v1/declarations", "officer_b", json={}),
    ],
    "GET /api/v1/declarations?status=": [
        Case(
            "200 the trainee's own",
            request("GET", listed("/api/v1/declarations"), "trainee"),
            200,
            shape={"items": [DECLARATION]},
            then=only_the_declaration,
        ),
        Case(
            "200 the employer's reviewer: waiting ones by status",
            request("GET", listed("/api/v1/declarations?status=submitted"), reviewer),
            200,
            then=only_the_declaration,
        ),
        Case(
            "200 another employer's reviewer sees none",
            request("GET", listed("/api/v1/declarations"), other_reviewer),
            200,
            then=nothing,
        ),
        Case(
            "200 the bureau sees it",
            request("GET", listed("/api/v1/declarations"), "officer_b"),
            200,
            then=only_the_declaration,
        ),
        Case(
            "200 another city's officer sees none",
            request("GET", listed("/api/v1/declarations"), "officer_a"),
            200,
            then=nothing,
        ),
        Case(
            "200 none recognised yet",
            request("GET", listed("/api/v1/declarations?status=recognized"), "trainee"),
            200,
            then=nothing,
        ),
        outside_scope(
            "GET",
            lambda w: listed(f"/api/v1/declarations?trainee_id={w.t.trainee.id}")(w),
            "officer_a",
            " (a trainee of another city)",
        ),
        Case(
            "422 for an unknown status",
            request("GET", "/api/v1/declarations?status=nonsense", "trainee"),
            422,
            "validation_failed",
        ),
        no_token("GET", "/api/v1/declarations"),
        wrong_role("GET", "/api/v1/declarations", "admin_a"),
    ],
    "POST /api/v1/declarations/{id}/decision": [
        Case(
            "409 wrong_stage: the bureau before the employer",
            request("POST", decision_path, "officer_b", json={"decision": "approve"}),
            409,
            "wrong_stage",
        ),
        Case(
            "422 comment_required when returning without one",
            request("POST", decision_path, reviewer, json={"decision": "return", "comment": " "}),
            422,
            "comment_required",
        ),
        Case(
            "422 for an unknown decision",
            request("POST", decision_path, reviewer, json={"decision": "maybe"}),
            422,
            "validation_failed",
        ),
        outside_scope(
            "POST", decision_path, other_reviewer, " (another employer's reviewer)", json={"decision": "approve"}
        ),
        outside_scope(
            "POST", decision_path, "officer_a", " (an officer of another city)", json={"decision": "approve"}
        ),
        outside_scope(
            "POST", "/api/v1/declarations/999999/decision", "officer_b", " (unknown id)", json={"decision": "approve"}
        ),
        Case(
            "200 employer_approved, then recognized by the bureau with hours_granted",
            request("POST", decision_path, reviewer, json={"decision": "approve"}),
            200,
            shape=DECLARATION,
            then=approved_by_employer,
        ),
        Case(
            "409 wrong_stage once recognised",
            request("POST", decision_path, "officer_b", json={"decision": "approve"}),
            409,
            "wrong_stage",
        ),
        Case(
            "200 returned with the reason",
            request("POST", fresh_decision_path, reviewer, json={"decision": "return", "comment": "材料不清晰"}),
            200,
            shape=with_values(DECLARATION, status="returned"),
        ),
        no_token("POST", "/api/v1/declarations/1/decision"),
        wrong_role("POST", decision_path, "trainee", json={"decision": "approve"}),
    ],
    "GET /api/v1/evidence/{id}": [
        Case(
            "200 for its trainee: inline, nosniff, the stored bytes",
            request("GET", attached_evidence_path, "trainee"),
            200,
            mimetype="application/pdf",
            then=served_inline,
        ),
        Case(
            "200 for its employer's reviewer",
            request("GET", attached_evidence_path, reviewer),
            200,
            mimetype="application/pdf",
        ),
        Case(
            "200 for the bureau", request("GET", attached_evidence_path, "officer_b"), 200, mimetype="application/pdf"
        ),
        outside_scope("GET", attached_evidence_path, other_reviewer, " (another employer's reviewer)"),
        outside_scope("GET", attached_evidence_path, "officer_a", " (an officer of another city)"),
        outside_scope("GET", attached_evidence_path, "other_trainee", " (another trainee)"),
        outside_scope("GET", unattached_evidence_path, reviewer, " (not attached to a declaration yet)"),
        outside_scope("GET", "/api/v1/evidence/999999", "trainee", " (unknown id)"),
        no_token("GET", "/api/v1/evidence/1"),
        wrong_role("GET", "/api/v1/evidence/1", "admin_a"),
    ],
}


def _assert(condition, detail):
    assert condition, detail


@pytest.fixture
def evidence_folder(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    yield
    app.config.pop("EVIDENCE_DIR", None)


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world, evidence_folder):
    run(CASES[row], world)
