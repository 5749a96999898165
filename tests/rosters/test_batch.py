"""Batch roster decisions on the officer's inbox (issue 11): ticked rosters accepted or returned,
each on its own, each audited; a refused one stops none of the others."""

import pytest

from basesys.certificates.models import LedgerEntry
from basesys.core.audit import AuditRecord
from basesys.rosters import services
from basesys.rosters.batch import decide_rosters
from basesys.rosters.models import Roster
from tests.conftest import at

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def finalised(tenants, make_course, make_trainee, enroll, finalize):
    """finalised(base, title, submitted=True): a course of `base` finalised on 2025-05-20 with one
    completer (8 h), its roster submitted by the base's admin."""

    def make(base, title, submitted=True):
        course = make_course(base=base, title=title, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "17:00"))])
        trainee = make_trainee(name=f"学员{course.id}")
        enroll(course, trainee)
        finalize(course, {trainee: (8.0, True)}, when=at("2025-05-20", "18:00"))
        admin = {tenants.base_a.id: tenants.admin_a, tenants.base_b.id: tenants.admin_b}.get(
            base.id, tenants.admin_county
        )
        if submitted:
            services.submit_roster(admin, course, now=at("2025-05-21", "09:00"))
        else:
            services.open_roster(admin, course, now=at("2025-05-21", "09:00"))
        return course

    return make


@pytest.fixture
def rosters(db, tenants, finalised):
    ns = type("Rosters", (), {})()
    ns.first = finalised(tenants.base_a, "名单一")
    ns.county = finalised(tenants.base_county, "区县名单")
    ns.pending = finalised(tenants.base_a, "未报送", submitted=False)
    ns.other_city = finalised(tenants.base_b, "别的城市")
    db.session.commit()
    return ns


def audited(db, courses):
    roster_ids = {db.session.scalar(db.select(Roster.id).where(Roster.course_id == c.id)): c.id for c in courses}
    rows = db.session.scalars(
        db.select(AuditRecord)
        .where(AuditRecord.object_type == "roster", AuditRecord.action.in_(("roster.accept", "roster.return")))
        .order_by(AuditRecord.id)
    )
    return [(roster_ids[r.object_id], r.action, r.reason) for r in rows if r.object_id in roster_ids]


def ledger_statuses(db, course):
    return set(db.session.scalars(db.select(LedgerEntry.status).where(LedgerEntry.course_id == course.id)))


def test_service_decides_each_on_its_own(db, tenants, rosters, now):
    ids = [rosters.county.id, rosters.pending.id, rosters.other_city.id, rosters.first.id]
    outcomes = decide_rosters(tenants.officer_a, ids, decision="accept", comment="", now=now)
    assert [o.key for o in outcomes] == ids
    assert [o.error.code if o.error else None for o in outcomes] == [None, "roster_not_submitted", "not_found", None]
    db.session.commit()
    assert audited(db, [rosters.first, rosters.county, rosters.other_city]) == [
        (rosters.county.id, "roster.accept", ""),
        (rosters.first.id, "roster.accept", ""),
    ]
    assert ledger_statuses(db, rosters.first) == {"recognized"}
    assert ledger_statuses(db, rosters.other_city) == {"issued"}


def test_inbox_ticks_and_accepts(client, db, login, tenants, rosters):
    login(tenants.officer_a)
    page = client.get("/rosters/inbox").get_data(as_text=True)
    assert (
        "批量接收" in page and f'value="{rosters.first.id}"' in page and f'value="{rosters.other_city.id}"' not in page
    )
    data = {"course_ids": [rosters.first.id, rosters.pending.id, rosters.county.id], "decision": "accept"}
    response = client.post("/rosters/decisions", data=data)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "已接收 2 份名单，1 份未处理：《未报送》（该学员名单当前不是待审核状态，不能审核。）" in page
    assert [a[1] for a in audited(db, [rosters.first, rosters.county])] == ["roster.accept"] * 2


def test_inbox_returns_with_one_comment(client, db, login, tenants, rosters):
    login(tenants.officer_a)
    data = {"course_ids": [rosters.first.id, rosters.county.id], "decision": "return", "comment": "请补充总结。"}
    response = client.post("/rosters/decisions", data=data)
    assert "已退回 2 份名单。" in client.get(response.location).get_data(as_text=True)
    assert audited(db, [rosters.first, rosters.county]) == [
        (rosters.first.id, "roster.return", "请补充总结。"),
        (rosters.county.id, "roster.return", "请补充总结。"),
    ]


def test_inbox_return_without_comment_decides_nothing(client, db, login, tenants, rosters):
    login(tenants.officer_a)
    response = client.post("/rosters/decisions", data={"course_ids": [rosters.first.id], "decision": "return"})
    assert response.status_code == 422 and "退回时必须填写审核意见" in response.get_data(as_text=True)
    assert audited(db, [rosters.first]) == []


def test_inbox_batch_of_another_city_decides_nothing(client, db, login, tenants, rosters):
    login(tenants.officer_b)
    response = client.post("/rosters/decisions", data={"course_ids": [rosters.first.id], "decision": "accept"})
    page = client.get(response.location).get_data(as_text=True)
    assert f"#{rosters.first.id}（未找到该对象。）" in page and "名单一" not in page
    assert audited(db, [rosters.first]) == []


@pytest.mark.parametrize("data", [{"decision": "accept"}, {"course_ids": ["x"], "decision": "accept"}])
def test_inbox_batch_refuses_bad_input(client, login, tenants, data):
    login(tenants.officer_a)
    assert client.post("/rosters/decisions", data=data).status_code == 422


@pytest.mark.parametrize("who", ["admin_a", "sysadmin", "trainee"])
def test_inbox_batch_is_for_officers(client, login, tenants, rosters, who):
    login(getattr(tenants, who))
    data = {"course_ids": [rosters.first.id], "decision": "accept"}
    assert client.post("/rosters/decisions", data=data).status_code == 403


def test_inbox_batch_anonymous_goes_to_login(client, rosters):
    response = client.post("/rosters/decisions", data={"course_ids": [rosters.first.id], "decision": "accept"})
    assert response.status_code == 302 and "login" in response.location


def test_inbox_pages_are_the_list_in_order_waiting_first(db, tenants, finalised, now):
    """The inbox's page is read as two index-ordered parts merged (rosters.queries.list_rosters):
    page after page it is the whole list's order, waiting for the bureau first, then by due date."""
    from basesys.rosters.queries import list_rosters

    for n in range(3):
        finalised(tenants.base_a, f"报送{n}")
        finalised(tenants.base_county, f"未报{n}", submitted=False)
    db.session.commit()
    whole = [item.course.id for item in list_rosters(tenants.officer_a, now)]
    paged = [item.course.id for k in range(4) for item in list_rosters(tenants.officer_a, now, limit=2, offset=2 * k)]
    assert paged == whole and len(whole) == 6
    statuses = [item.roster.status for item in list_rosters(tenants.officer_a, now, limit=10)]
    assert statuses == ["submitted"] * 3 + ["pending"] * 3
