"""The audit log for people (DOMAIN.md §12): sentences, subject-key search, filters, scope walls,
the XLSX export, and a constant number of statements per page."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from basesys.accounts.services.staff import create_staff_user
from basesys.attendance.services.manual import record_manual
from basesys.bureau import audit_export
from basesys.bureau.audit_log import AuditFilters, audit_page
from basesys.certificates.models import Certificate
from basesys.certificates.services import finalize_course
from basesys.certificates.services.revoke import revoke_certificate
from basesys.core.audit import AuditKey, AuditRecord, audit, prefix_end
from basesys.core.policy import DEFAULT_POLICY
from basesys.extensions import db
from basesys.filing.services import decide_filing, submit_filing
from basesys.rosters import services as rosters
from tests.certificates.conftest import attend  # noqa: F401 -- shared fixture
from tests.conftest import at

TITLE = "2025年专业科目培训班"
ENDED = "2025年数字技术工程师研修班"


@pytest.fixture
def history(db, clock, now, tenants, make_course, enroll, attend):  # noqa: F811
    """Real records of the main actions, through the services, at base A (city A) unless said."""
    t = tenants
    filed = make_course(base=t.base_a, title=TITLE, status="draft")
    submit_filing(t.admin_a, filed, now=now)
    decide_filing(t.officer_a, filed, decision="return", comment="培训对象不明确", now=now)
    submit_filing(t.admin_a, filed, now=now)
    decide_filing(t.officer_a, filed, decision="approve", comment="", now=now)
    ended = make_course(base=t.base_a, title=ENDED, sessions=[(at("2025-05-26", "09:00"), at("2025-05-26", "12:00"))])
    enroll(ended, t.trainee, t.other_trainee)
    attend(ended, t.trainee)
    finalize_course(t.admin_a, ended, now=now)
    rosters.submit_roster(t.admin_a, ended, now=now)
    rosters.decide_roster(t.officer_a, ended, decision="return", comment="缺少职称信息", now=now)
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.course_id == ended.id))
    revoke_certificate(t.officer_a, certificate, reason="学时造假", now=now)
    running = make_course(
        base=t.base_a, title="今日课程", sessions=[(at("2025-06-02", "08:00"), at("2025-06-02", "12:00"))]
    )
    enroll(running, t.other_trainee)
    record_manual(t.admin_a, running.sessions[0], t.other_trainee, purpose="in", at=at("2025-06-02", "08:05"),
                  reason="忘带手机", now=now, policy=DEFAULT_POLICY)  # fmt: skip
    create_staff_user(t.sysadmin, username="zhao6", password="a-long-password", role="bureau_officer",
                      bureau_id=t.city_a.id, display_name="赵六", now=now)  # fmt: skip
    county = make_course(base=t.base_county, title="区里项目", status="draft")
    submit_filing(t.admin_county, county, now=now)
    other_city = make_course(base=t.base_b, title="济宁项目", status="draft")
    submit_filing(t.admin_b, other_city, now=now)
    db.session.commit()
    t.filed, t.ended, t.certificate = filed, ended, certificate
    return t


def texts(user, **filters) -> list[str]:
    return [item.text for item in audit_page(user, AuditFilters(**filters), size=200).entries]


def test_sentences_of_the_main_actions(app, history):
    t = history
    with app.test_request_context():
        found = "\n".join(texts(t.sysadmin))
    number, filing_number = t.certificate.number, t.filed.filing_number
    officer, admin = t.officer_a.display_name or t.officer_a.username, t.admin_a.display_name or t.admin_a.username
    expected = [
        f"基地甲 {admin} 提交了「{TITLE}」的备案",
        f"枣庄市人社局 {officer} 退回了「{TITLE}」的备案：培训对象不明确",
        f"基地甲 {admin} 修改后重新提交了「{TITLE}」的备案",
        f"枣庄市人社局 {officer} 通过了「{TITLE}」的备案（备案号 {filing_number}）",
        f"基地甲 {admin} 对「{ENDED}」进行了结业认定：结业 1 人，未结业 1 人",
        f"为学员李四（{t.trainee.id_number_masked}）颁发了「{ENDED}」的证书 {number}（4 学时）",
        f"基地甲 {admin} 报送了「{ENDED}」的学员名单（2 人）",
        f"枣庄市人社局 {officer} 退回了「{ENDED}」的学员名单：缺少职称信息",
        f"枣庄市人社局 {officer} 撤销了学员李四（{t.trainee.id_number_masked}）「{ENDED}」的证书 {number}：学时造假",
        f"为学员王五（{t.other_trainee.id_number_masked}）补录了「今日课程」（2025-06-02 08:00 课次）的签到：忘带手机",
        "系统管理员 ",
        "创建了账号赵六（zhao6）",
    ]
    for sentence in expected:
        assert sentence in found, f"{sentence!r} not in:\n{found}"
    for raw in ("roster.", "filing.", "course #", "False", "True", "None", "role:"):
        assert raw not in found, raw


def test_changes_have_labels_and_readable_values(app, history):
    with app.test_request_context():
        entries = audit_page(history.sysadmin, AuditFilters(), size=200).entries
    by_action = {item.record.action: item for item in reversed(entries)}  # the newest of each
    returned = {c.label: (c.before, c.after) for c in by_action["roster.return"].changes}
    assert returned == {"状态": ("待审核", "已退回")}
    revoked = {c.label: (c.before, c.after) for c in by_action["certificate.revoke"].changes}
    assert revoked["状态"] == ("有效", "已撤销") and revoked["因弄虚作假撤销"] == (None, "否")
    approved = {c.label: c.after for c in by_action["filing.approved"].changes}
    assert approved["备案状态"] == "已备案" and approved["补备案"] == "否"
    manual = {c.label: c.after for c in by_action["attendance.manual_check_in"].changes}
    assert manual["签到时间"] == "2025-06-02 08:05" and manual["签到为补录"] == "是"
    created = {c.label: c.after for c in by_action["user.created"].changes}
    assert created["角色"] == "人社部门经办人" and "bureau_id" not in created


def test_sentences_link_to_their_subject(app, history):
    with app.test_request_context():
        entries = audit_page(history.officer_a, AuditFilters(q=TITLE[:4]), size=200).entries
    assert entries
    urls = {part.url for item in entries for part in item.parts if part.url}
    assert f"/courses/{history.filed.id}" in urls


def test_an_unknown_action_still_reads_as_a_sentence(app, tenants, now):
    audit(tenants.officer_a, "course.frobnicated", None, now=now, object_type="course", object_id=7,
          bureau_id=tenants.city_a.id)  # fmt: skip
    db.session.commit()
    with app.test_request_context():
        (text,) = [text for text in texts(tenants.officer_a) if "frobnicated" in text]
    assert "对培训项目（编号 7）执行了操作（course.frobnicated）" in text


# --- search by what people type -----------------------------------------------------------------


def test_search_by_exact_id_number_finds_the_trainees_history(app, history):
    t = history
    with app.test_request_context():
        found = texts(t.officer_a, q=t.trainee.id_number.lower())  # an x typed in lower case
        assert found and all("李四" in text for text in found)
        assert len(found) == 3  # certificate issued, then revoked, and the ledger entry voided
        assert texts(t.officer_a, q=t.trainee.id_number[:10]) == []  # numbers match whole


def test_search_by_certificate_and_filing_number(app, history):
    t = history
    with app.test_request_context():
        assert len(texts(t.officer_a, q=t.certificate.number)) == 2
        by_filing = texts(t.officer_a, q=f" {t.filed.filing_number} ")
        assert by_filing and all(TITLE in text for text in by_filing)


def test_search_by_title_and_name_prefix(app, history):
    t = history
    with app.test_request_context():
        titled = texts(t.officer_a, q="2025年专业")
        assert len(titled) == 4 and all(TITLE in text for text in titled)
        named = texts(t.officer_a, q="王")
        assert named and all("王五" in text for text in named)
        assert texts(t.officer_a, q="专业科目") == []  # a prefix, not a substring
        assert texts(t.officer_a, q="缺少职称") == []  # reasons are not subject keys


def test_search_by_a_word_of_the_sentences(app, history):
    """What an officer types for "the returns" (退回) finds the returned filing and roster: by the
    actions whose sentence holds the word, not by reading the records."""
    t = history
    with app.test_request_context():
        returned = texts(t.officer_a, q="退回")
        assert len(returned) == 2 and all("退回了" in text for text in returned)
        assert any(TITLE in text for text in returned) and any(ENDED in text for text in returned)
        assert "退回了" not in "".join(texts(t.officer_b, q="退回"))  # the walls still stand
        assert texts(t.officer_a, q="了") == []  # one character searches subject keys only
        assert all("撤销" in text for text in texts(t.officer_a, q="撤销")) and texts(t.officer_a, q="撤销")


def test_search_never_reads_the_json(app, history):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context():
            texts(history.officer_a, q="王五")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    search = next(sql for sql in statements if "audit_key" in sql)
    assert "audit_record.after" not in search.split("FROM", 1)[1] and "LIKE" not in search.upper()


def test_prefix_end_bounds_every_string_with_the_prefix():
    end = prefix_end("ab")
    assert end == "ac" and end > "abzz" and end <= "ac"
    assert prefix_end("王") > "王五" and prefix_end("\U0010ffff") > "\U0010ffff"


def test_keys_are_stored_normalised(history):
    keys = {(k.kind, k.value) for k in db.session.scalars(db.select(AuditKey))}
    assert ("id_number", history.trainee.id_number) in keys
    assert ("certificate_number", history.certificate.number) in keys
    assert ("course_title", TITLE.casefold()) in keys


# --- filters ------------------------------------------------------------------------------------


def test_filters_kind_base_dates_actor(app, history, now):
    t = history
    with app.test_request_context():
        rosters_only = texts(t.officer_a, object_type="roster")
        assert rosters_only and all("学员名单" in text for text in rosters_only)
        county = "\n".join(texts(t.officer_a, base_id=t.base_county.id))
        assert "区里项目" in county and TITLE not in county
        assert texts(t.officer_a, since=now.date(), until=now.date())
        assert texts(t.officer_a, until=now.date().replace(day=1)) == []
        by_officer = texts(t.officer_a, actor=t.officer_a.username)
        assert by_officer and all(text.startswith("枣庄市人社局") for text in by_officer)


def test_dates_are_local(app, tenants):
    audit(tenants.officer_a, "filing.approved", None, now=at("2025-06-03", "00:10"), object_type="course",
          object_id=7, reason="深夜", base_id=tenants.base_a.id, bureau_id=tenants.city_a.id)  # fmt: skip
    db.session.commit()
    day = at("2025-06-02", "00:00").date()
    with app.test_request_context():
        assert not any("深夜" in text for text in texts(tenants.officer_a, since=day, until=day))
        assert texts(tenants.officer_a, since=day.replace(day=3), until=day.replace(day=3)) == [
            f"枣庄市人社局 {tenants.officer_a.username} 通过了培训项目（编号 7）的备案（备案号 ）：深夜"
        ]


# --- scope --------------------------------------------------------------------------------------


def test_scope_of_each_reader(app, history):
    t = history
    with app.test_request_context():
        city = "\n".join(texts(t.officer_a))
        assert TITLE in city and "区里项目" in city and "济宁项目" not in city and "赵六" in city
        county = "\n".join(texts(t.officer_county))
        assert "区里项目" in county and TITLE not in county
        assert "济宁项目" in "\n".join(texts(t.officer_province)) and TITLE in "\n".join(texts(t.officer_province))
        base = "\n".join(texts(t.admin_a))
        assert TITLE in base and "区里项目" not in base and "赵六" not in base
        assert texts(t.trainee.user) == []


# --- the page, the export, the API: walls route by route ---------------------------------------


@pytest.mark.parametrize("path", ["/bureau/audit", "/bureau/audit.xlsx"])
def test_page_and_export_walls(client, login, history, path):
    t = history
    assert client.get(path).status_code == 302  # to the login page
    for actor in (t.admin_a, t.trainee):
        login(actor)
        assert client.get(path).status_code == 403
    login(t.officer_b)
    response = client.get(path)
    assert response.status_code == 200
    body = response.text if path.endswith("audit") else _xlsx_text(response.data)
    assert "济宁项目" in body and TITLE not in body
    login(t.officer_a)
    foreign = client.get(f"{path}?base={t.base_b.id}")
    body = foreign.text if path.endswith("audit") else _xlsx_text(foreign.data)
    assert "济宁项目" not in body


def test_the_page(client, login, history):
    login(history.officer_a)
    page = client.get("/bureau/audit").text
    assert "退回了" in page and "的备案：培训对象不明确" in page and f'href="/courses/{history.filed.id}"' in page
    found = client.get(f"/bureau/audit?q={history.trainee.id_number}").text
    assert "颁发了" in found and TITLE not in found
    assert "学员名单" in client.get("/bureau/audit?kind=roster").text
    assert client.get("/bureau/audit?kind=<b>&base=x&start=2025-13-40&end=x&actor=&page=-3").status_code == 200
    assert client.get("/bureau/audit?actor=%00&q=a%00b").status_code < 500


def _xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None)


def test_export_is_the_filtered_log(client, login, history):
    login(history.officer_a)
    response = client.get(f"/bureau/audit.xlsx?q={history.certificate.number}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "记录") and len(rows) == 3
    assert any("撤销了" in row[2] for row in rows[1:]) and any("颁发了" in row[2] for row in rows[1:])


def test_export_says_when_it_stops(app, history):
    with app.test_request_context():
        rows = list(audit_export.rows(history.sysadmin, AuditFilters(), limit=2))
    assert len(rows) == 4 and "仅导出最新的 2 条记录" in rows[-1][0]


def test_export_neutralises_formulas(client, login, tenants, now):
    audit(tenants.officer_a, "filing.returned", None, now=now, object_type="course", object_id=1,
          reason='=HYPERLINK("http://x","点我")', bureau_id=tenants.city_a.id)  # fmt: skip
    db.session.commit()
    login(tenants.officer_a)
    sheet = load_workbook(io.BytesIO(client.get("/bureau/audit.xlsx").data)).active
    reason = sheet.cell(row=2, column=7)
    assert reason.value.startswith("=HYPERLINK") and reason.data_type == "s" and reason.quotePrefix


def test_api_walls(client, api_headers, history):
    t = history
    assert client.get("/api/v1/audit").status_code == 401
    for who in (t.trainee,):
        assert client.get("/api/v1/audit", headers=api_headers(who)).status_code == 403
    own = client.get("/api/v1/audit", headers=api_headers(t.admin_a)).get_json()
    assert own["items"] and all(item["base_id"] == t.base_a.id for item in own["items"])
    outside = client.get(f"/api/v1/audit?base_id={t.base_b.id}", headers=api_headers(t.admin_a))
    assert outside.status_code == 404
    assert client.get(f"/api/v1/audit?base_id={t.base_b.id}", headers=api_headers(t.officer_a)).status_code == 404
    other = client.get("/api/v1/audit", headers=api_headers(t.officer_b)).get_json()
    assert {item["base_id"] for item in other["items"]} == {t.base_b.id, None}  # None: city B's own records


# --- statements per page ------------------------------------------------------------------------


def _statements(app, user, size: int) -> int:
    count = [0]

    def listener(*args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context():
            page = audit_page(user, AuditFilters(), size=size)
            assert len(page.entries) == min(size, page.total)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return count[0]


def test_statements_per_page_do_not_grow_with_page_size(app, history):
    assert history.sysadmin.role  # loaded before counting
    assert db.session.scalar(db.select(db.func.count(AuditRecord.id))) > 20
    small, large = _statements(app, history.sysadmin, 2), _statements(app, history.sysadmin, 50)
    assert small == large <= 2


def test_a_few_keys_read_key_by_key_give_the_pages_of_the_in_list(app, history, monkeypatch):
    """An officer's scope of a few bureaus and bases is read key by key (core.paging); beyond
    FEW_KEYS it is one IN list: the same records in the same order, page after page."""
    from basesys.core import paging

    def pages(user):
        return [
            [e.text for e in audit_page(user, AuditFilters(), page=n, size=3, links=False).entries]
            for n in (1, 2, 3, 4)
        ]

    key_by_key = pages(history.officer_a), pages(history.officer_county)
    monkeypatch.setattr(paging, "FEW_KEYS", 0)
    assert (pages(history.officer_a), pages(history.officer_county)) == key_by_key
    assert sum(len(p) for p in key_by_key[0]) > 6
