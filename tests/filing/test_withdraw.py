"""撤回 (issue 13): a base takes a submitted filing back before the bureau decides."""

import pytest

from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.courses.models import FilingStatus
from basesys.filing import services as filing
from basesys.filing.history import filing_history

pytestmark = pytest.mark.usefixtures("clock")


def test_withdraw_a_submitted_filing_goes_back_to_draft_and_is_audited(db, new_course, tenants, now):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.withdraw_filing(tenants.admin_a, course, now=now)
    db.session.commit()
    assert course.filing_status == FilingStatus.DRAFT
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "filing.withdrawn"))
    assert record.before == {"filing_status": "submitted"} and record.after["filing_status"] == "draft"
    assert [step.action_label for step in filing_history(course)][-1] == "撤回备案"
    filing.submit_filing(tenants.admin_a, course, now=now)  # and may be filed again


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_withdraw_is_refused_once_decided(db, new_course, tenants, now, decision):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(tenants.officer_a, course, decision=decision, comment="请补充", now=now)
    with pytest.raises(DomainError) as error:
        filing.withdraw_filing(tenants.admin_a, course, now=now)
    assert error.value.code == "filing_not_withdrawable" and error.value.status == 409


def test_withdraw_a_draft_is_refused(db, new_course, tenants, now):
    with pytest.raises(DomainError) as error:
        filing.withdraw_filing(tenants.admin_a, new_course(), now=now)
    assert error.value.code == "filing_not_withdrawable"


def test_audit_sentence_reads(client, login, db, new_course, tenants, now):
    from basesys.core.audit_text import entry

    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.withdraw_filing(tenants.admin_a, course, now=now)
    db.session.commit()
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "filing.withdrawn"))
    with client.application.test_request_context():
        text = entry(record, links=False).text
    assert "撤回了" in text and course.title in text


def test_withdraw_page_and_refusal_message(client, login, db, new_course, tenants, now):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    db.session.commit()
    login(tenants.admin_a)
    assert "withdraw-filing" in client.get(f"/courses/{course.id}").get_data(as_text=True)
    response = client.post(f"/filing/courses/{course.id}/withdraw")
    assert response.status_code == 302
    assert "草稿" in client.get(response.location).get_data(as_text=True)
    db.session.refresh(course)
    assert course.filing_status == FilingStatus.DRAFT
    response = client.post(f"/filing/courses/{course.id}/withdraw")
    assert "不能撤回" in client.get(f"/courses/{course.id}").get_data(as_text=True)


def test_withdraw_is_walled(client, login, db, new_course, tenants, now):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    db.session.commit()
    login(tenants.admin_b)
    assert client.post(f"/filing/courses/{course.id}/withdraw").status_code == 404
    client.post("/logout")
    login(tenants.officer_a)
    assert client.post(f"/filing/courses/{course.id}/withdraw").status_code == 403
