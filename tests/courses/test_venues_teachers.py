"""Venues (场地) and teachers (授课教师) of a base: services, audit, pages, tenant walls (issue 13)."""

import pytest

from basesys.core.audit import AuditRecord
from basesys.core.errors import ValidationFailed
from basesys.courses.models import Teacher, Venue
from basesys.courses.services import records

pytestmark = pytest.mark.usefixtures("clock")


def test_create_venue_stores_and_audits(db, tenants, now):
    venue = records.create_venue(
        tenants.admin_a, tenants.base_a, values={"name": " 101教室 ", "address": "主楼", "capacity": 40}, now=now
    )
    db.session.commit()
    assert (venue.name, venue.address, venue.capacity, venue.base_id) == ("101教室", "主楼", 40, tenants.base_a.id)
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "venue.created"))
    assert record.base_id == tenants.base_a.id and record.after["capacity"] == 40


def test_create_venue_refuses_missing_name_bad_capacity_and_nul(db, tenants, now):
    with pytest.raises(ValidationFailed) as error:
        records.create_venue(tenants.admin_a, tenants.base_a, values={"name": " ", "capacity": 0}, now=now)
    assert set(error.value.fields) == {"name", "capacity"}
    with pytest.raises(ValidationFailed) as error:
        records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "a\x00b"}, now=now)
    assert "name" in error.value.fields


def test_create_venue_refuses_a_name_the_base_has_but_not_another_bases(db, tenants, now):
    records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "报告厅"}, now=now)
    with pytest.raises(ValidationFailed) as error:
        records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "报告厅"}, now=now)
    assert error.value.code == "venue_name_taken"
    records.create_venue(tenants.admin_b, tenants.base_b, values={"name": "报告厅"}, now=now)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Venue)) == 2


def test_update_venue_audits_before_and_after_and_skips_no_change(db, tenants, now):
    venue = records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "A", "capacity": 10}, now=now)
    records.update_venue(tenants.admin_a, venue, values={"name": "A", "capacity": 10}, now=now)
    records.update_venue(tenants.admin_a, venue, values={"name": "B", "capacity": None}, now=now)
    db.session.commit()
    updates = db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == "venue.updated")).all()
    assert len(updates) == 1 and updates[0].before["name"] == "A" and updates[0].after["capacity"] is None


def test_teachers_are_created_updated_and_audited(db, tenants, now):
    teacher = records.create_teacher(
        tenants.admin_a, tenants.base_a, values={"name": "王伟", "title": "教授", "employer": "枣庄学院"}, now=now
    )
    records.update_teacher(tenants.admin_a, teacher, values={"name": "王伟", "title": "副教授"}, now=now)
    db.session.commit()
    assert (teacher.title, teacher.employer, teacher.label) == ("副教授", "", "王伟（副教授）")
    actions = db.session.scalars(db.select(AuditRecord.action).where(AuditRecord.object_type == "teacher")).all()
    assert sorted(actions) == ["teacher.created", "teacher.updated"]
    with pytest.raises(ValidationFailed):
        records.create_teacher(tenants.admin_a, tenants.base_a, values={"name": ""}, now=now)


def test_lists_hold_only_the_bases_own(db, tenants, now):
    records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "甲的教室"}, now=now)
    records.create_venue(tenants.admin_b, tenants.base_b, values={"name": "乙的教室"}, now=now)
    records.create_teacher(tenants.admin_b, tenants.base_b, values={"name": "乙的老师"}, now=now)
    db.session.commit()
    assert [v.name for v in records.list_venues(tenants.base_a.id)] == ["甲的教室"]
    assert records.list_teachers(tenants.base_a.id) == []


def test_admin_adds_and_edits_a_venue_through_the_pages(client, login, tenants, db):
    login(tenants.admin_a)
    assert client.get("/venues").status_code == 200
    assert client.get("/venues/new").status_code == 200
    response = client.post("/venues/new", data={"name": "二楼报告厅", "address": "图书馆", "capacity": "120"})
    assert response.status_code == 302
    venue = db.session.scalar(db.select(Venue))
    assert "二楼报告厅" in client.get("/venues").get_data(as_text=True)
    assert client.get(f"/venues/{venue.id}/edit").status_code == 200
    assert client.post(f"/venues/{venue.id}/edit", data={"name": "三楼", "capacity": ""}).status_code == 302
    db.session.refresh(venue)
    assert (venue.name, venue.capacity) == ("三楼", None)


def test_venue_form_errors_are_chinese_and_save_nothing(client, login, tenants, db):
    login(tenants.admin_a)
    response = client.post("/venues/new", data={"name": "", "capacity": "99999999999"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Venue)) == 0


def test_admin_adds_a_teacher_through_the_pages(client, login, tenants, db):
    login(tenants.admin_a)
    response = client.post("/teachers/new", data={"name": "张敏", "title": "高级工程师", "employer": "矿务局"})
    assert response.status_code == 302
    teacher = db.session.scalar(db.select(Teacher))
    assert "张敏" in client.get("/teachers").get_data(as_text=True)
    assert client.post(f"/teachers/{teacher.id}/edit", data={"name": "张敏", "title": ""}).status_code == 302


def test_other_bases_records_are_404_and_other_roles_403(client, login, tenants, db, now):
    venue = records.create_venue(tenants.admin_b, tenants.base_b, values={"name": "乙"}, now=now)
    teacher = records.create_teacher(tenants.admin_b, tenants.base_b, values={"name": "乙"}, now=now)
    db.session.commit()
    login(tenants.admin_a)
    assert client.get(f"/venues/{venue.id}/edit").status_code == 404
    assert client.post(f"/venues/{venue.id}/edit", data={"name": "x"}).status_code == 404
    assert client.get(f"/teachers/{teacher.id}/edit").status_code == 404
    assert client.get("/venues/99999999999/edit").status_code == 404
    client.post("/logout")
    login(tenants.officer_a)
    assert client.get("/venues").status_code == 403
    assert client.get("/teachers/new").status_code == 403


def test_renaming_a_venue_to_a_taken_name_is_refused(client, login, tenants, db, now):
    records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "甲"}, now=now)
    other = records.create_venue(tenants.admin_a, tenants.base_a, values={"name": "乙"}, now=now)
    db.session.commit()
    login(tenants.admin_a)
    response = client.post(f"/venues/{other.id}/edit", data={"name": "甲"})
    assert response.status_code == 422 and "本基地已有同名场地" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Venue, other.id).name == "乙"
