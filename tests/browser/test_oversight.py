"""An officer's day at province scale (issue 11), in a real browser: finds a trainee's history in the
audit log by typing the ID number, opens the `shared_device` finding a real scan sequence produced
and reviews it, then approves three filings at once.

The scans go through the API as a phone would send them (one X-Device-Id for two trainees, in two
courses on one day). The live server reads the real clock, so the sessions are around now.
"""

from datetime import datetime, timedelta

from basesys.core.time import LOCAL_TZ
from basesys.extensions import db
from basesys.oversight.models import Anomaly
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD


def _course_now(make_course, tenants, title):
    now = datetime.now(LOCAL_TZ).replace(second=0, microsecond=0)
    return make_course(
        base=tenants.base_a, title=title, sessions=[(now - timedelta(minutes=10), now + timedelta(minutes=50))]
    )


def _scan(client, api_headers, admin, trainee, course, device):
    qr = client.get(f"/api/v1/sessions/{course.sessions[0].id}/qr?purpose=in", headers=api_headers(admin))
    assert qr.status_code == 200, qr.get_data(as_text=True)
    answer = client.post(
        "/api/v1/scan", json={"token": qr.json["token"]}, headers=api_headers(trainee, **{"X-Device-Id": device})
    )
    assert answer.status_code == 200 and answer.json["result"] == "checked_in", answer.get_data(as_text=True)


def test_officer_finds_a_history_reviews_a_shared_phone_and_approves_three_filings(
    page, client, tenants, make_course, api_headers, screenshot
):
    # Two courses today; the base enrols one trainee in each (audited); one phone checks in both.
    morning, evening = (
        _course_now(make_course, tenants, "安全生产专题"),
        _course_now(make_course, tenants, "职业道德专题"),
    )
    for course, trainee in ((morning, tenants.trainee), (evening, tenants.other_trainee)):
        answer = client.post(
            f"/api/v1/courses/{course.id}/enrollments",
            json={"id_number": trainee.id_number},
            headers=api_headers(tenants.admin_a),
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)
    _scan(client, api_headers, tenants.admin_a, tenants.trainee, morning, "phone-of-li")
    _scan(client, api_headers, tenants.admin_a, tenants.other_trainee, evening, "phone-of-li")
    waiting = [make_course(base=tenants.base_a, status="submitted", title=f"待审项目{n}") for n in range(3)]
    db.session.commit()

    # The trainee's history: typed as the ID number, found in the audit log.
    browser_login(page, tenants.officer_a.username, PASSWORD)
    page.goto("/bureau/audit")
    page.fill("input[name=q]", tenants.trainee.id_number)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    log = page.inner_text("table.audit-log")
    assert tenants.trainee.name in log and "安全生产专题" in log
    assert "职业道德专题" not in log  # the other trainee's enrolment is not this history
    screenshot(page, "officer-audit-history")

    # The shared phone: checked again now, opened with its evidence, reviewed with a comment.
    page.goto("/bureau/anomalies")
    page.click("button:has-text('重新检查')")
    page.wait_for_load_state()
    row = page.locator("tr", has_text="一机多签").first
    assert row.count() == 1
    row.locator("a:has-text('证据')").click()
    page.wait_for_load_state()
    evidence = page.content()
    assert tenants.trainee.name in evidence and tenants.other_trainee.name in evidence and "phone-of-li" in evidence
    screenshot(page, "officer-shared-device")
    page.fill("textarea[name=comment]", "已电话核实：同一单位同事代签，已提醒。")
    page.click("button:has-text('标记为已核查')")
    page.wait_for_load_state()
    db.session.commit()  # a fresh snapshot: what the live server wrote
    finding = db.session.scalar(db.select(Anomaly).where(Anomaly.kind == "shared_device"))
    assert finding.status == "reviewed"

    # Three filings approved at once.
    page.goto("/filing/")
    for course in waiting:
        page.check(f"#pick-{course.id}")
    page.click("#batch-approve")
    page.wait_for_load_state()
    assert "已通过 3 项" in page.content()
    screenshot(page, "officer-batch-approved")
    db.session.commit()
    assert {db.session.get(type(c), c.id).filing_status for c in waiting} == {"approved"}
