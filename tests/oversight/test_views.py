"""The officer's anomaly pages: list, evidence, review, "check again", and the walls route by route."""

import pytest
from sqlalchemy import event

from basesys.core.audit import AuditRecord
from basesys.oversight.models import Anomaly, AnomalyStatus
from tests.conftest import at

DAY_END = at("2025-06-02", "20:00")


@pytest.fixture
def finding(shared_phone, detect):
    (found,) = detect(DAY_END, "shared_device")
    return found


def test_the_officer_sees_the_finding_and_its_evidence(finding, tenants, login, clock):
    browser = login(tenants.officer_a)
    page = browser.get("/bureau/anomalies").text
    assert "一机多签" in page and "基地甲" in page and f"/bureau/anomalies/{finding.id}" in page
    detail = browser.get(f"/bureau/anomalies/{finding.id}").text
    assert "phone-1" in detail and tenants.trainee.name in detail and tenants.other_trainee.name in detail
    assert "09:00" in detail and "14:00" in detail and "核查意见" in detail


def test_the_list_filters_by_kind_and_status(finding, tenants, login):
    browser = login(tenants.officer_a)
    assert f"/bureau/anomalies/{finding.id}" not in browser.get("/bureau/anomalies?kind=late_filing").text
    assert f"/bureau/anomalies/{finding.id}" in browser.get("/bureau/anomalies?kind=shared_device&status=open").text
    assert f"/bureau/anomalies/{finding.id}" not in browser.get("/bureau/anomalies?status=reviewed").text


def test_review_from_the_page_needs_a_comment_and_is_audited(finding, tenants, login, db):
    browser = login(tenants.officer_a)
    refused = browser.post(f"/bureau/anomalies/{finding.id}/review", data={"comment": " "})
    assert refused.status_code == 422 and "必须填写核查意见" in refused.text
    assert db.session.get(Anomaly, finding.id).status == AnomalyStatus.OPEN
    done = browser.post(f"/bureau/anomalies/{finding.id}/review", data={"comment": "已核实，系借用手机"})
    assert done.status_code == 302
    assert db.session.get(Anomaly, finding.id).status == AnomalyStatus.REVIEWED
    assert db.session.scalar(db.select(AuditRecord.reason).where(AuditRecord.action == "anomaly.review")) == (
        "已核实，系借用手机"
    )


def test_check_again_finds_what_the_job_has_not_yet(shared_phone, tenants, login, db, clock):
    clock.set(DAY_END)
    browser = login(tenants.officer_a)
    assert "没有符合条件的异常" in browser.get("/bureau/anomalies").text
    response = browser.post("/bureau/anomalies/recompute")
    assert response.status_code == 302
    (found,) = db.session.scalars(db.select(Anomaly)).all()
    page = browser.get("/bureau/anomalies").text
    assert f"/bureau/anomalies/{found.id}" in page and "已重新检查：共 1 条异常，新增 1 条。" in page


@pytest.mark.parametrize(
    "who, status",
    [("officer_b", 404), ("officer_county", 404), ("admin_a", 403), ("admin_b", 403), ("trainee", 403)],
)
def test_walls_of_the_detail_and_review_pages(finding, tenants, login, who, status):
    browser = login(getattr(tenants, who))
    assert browser.get(f"/bureau/anomalies/{finding.id}").status_code == status
    assert browser.post(f"/bureau/anomalies/{finding.id}/review", data={"comment": "x"}).status_code == status


@pytest.mark.parametrize("who", ["officer_b", "officer_county"])
def test_the_list_of_another_bureau_shows_nothing_of_base_a(finding, tenants, login, who):
    page = login(getattr(tenants, who)).get("/bureau/anomalies").text
    assert f"/bureau/anomalies/{finding.id}" not in page


def test_an_officer_above_sees_it(finding, tenants, login):
    assert login(tenants.officer_province).get(f"/bureau/anomalies/{finding.id}").status_code == 200


@pytest.mark.parametrize("who", ["admin_a", "trainee"])
def test_the_list_and_check_again_are_for_officers(finding, tenants, login, who):
    browser = login(getattr(tenants, who))
    assert browser.get("/bureau/anomalies").status_code == 403
    assert browser.post("/bureau/anomalies/recompute").status_code == 403


def test_anonymous_goes_to_the_login_page(finding, client):
    for response in (
        client.get("/bureau/anomalies"),
        client.get(f"/bureau/anomalies/{finding.id}"),
        client.post(f"/bureau/anomalies/{finding.id}/review", data={"comment": "x"}),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def _statements(db, client, path) -> int:
    counted = []

    def record(*_args):
        counted.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(counted)


def test_statements_of_the_list_do_not_grow_with_the_page(tenants, login, db, make_course, client):
    def add(n):
        for _ in range(n):
            course = make_course(base=tenants.base_a, status="submitted", filing_late=True)
            db.session.add(
                Anomaly(
                    kind="late_filing",
                    key=str(course.id),
                    base_id=course.base_id,
                    course_id=course.id,
                    trainee_ids=[],
                    detected_on=DAY_END.date(),
                    summary="补备案",
                    created_at=DAY_END,
                    updated_at=DAY_END,
                )
            )
        db.session.commit()

    login(tenants.officer_a)
    add(2)
    few = _statements(db, client, "/bureau/anomalies")
    add(20)
    assert _statements(db, client, "/bureau/anomalies") == few
