"""The training summary filed with the roster (DOMAIN.md §9): the base's text, the figures the system
computes, the page that shows both, and the PDF beside the XLSX (read back with pdftotext)."""

import subprocess
import tempfile
from pathlib import Path

import pytest

from basesys.attendance.models import Attendance
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.evaluation.services import submit_evaluation
from basesys.extensions import db
from basesys.rosters import services
from basesys.rosters.models import Roster
from basesys.rosters.summary import SUMMARY_MAX_CHARS

TEXT = "本期培训组织有序，学员反馈良好。\n下期将增加案例教学。"


def pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "summary.pdf"
        path.write_bytes(data)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout


def check_in(course, trainee, now, session_index=0):
    db.session.add(
        Attendance(
            session_id=course.sessions[session_index].id,
            trainee_id=trainee.id,
            check_in_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    db.session.flush()


def test_figures_count_enrolled_attended_completed_and_hours(tenants, finished, now):
    check_in(finished, tenants.trainee, now)
    check_in(finished, tenants.trainee, now, session_index=1)  # twice: still one trainee
    check_in(finished, tenants.other_trainee, now)
    figures = services.roster_state(finished, now=now).summary.figures
    assert {k: v for k, v in figures.items() if k != "evaluation"} == {
        "enrolled": 3,
        "attended": 2,
        "completed": 2,
        "hours_issued": 16.0,
    }
    assert figures["evaluation"]["responses"] == 0


def test_save_summary_stores_and_audits_the_change_once(tenants, finished, now):
    services.save_summary(tenants.admin_a, finished, text=f"  {TEXT}\r\n", now=now)
    services.save_summary(tenants.admin_a, finished, text=TEXT, now=now)  # unchanged: no second record
    db.session.commit()
    assert db.session.scalar(db.select(Roster)).summary_text == TEXT
    records = db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == "roster.summary")).all()
    assert len(records) == 1 and records[0].after == {"summary": TEXT} and records[0].before == {"summary": ""}


@pytest.mark.parametrize(
    "text, fragment",
    [("a\x00b", "无效字符"), ("字" * (SUMMARY_MAX_CHARS + 1), "不能超过"), ("培训\U0001f600", "没有可用的字体")],
)
def test_save_summary_refuses_bad_text(tenants, finished, now, text, fragment):
    with pytest.raises(DomainError) as refused:
        services.save_summary(tenants.admin_a, finished, text=text, now=now)
    assert refused.value.status == 422 and fragment in refused.value.fields["summary_text"]


def test_save_summary_refuses_other_bases_officers_and_submitted_rosters(tenants, finished, now):
    with pytest.raises(DomainError) as other:
        services.save_summary(tenants.admin_b, finished, text=TEXT, now=now)
    assert other.value.code == "not_found"
    with pytest.raises(DomainError) as officer:
        services.save_summary(tenants.officer_a, finished, text=TEXT, now=now)
    assert officer.value.code == "forbidden"
    services.submit_roster(tenants.admin_a, finished, now=now)
    with pytest.raises(DomainError) as held:
        services.save_summary(tenants.admin_a, finished, text=TEXT, now=now)
    assert held.value.code == "roster_already_submitted"


def test_summary_is_editable_again_once_returned(tenants, finished, now):
    services.submit_roster(tenants.admin_a, finished, now=now, summary_text="初稿")
    services.decide_roster(tenants.officer_a, finished, decision="return", comment="总结过简", now=now)
    services.save_summary(tenants.admin_a, finished, text=TEXT, now=now)
    assert services.roster_state(finished, now=now).summary.text == TEXT


def test_submission_without_text_is_allowed_and_freezes_the_figures(tenants, finished, now):
    roster = services.submit_roster(tenants.admin_a, finished, now=now)  # the API sends no body
    assert roster.summary_text == "" and roster.summary_figures["enrolled"] == 3
    check_in(finished, tenants.trainee, now)  # a later correction does not change the filed figures
    assert services.roster_state(finished, now=now).summary.figures["attended"] == 0


def test_summary_is_refused_before_finalisation(tenants, make_course, now):
    course = make_course(base=tenants.base_a)
    with pytest.raises(DomainError) as refused:
        services.save_summary(tenants.admin_a, course, text=TEXT, now=now)
    assert refused.value.code == "course_not_finalized"


def test_page_saves_the_text_and_submit_asks_for_it(clock, client, login, tenants, finished):
    login(tenants.admin_a)
    page = client.get(f"/courses/{finished.id}/roster")
    assert page.status_code == 200 and "培训情况总结" in page.text and "参训人数（至少签到一次）" in page.text
    refused = client.post(f"/courses/{finished.id}/roster/submit", data={"confirm": "y", "summary_text": " "})
    assert refused.status_code == 422 and "请先填写培训情况总结再报送" in refused.text
    assert db.session.scalar(db.select(Roster)) is None
    saved = client.post(f"/courses/{finished.id}/roster/summary", data={"summary_text": TEXT})
    assert saved.status_code == 302
    again = client.get(f"/courses/{finished.id}/roster")
    assert "下期将增加案例教学" in again.text
    bad = client.post(f"/courses/{finished.id}/roster/summary", data={"summary_text": "培训\U0001f600"})
    assert bad.status_code == 422 and "没有可用的字体" in bad.text
    assert db.session.scalar(db.select(Roster)).summary_text == TEXT  # nothing half saved
    done = client.post(f"/courses/{finished.id}/roster/submit", data={"confirm": "y", "summary_text": TEXT})
    assert done.status_code == 302 and db.session.scalar(db.select(Roster)).status == "submitted"


