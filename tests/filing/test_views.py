"""Filing pages: submit, the officer's inbox and review, decisions, the PDF; walls."""

import re

import pytest

from basesys.filing import services as filing
from basesys.filing import views as filing_views
from tests.conftest import at
from tests.courses.conftest import sessions
from tests.courses.test_views import course_form

pytestmark = pytest.mark.usefixtures("clock")


def test_admin_submits_from_the_course_page(client, login, tenants, new_course, db):
    course = new_course()
    login(tenants.admin_a)
    assert "提交备案" in client.get(f"/courses/{course.id}").get_data(as_text=True)
    response = client.post(f"/filing/courses/{course.id}/submit")
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.filing_status == "submitted"
    page = client.get(response.location).get_data(as_text=True)
    assert "已提交人社部门审核" in page and "待审核" in page


def test_incomplete_filing_is_refused_with_the_missing_fields(client, login, tenants, new_course, db):
    course = new_course(responsible="", plan="")
    login(tenants.admin_a)
    response = client.post(f"/filing/courses/{course.id}/submit")
    page = client.get(response.location).get_data(as_text=True)
    assert "备案信息不完整" in page and "负责人" in page and "培训计划" in page
    db.session.refresh(course)
    assert course.filing_status == "draft"


def test_inbox_lists_waiting_filings_oldest_first_with_late_marked(client, login, tenants, new_course, db):
    late = new_course(("2025-06-01", "09:00", "12:00"), title="补备案课程")
    waiting = new_course(title="正常课程")
    filing.submit_filing(tenants.admin_a, waiting, now=at("2025-05-20", "09:00"))
    filing.submit_filing(tenants.admin_a, late, now=at("2025-06-01", "10:00"))
    other = new_course(base=tenants.base_b, actor=tenants.admin_b, title="别的城市")
    filing.submit_filing(tenants.admin_b, other, now=at("2025-05-01", "09:00"))
    db.session.commit()
    login(tenants.officer_a)
    page = client.get("/filing/").get_data(as_text=True)
    assert page.index("正常课程") < page.index("补备案课程")
    assert "别的城市" not in page and "补备案" in page


def test_officer_returns_with_a_comment_then_approves(client, login, tenants, new_course, db):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=at("2025-06-01", "09:00"))
    db.session.commit()
    login(tenants.officer_a)
    page = client.get(f"/filing/courses/{course.id}").get_data(as_text=True)
    assert "审核通过" in page and "退回修改" in page and course.title in page
    refused = client.post(f"/filing/courses/{course.id}/decision", data={"decision": "return", "comment": ""})
    assert refused.status_code == 422 and "退回时必须填写审核意见" in refused.get_data(as_text=True)
    response = client.post(
        f"/filing/courses/{course.id}/decision", data={"decision": "return", "comment": "请补充师资"}
    )
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.filing_status == "returned"
    filing.submit_filing(tenants.admin_a, course, now=at("2025-06-01", "12:00"))
    db.session.commit()
    response = client.post(f"/filing/courses/{course.id}/decision", data={"decision": "approve", "comment": ""})
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.filing_status == "approved" and course.filing_number
    history = client.get("/filing/?tab=decisions").get_data(as_text=True)
    assert "请补充师资" in history and course.filing_number in history


def test_review_shows_what_a_change_filing_changes(client, login, tenants, new_course, db, now):
    from basesys.courses.services import SessionInput, update_course

    course = new_course(("2025-06-10", "09:00", "12:00"))
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(tenants.officer_a, course, decision="approve", comment="", now=now)
    kept = [SessionInput(s.starts_at, s.ends_at, s.title, s.credit_hours, s.id) for s in course.sessions]
    update_course(
        tenants.admin_a,
        course,
        values={"category": "public"},
        sessions=kept + sessions(("2025-06-11", "14:00", "17:00")),
        now=now,
    )
    db.session.commit()
    login(tenants.officer_a)
    page = client.get(f"/filing/courses/{course.id}").get_data(as_text=True)
    assert "与上次备案相比的变更" in page and "科目类别" in page and "public" in page and "2025-06-11 14:00" in page


def test_decision_on_a_decided_filing_is_409(client, login, tenants, new_course):
    course = new_course()
    login(tenants.officer_a)
    response = client.post(f"/filing/courses/{course.id}/decision", data={"decision": "approve"})
    assert response.status_code == 409 and "不在待审核状态" in response.get_data(as_text=True)


@pytest.mark.parametrize(("who", "status"), [("officer_b", 404), ("officer_county", 404), ("admin_a", 403)])
def test_review_walls(client, login, tenants, new_course, who, status):
    course = new_course()
    login(getattr(tenants, who))
    assert client.get(f"/filing/courses/{course.id}").status_code == status
    assert client.post(f"/filing/courses/{course.id}/decision", data={"decision": "approve"}).status_code == status


@pytest.mark.parametrize(("who", "status"), [("admin_b", 404), ("officer_a", 403)])
def test_submit_walls(client, login, tenants, new_course, who, status):
    course = new_course()
    login(getattr(tenants, who))
    assert client.post(f"/filing/courses/{course.id}/submit").status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("admin_a", 200), ("officer_a", 200), ("admin_b", 404), ("officer_b", 404), ("trainee", 403)]
)
def test_pdf_page_walls(client, login, tenants, new_course, who, status):
    course = new_course()
    login(getattr(tenants, who))
    response = client.get(f"/filing/courses/{course.id}/form.pdf")
    assert response.status_code == status
    if status == 200:
        assert response.data.startswith(b"%PDF")


def test_inbox_is_for_officers(client, login, tenants):
    login(tenants.admin_a)
    assert client.get("/filing/").status_code == 403


def test_an_edit_filing_refuses_shows_on_the_course_form(client, login, tenants, new_course, db, now):
    course = new_course(("2025-06-16", "09:00", "12:00"))
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(tenants.officer_a, course, decision="approve", comment="", now=now)
    db.session.commit()
    login(tenants.admin_a)
    data = course_form(**{"sessions-0-id": str(course.sessions[0].id), "responsible": "", "title": course.title})
    response = client.post(f"/courses/{course.id}/edit", data=data)
    assert response.status_code == 422
    assert "备案时必填" in response.get_data(as_text=True)  # on the responsible person's field
    db.session.expire_all()
    assert course.responsible and course.filing_status == "approved" and len(course.sessions) == 1


def test_the_inbox_pages_a_long_tab(client, login, tenants, make_course, monkeypatch):
    """A province's approved tab holds 100,000 courses: the inbox shows keyset pages of INBOX_PAGE."""
    monkeypatch.setattr(filing_views, "INBOX_PAGE", 2)
    for n in range(5):
        make_course(base=tenants.base_a, status="approved", title=f"已备案{n}")
    login(tenants.officer_a)
    pages, after = [], None
    while True:
        page = client.get("/filing/?tab=approved" + (f"&after={after}" if after else "")).text
        pages.append(sorted(re.findall(r"已备案(\d)<", page)))
        found = re.search(r"tab=approved&amp;after=(\d+)", page)
        if found is None:
            break
        after = found.group(1)
    assert [len(titles) for titles in pages] == [2, 2, 1]
    assert sorted(sum(pages, [])) == ["0", "1", "2", "3", "4"]
