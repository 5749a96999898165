"""Issuing annual statements (DOMAIN.md §15): first request issues, an unchanged ledger answers the
same statement, a changed one issues anew and supersedes; signed with the certificates' key."""

import base64
import json
import re
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from basesys.certificates.signing import current_signer
from basesys.core.audit import AuditRecord
from basesys.core.errors import NotFound
from basesys.statements.models import Statement, StatementStatus
from basesys.statements.services import current_statement, find_statement


def issue(trainee, year=2025, *, now):
    statement = current_statement(trainee.user, trainee, year, signer=current_signer(), now=now)
    from basesys.extensions import db

    db.session.commit()
    return statement


def verifies(statement) -> bool:
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(current_signer().public_key_b64))
    key.verify(base64.b64decode(statement.signature), statement.payload.encode())
    return True


def test_the_first_request_issues_a_signed_statement_of_both_sources(db, finalized, declared, now):
    t = finalized
    declared(t.trainee, t.city_a, hours=10, title="科研成果 · 论文《桥梁检测》")
    statement = issue(t.trainee, now=now)
    assert re.fullmatch(r"XS2025-\d{8}", statement.number) and len(statement.check_code) == 8
    assert statement.status == StatementStatus.VALID and verifies(statement)
    fields = json.loads(statement.payload)
    assert fields["kind"] == "annual_statement" and fields["year"] == 2025 and fields["number"] == statement.number
    assert fields["name_masked"] == "李*" and fields["id_number_masked"] == t.trainee.id_number_masked
    assert t.trainee.id_number not in statement.payload and "李四" not in statement.payload
    assert fields["required"] == {"public": 30.0, "professional": 60.0, "total": 90.0}
    assert fields["totals"] == {"public": 0.0, "professional": 26.0, "total": 26.0}
    assert fields["entries"] == [
        {"source": "course", "title": t.course.title, "category": "professional", "hours": 16.0, "status": "issued"},
        {
            "source": "declaration",
            "title": "科研成果 · 论文《桥梁检测》",
            "category": "professional",
            "hours": 10.0,
            "status": "recognized",
        },
    ]
    assert fields["issued_on"] == "2025-06-02" and fields["kid"] == current_signer().key_id
    records = db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == "statement.issue")).all()
    assert [(r.object_type, r.object_id, r.after["number"]) for r in records] == [
        ("statement", statement.id, statement.number)
    ]


def test_an_unchanged_year_answers_the_same_statement(db, finalized, now):
    first = issue(finalized.trainee, now=now)
    again = issue(finalized.trainee, now=now + timedelta(days=3))
    assert again.id == first.id and db.session.scalar(db.select(db.func.count()).select_from(Statement)) == 1
    assert db.session.scalar(db.select(db.func.count()).where(AuditRecord.action == "statement.issue")) == 1


def test_a_changed_ledger_issues_a_new_statement_and_supersedes_the_old(db, finalized, declared, now):
    first = issue(finalized.trainee, now=now)
    declared(finalized.trainee, finalized.city_a, hours=10)
    second = issue(finalized.trainee, now=now + timedelta(days=1))
    db.session.refresh(first)
    assert second.number != first.number and second.status == StatementStatus.VALID
    assert first.status == StatementStatus.SUPERSEDED and first.superseded_at == now + timedelta(days=1)
    assert json.loads(second.payload)["totals"]["total"] == 26.0 and verifies(second) and verifies(first)
    assert find_statement(first.number, first.check_code).status == "superseded"
    records = db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == "statement.issue")).all()
    assert records[-1].after["superseded"] == first.number


def test_a_pro_rated_requirement_is_stated(db, tenants, declared, now):
    declared(tenants.trainee, tenants.city_a, months_at_work=4)
    fields = json.loads(issue(tenants.trainee, now=now).payload)
    assert fields["required"] == {"public": 10.0, "professional": 20.0, "total": 30.0} and fields["months_at_work"] == 4


def test_a_past_year_has_its_own_statement_and_a_void_entry_is_not_on_it(db, tenants, declared, now):
    declared(tenants.trainee, tenants.city_a, hours=20, year=2024)
    declared(tenants.trainee, tenants.city_a, hours=8, year=2024, status="void")
    past = issue(tenants.trainee, 2024, now=now)
    fields = json.loads(past.payload)
    assert past.number.startswith("XS2024-") and fields["totals"]["total"] == 20.0 and len(fields["entries"]) == 1
    assert issue(tenants.trainee, 2025, now=now).id != past.id


@pytest.mark.parametrize("year", [2026, 1999])
def test_a_year_not_begun_has_no_statement(db, tenants, now, year):
    with pytest.raises(NotFound):
        issue(tenants.trainee, year, now=now)


def test_a_wrong_check_code_finds_nothing(db, finalized, now):
    statement = issue(finalized.trainee, now=now)
    assert find_statement(statement.number, statement.check_code.lower()) == statement  # typed back lower case
    assert find_statement(statement.number, "WRONG234") is None
    assert find_statement(statement.number, "") is None and find_statement("XS2025-99999999", "X") is None


def test_a_corrected_name_issues_a_new_statement(db, finalized, now):
    first = issue(finalized.trainee, now=now)
    finalized.trainee.name = "李肆"
    db.session.commit()
    second = issue(finalized.trainee, now=now)
    assert second.id != first.id and second.holder_name == "李肆"


def test_the_audit_sentence_names_the_trainee_and_the_statement(db, client, finalized, declared, now):
    from basesys.core.audit_text import entry

    first = issue(finalized.trainee, now=now)
    declared(finalized.trainee, finalized.city_a, hours=10)
    second = issue(finalized.trainee, now=now)
    records = db.session.scalars(
        db.select(AuditRecord).where(AuditRecord.action == "statement.issue").order_by(AuditRecord.id)
    ).all()
    with client.application.test_request_context():
        texts = [entry(record, links=False).text for record in records]
    assert f"出具了 2025 年度学时证明 {first.number}（合计 16 学时）" in texts[0]
    assert "李四" in texts[0] and second.number in texts[1] and "合计 26 学时" in texts[1]
    assert records[1].bureau_id is None or records[1].bureau_id == finalized.trainee.rules_bureau_id
