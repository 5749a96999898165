"""Roster pages: one happy path each, scope (404) and roles (403), form refusals."""

import io

from openpyxl import load_workbook

from basesys.extensions import db
from basesys.notifications.models import Notification, NotificationEmail
from basesys.rosters import deadlines, services
from basesys.rosters.models import Roster
from tests.conftest import at


def test_base_admin_reviews_and_submits_the_roster(clock, client, login, tenants, finished):
    login(tenants.admin_a)
    listing = client.get("/rosters")
    assert listing.status_code == 200 and "安全生产专题培训" in listing.text and "待报送" in listing.text
    page = client.get(f"/courses/{finished.id}/roster")
    assert page.status_code == 200
    assert "报送学员名单" in page.text and "2025-06-19" in page.text
    assert tenants.trainee.id_number not in page.text  # masked on pages
    assert tenants.trainee.id_number_masked in page.text
    refused = client.post(f"/courses/{finished.id}/roster/submit", data={})
    assert refused.status_code == 422 and "请确认已核对学员名单" in refused.text
    assert db.session.scalar(db.select(Roster)) is None
    done = client.post(f"/courses/{finished.id}/roster/submit", data={"confirm": "y", "summary_text": "培训顺利"})
    assert done.status_code == 302
    assert db.session.scalar(db.select(Roster)).status == "submitted"
    again = client.post(f"/courses/{finished.id}/roster/submit", data={"confirm": "y", "summary_text": "培训顺利"})
    assert again.status_code == 409 and "学员名单已报送" in again.text


def test_submit_before_finalisation_shows_why(clock, client, login, tenants, make_course):
    course = make_course(base=tenants.base_a)
    login(tenants.admin_a)
    page = client.get(f"/courses/{course.id}/roster")
    assert page.status_code == 200 and "后才能报送学员名单" in page.text
    refused = client.post(f"/courses/{course.id}/roster/submit", data={"confirm": "y", "summary_text": "培训顺利"})
    assert refused.status_code == 409 and "尚未结业" in refused.text