def test_officer_reads_the_summary_on_the_roster_page(clock, client, login, tenants, finished, now):
    services.submit_roster(tenants.admin_a, finished, now=now, summary_text=TEXT)
    db.session.commit()
    login(tenants.officer_a)
    page = client.get(f"/courses/{finished.id}/roster")
    assert page.status_code == 200 and "下期将增加案例教学" in page.text and "已发放学时" in page.text
    refused = client.post(f"/courses/{finished.id}/roster/summary", data={"summary_text": "改"})
    assert refused.status_code == 403


def test_summary_pdf_for_the_base_and_its_bureaus(clock, client, login, tenants, finished, now):
    services.submit_roster(tenants.admin_a, finished, now=now, summary_text=TEXT)
    db.session.commit()
    for user in (tenants.admin_a, tenants.officer_a, tenants.officer_province):
        login(user)
        response = client.get(f"/courses/{finished.id}/roster/summary.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf", user.username
    text = pdf_text(response.data)
    for expected in (
        "培训情况总结",
        "安全生产专题培训",
        "基地甲",
        "报名人数",
        "3",
        "16",
        "暂无学员提交质量评估",
        "下期将增加案例教学",
    ):
        assert expected in text, expected


def test_summary_pdf_is_404_outside_scope(clock, client, login, tenants, finished):
    for user in (tenants.admin_b, tenants.officer_b, tenants.officer_county):
        login(user)
        assert client.get(f"/courses/{finished.id}/roster/summary.pdf").status_code == 404, user.username


def test_summary_pdf_prints_a_text_longer_than_a_page(tenants, finished, now):
    from basesys.rosters.summary_pdf import render_summary_pdf

    long_text = "\n".join(f"第{n}段：培训内容充实，学员参与积极，组织管理规范。" for n in range(1, 90))
    services.save_summary(tenants.admin_a, finished, text=long_text, now=now)
    text = pdf_text(render_summary_pdf(finished, services.roster_state(finished, now=now), now=now))
    assert "第1段" in text and "第89段" in text and "\f" in text.strip()  # more than one page


def test_summary_pdf_refused_before_finalisation(clock, client, login, tenants, make_course):
    course = make_course(base=tenants.base_a)
    login(tenants.admin_a)
    assert client.get(f"/courses/{course.id}/roster/summary.pdf").status_code == 409


def test_api_submits_without_a_body_and_answers_the_summary(clock, client, api_headers, tenants, finished, now):
    services.save_summary(tenants.admin_a, finished, text=TEXT, now=now)
    db.session.commit()
    response = client.post(f"/api/v1/courses/{finished.id}/roster", headers=api_headers(tenants.admin_a))
    assert response.status_code == 200
    summary = client.get(f"/api/v1/courses/{finished.id}/roster", headers=api_headers(tenants.officer_a)).json[
        "summary"
    ]
    assert summary["text"] == TEXT
    assert summary["figures"]["enrolled"] == 3 and summary["figures"]["hours_issued"] == 16.0
    assert summary["figures"]["evaluation"]["responses"] == 0


def test_api_summary_pdf_scope(clock, client, api_headers, tenants, finished):
    url = f"/api/v1/courses/{finished.id}/roster/summary.pdf"
    ok = client.get(url, headers=api_headers(tenants.officer_a))
    assert ok.status_code == 200 and ok.mimetype == "application/pdf" and "培训情况总结" in pdf_text(ok.data)
    assert client.get(url, headers=api_headers(tenants.admin_b)).status_code == 404
    assert client.get(url, headers=api_headers(tenants.officer_b)).status_code == 404
    assert client.get(url, headers=api_headers(tenants.trainee)).status_code == 403
    assert client.get(url).status_code == 401


def test_summary_shows_the_anonymous_evaluation_live(clock, client, login, tenants, finished, now):
    services.submit_roster(tenants.admin_a, finished, now=now, summary_text=TEXT)
    scores = {"content": 5, "teaching": 4, "organisation": 4, "venue": 3, "overall": 5}
    submit_evaluation(tenants.trainee, finished, scores=scores, comment="案例很实用", now=now)  # after filing
    db.session.commit()
    evaluation = services.roster_state(finished, now=now).summary.figures["evaluation"]
    assert evaluation["responses"] == 1 and evaluation["items"]["teaching"]["mean"] == 4
    login(tenants.officer_a)
    page = client.get(f"/courses/{finished.id}/roster")
    assert "1 份评估" in page.text and "4.00" in page.text
    text = pdf_text(client.get(f"/courses/{finished.id}/roster/summary.pdf").data)
    assert "参评人数 1" in text and "授课水平" in text and "4.00" in text and "案例很实用" in text


def test_api_puts_the_summary_text(clock, client, api_headers, tenants, finished):
    url = f"/api/v1/courses/{finished.id}/roster/summary"
    done = client.put(url, json={"text": TEXT}, headers=api_headers(tenants.admin_a))
    assert done.status_code == 200 and done.json["summary"]["text"] == TEXT
    bad = client.put(url, json={"text": "培训\U0001f600"}, headers=api_headers(tenants.admin_a))
    assert bad.status_code == 422 and "summary_text" in bad.json["error"]["fields"]
    assert client.put(url, json={"text": "x"}, headers=api_headers(tenants.admin_b)).status_code == 404
    assert client.put(url, json={"text": "x"}, headers=api_headers(tenants.officer_a)).status_code == 403
    assert client.put(url, json={}, headers=api_headers(tenants.admin_a)).status_code == 422
    client.post(f"/api/v1/courses/{finished.id}/roster", headers=api_headers(tenants.admin_a))
    held = client.put(url, json={"text": "改"}, headers=api_headers(tenants.admin_a))
    assert held.status_code == 409 and held.json["error"]["code"] == "roster_already_submitted"