def test_officer_returns_with_a_comment_then_accepts(clock, client, login, tenants, finished, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    login(tenants.officer_a)
    inbox = client.get("/rosters/inbox")
    assert inbox.status_code == 200 and "安全生产专题培训" in inbox.text
    refused = client.post(f"/courses/{finished.id}/roster/decision", data={"decision": "return", "comment": " "})
    assert refused.status_code == 422 and "退回时必须填写审核意见" in refused.text
    returned = client.post(f"/courses/{finished.id}/roster/decision", data={"decision": "return", "comment": "缺职称"})
    assert returned.status_code == 302
    assert db.session.scalar(db.select(Roster)).status == "returned"
    services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    accepted = client.post(f"/courses/{finished.id}/roster/decision", data={"decision": "accept", "comment": ""})
    assert accepted.status_code == 302
    page = client.get(f"/courses/{finished.id}/roster")
    assert "已接收" in page.text and "缺职称" in page.text  # the history keeps the return


def test_inbox_filters(clock, client, login, tenants, finished, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    login(tenants.officer_a)
    assert "安全生产专题培训" in client.get(f"/rosters/inbox?status=submitted&base={tenants.base_a.id}").text
    assert "安全生产专题培训" not in client.get("/rosters/inbox?status=accepted").text
    assert "安全生产专题培训" not in client.get(f"/rosters/inbox?base={tenants.base_county.id}").text
    assert "安全生产专题培训" in client.get("/rosters/inbox?status=&start=2025-06-19&end=2025-06-19").text
    assert "安全生产专题培训" not in client.get("/rosters/inbox?status=&start=2025-06-20").text
    assert client.get("/rosters/inbox?start=not-a-date").status_code == 200


def test_pages_are_walled(clock, client, login, tenants, finished):
    login(tenants.admin_b)
    assert client.get(f"/courses/{finished.id}/roster").status_code == 404
    assert client.get(f"/courses/{finished.id}/roster.xlsx").status_code == 404
    assert client.post(f"/courses/{finished.id}/roster/submit", data={"confirm": "y"}).status_code == 404
    assert client.get("/rosters/inbox").status_code == 403
    login(tenants.officer_b)
    assert client.get(f"/courses/{finished.id}/roster").status_code == 404
    assert client.post(f"/courses/{finished.id}/roster/decision", data={"decision": "accept"}).status_code == 404
    assert client.get("/rosters").status_code == 403
    assert "安全生产专题培训" not in client.get("/rosters/inbox?status=").text
    login(tenants.trainee)
    assert client.get(f"/courses/{finished.id}/roster").status_code == 403


def test_page_downloads(clock, client, login, tenants, finished):
    login(tenants.officer_a)
    response = client.get(f"/courses/{finished.id}/roster.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data)).active.cell(row=2, column=4).value == tenants.trainee.id_number
    response = client.get(f"/courses/{finished.id}/roster.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert client.get(f"/courses/{finished.id}/roster.pdf").status_code == 404


def test_accepted_exports_page(clock, client, login, tenants, finished, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    services.decide_roster(tenants.officer_a, finished, decision="accept", comment="", now=now)
    db.session.commit()
    login(tenants.officer_a)
    assert client.get("/rosters/exports").status_code == 200
    response = client.get("/rosters/exports?start=2025-06-01&end=2025-06-30&fmt=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(response.data)).active.max_row == 4
    bad = client.get("/rosters/exports?start=2025-06-30&end=2025-06-01&fmt=csv")
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.text
    assert client.get("/rosters/exports?start=&end=&fmt=csv").status_code == 422


def test_reminder_email_setting(clock, client, login, tenants):
    login(tenants.admin_a)
    assert client.post("/rosters/email", data={"email": "not an address"}).status_code == 422
    assert client.post("/rosters/email", data={"email": "zhou@base.example.cn"}).status_code == 302
    assert db.session.get(NotificationEmail, tenants.admin_a.id).email == "zhou@base.example.cn"
    assert "zhou@base.example.cn" in client.get("/rosters").text
    client.post("/rosters/email", data={"email": ""})
    assert db.session.get(NotificationEmail, tenants.admin_a.id) is None


def test_notifications_on_the_home_page_and_marking_them_read(clock, client, login, tenants, finished, make_user):
    deadlines.open_finalized_rosters(at("2025-06-12", "09:00"))
    deadlines.remind_due_rosters(at("2025-06-12", "09:00"))
    db.session.commit()
    (notification,) = db.session.scalars(db.select(Notification)).all()
    login(tenants.admin_b)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 404  # not theirs
    login(tenants.admin_a)
    home = client.get("/").text
    assert "培训项目“安全生产专题培训”的学员名单应于 2025-06-19 前报送" in home
    assert client.post(f"/notifications/{notification.id}/read").status_code == 302
    assert db.session.get(Notification, notification.id).read_at is not None
    assert "应于 2025-06-19 前报送" not in client.get("/").text


def test_base_admin_home_lists_courses_needing_action(clock, client, login, tenants, finished, make_course):
    make_course(base=tenants.base_a, title="草稿项目", status="draft")
    make_course(
        base=tenants.base_a, title="待结业项目", sessions=[(at("2025-05-30", "09:00"), at("2025-05-30", "12:00"))]
    )
    make_course(
        base=tenants.base_a, title="将来项目", sessions=[(at("2025-07-01", "09:00"), at("2025-07-01", "12:00"))]
    )
    make_course(base=tenants.base_b, title="别的基地", status="draft")
    login(tenants.admin_a)
    clock.set(at("2025-06-13", "09:00"))
    home = client.get("/").text
    assert "待处理的培训项目" in home
    assert "草稿项目" in home and "待结业项目" in home and "安全生产专题培训" in home
    assert "学员名单 6 天后到期" in home
    assert "将来项目" not in home and "别的基地" not in home
    clock.set(at("2025-06-20", "09:00"))
    assert "学员名单已逾期" in client.get("/").text


def test_the_base_rosters_page_pages_and_the_inbox_counts_the_rows(
    clock, client, login, tenants, finished, make_course, enroll, finalize, monkeypatch, now
):
    from basesys.rosters import views

    services.submit_roster(tenants.admin_a, finished, now=now)
    newer = []
    for title in ("六月的培训", "七月的培训"):
        course = make_course(base=tenants.base_a, title=title)
        enroll(course, tenants.trainee)
        newer.append(finalize(course, {tenants.trainee: (3.0, True)}))
    other_base = make_course(base=tenants.base_b, title="别家的培训")
    finalize(other_base, {})
    db.session.commit()
    login(tenants.officer_a)
    inbox = client.get("/rosters/inbox").text
    assert "安全生产专题培训" in inbox and '<td class="num">3</td>' in inbox  # its three rows, as submitted
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    login(tenants.admin_a)
    first = client.get("/rosters").text
    assert "七月的培训" in first and "六月的培训" in first and "安全生产专题培训" not in first and "更多" in first
    more = first.split('id="more" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(more).text
    assert "安全生产专题培训" in second and "六月的培训" not in second and "更多" not in second and "第一页" in second
    assert "别家的培训" not in first + second
    assert client.get(f"/rosters?after={other_base.id}").status_code == 422  # another base's course: no cursor


def test_base_admin_home_says_returned_gives_due_dates_and_an_open_button(clock, client, login, tenants, make_course):
    """Issue 15: a returned course said 待备案, the 报送截止日期 column was always empty, the button said 培训项目."""
    make_course(
        base=tenants.base_a,
        title="退回的项目",
        status="returned",
        sessions=[(at("2025-07-02", "09:00"), at("2025-07-02", "12:00"))],
    )
    make_course(
        base=tenants.base_a, title="待结业项目", sessions=[(at("2025-05-30", "09:00"), at("2025-05-30", "12:00"))]
    )
    login(tenants.admin_a)
    clock.set(at("2025-06-13", "09:00"))
    panel = client.get("/").text.split('id="courses-needing-action"')[1].split("</section>")[0]
    returned = panel.split("退回的项目")[1].split("</tr>")[0]
    assert 'data-status="returned"' in returned and "已退回" in returned and "待备案" not in returned
    assert "2025-07-02" in returned and ">查看</a>" in returned and ">培训项目</a>" not in returned
    to_finalize = panel.split("待结业项目")[1].split("</tr>")[0]
    assert "2025-06-29" in to_finalize  # the roster's due date: 30 days after the last session
