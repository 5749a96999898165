"""The paper fallback (DOMAIN.md §6, issue 12): the printable 签到表 of a session and the bulk 补签
that enters it — every row audited on its own, all or nothing."""

import subprocess

import pytest

from basesys.attendance import services
from basesys.attendance.models import Attendance
from basesys.attendance.sheet import MISSING, printable, sign_in_sheet_pdf
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import at

RARE = "\U0002a6a5"  # 𪚥: in no installed font


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def count(db, model, *where):
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


@pytest.fixture
def hall(running_course, tenants, enroll, make_trainee):
    """running_course with three enrolled trainees: 李四, 王五 and 赵六."""
    tenants.third = make_trainee(name="赵六")
    enroll(running_course, tenants.other_trainee, tenants.third)
    tenants.course = running_course
    tenants.session = running_course.sessions[0]
    return tenants


# --- 签到表 -------------------------------------------------------------------------------------


def test_sign_in_sheet_prints_names_masked_ids_and_both_boxes(hall, tmp_path, now):
    trainees = [hall.trainee, hall.other_trainee, hall.third]
    data = sign_in_sheet_pdf(hall.session, trainees, now=now)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert f"{hall.course.title} 签到表" in text
    assert "2025年6月2日 09:00—12:00" in text and "应到：3 人" in text
    for trainee in trainees:
        assert trainee.name in text and trainee.id_number_masked in text
        assert trainee.id_number not in text  # masked everywhere but rosters (DOMAIN §2)
    header = next(line for line in text.splitlines() if "序号" in line)
    assert "签到" in header and "签退" in header


def test_in_only_sheet_has_no_checkout_box(make_course, tenants, enroll, tmp_path, now):
    course = make_course(base=tenants.base_a, attendance_mode="in_only")
    enroll(course, tenants.trainee)
    text = pdf_text(sign_in_sheet_pdf(course.sessions[0], [tenants.trainee], now=now), tmp_path)
    header = next(line for line in text.splitlines() if "序号" in line)
    assert "签到" in header and "签退" not in header


def test_a_name_no_font_has_is_marked_for_handwriting_not_printed_short(hall, db, tmp_path, now):
    hall.third.name = f"张{RARE}"
    db.session.commit()
    assert printable(hall.third.name) == (f"张{MISSING}", True)
    text = pdf_text(sign_in_sheet_pdf(hall.session, [hall.third], now=now), tmp_path)
    assert f"张{MISSING}" in text and "请手写姓名" in text


def test_sheet_page_is_the_base_admins_only(client, hall, login):
    login(hall.admin_a)
    response = client.get(f"/attendance/sessions/{hall.session.id}/sign-in-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "sign-in-sheet" in client.get(f"/attendance/courses/{hall.course.id}").text
    client.post("/logout")
    login(hall.admin_b)
    assert client.get(f"/attendance/sessions/{hall.session.id}/sign-in-sheet.pdf").status_code == 404
    client.post("/logout")
    login(hall.trainee)
    assert client.get(f"/attendance/sessions/{hall.session.id}/sign-in-sheet.pdf").status_code == 403


# --- bulk 补签 service ---------------------------------------------------------------------------


def bulk(hall, trainees, *, purpose="in", when="09:05", reason="纸质签到表", now=None):
    return services.record_manual_bulk(
        hall.admin_a,
        hall.session,
        trainees,
        purpose=purpose,
        at=at("2025-06-02", when),
        reason=reason,
        now=now or at("2025-06-02", "12:10"),
        policy=DEFAULT_POLICY,
    )


def test_bulk_records_and_audits_each_trainee(hall, db):
    rows = bulk(hall, [hall.trainee, hall.other_trainee, hall.third])
    db.session.commit()
    assert len(rows) == 3 and all(r.check_in_manual and r.check_in_at == at("2025-06-02", "09:05") for r in rows)
    records = db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == "attendance.manual_check_in")).all()
    assert sorted(r.object_id for r in records) == sorted(r.id for r in rows)
    assert {r.reason for r in records} == {"纸质签到表"}


def test_bulk_is_all_or_nothing_and_names_every_bad_row(hall, db, attend, make_trainee):
    attend(hall.session, hall.other_trainee, check_in=at("2025-06-02", "09:00"), check_out=at("2025-06-02", "09:30"))
    stranger = make_trainee(name="孙八")  # not enrolled
    with pytest.raises(ValidationFailed) as refused:
        bulk(hall, [hall.trainee, hall.other_trainee, stranger], purpose="in", when="10:00")
    db.session.rollback()
    message = refused.value.fields["trainee_ids"]
    assert "王五：签到时间不能晚于签退时间" in message and "孙八：您没有报名该培训项目" in message
    assert "李四" not in message and "未保存任何补签" in message
    assert count(db, Attendance, Attendance.check_in_manual.is_(True)) == 0
    assert count(db, AuditRecord, AuditRecord.action.like("attendance.manual%")) == 0


def test_bulk_needs_a_reason_and_a_trainee_and_a_time_in_the_window(hall, db):
    with pytest.raises(ValidationFailed) as no_reason:
        bulk(hall, [hall.trainee], reason="  ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(ValidationFailed) as nobody:
        bulk(hall, [])
    assert "trainee_ids" in nobody.value.fields
    with pytest.raises(ValidationFailed) as late:
        bulk(
            hall, [hall.trainee, hall.other_trainee], when="12:20", now=at("2025-06-02", "12:40")
        )  # check-in closes at the end
    assert set(late.value.fields) == {"at"} and "08:30–12:00" in late.value.fields["at"]  # said once


def test_bulk_refuses_a_finalised_course(hall, db, now):
    hall.course.finalized_at = now
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        bulk(hall, [hall.trainee])
    assert refused.value.code == "course_finalized"


# --- bulk 补签 page -----------------------------------------------------------------------------


def post_bulk(client, hall, trainee_ids, reason="纸质签到表", when="2025-06-02T09:05"):
    return client.post(
        f"/attendance/courses/{hall.course.id}/manual-bulk",
        data={
            "bulk-session_id": hall.session.id,
            "bulk-trainee_ids": trainee_ids,
            "bulk-purpose": "in",
            "bulk-at": when,
            "bulk-reason": reason,
        },
    )


def test_bulk_page_saves_every_ticked_trainee(client, hall, login, clock, db):
    clock.set(at("2025-06-02", "12:10"))
    login(hall.admin_a)
    page = client.get(f"/attendance/courses/{hall.course.id}")
    assert 'name="bulk-trainee_ids"' in page.text and "按签到表批量补签" in page.text
    response = post_bulk(client, hall, [hall.trainee.id, hall.third.id])
    assert response.status_code == 302
    assert count(db, Attendance, Attendance.check_in_manual.is_(True)) == 2
    assert "已为 2 名学员补签" in client.get(response.headers["Location"]).text


def test_bulk_page_errors_in_chinese_and_saves_nothing(client, hall, login, clock, db, make_trainee):
    clock.set(at("2025-06-02", "12:10"))
    login(hall.admin_a)
    no_reason = post_bulk(client, hall, [hall.trainee.id], reason="")
    assert no_reason.status_code == 422 and "补签必须填写原因" in no_reason.text
    assert f'value="{hall.trainee.id}" checked' in no_reason.text  # the ticks are kept
    nobody = post_bulk(client, hall, [])
    assert nobody.status_code == 422 and "请至少勾选一名学员" in nobody.text
    stranger = make_trainee(name="孙八")
    outsider = post_bulk(client, hall, [hall.trainee.id, stranger.id])
    assert outsider.status_code == 422
    huge = post_bulk(client, hall, [2**40])
    assert huge.status_code == 422
    assert count(db, Attendance) == 0


def test_bulk_page_is_the_base_admins_of_the_course(client, hall, login, clock, db):
    clock.set(at("2025-06-02", "12:10"))
    login(hall.admin_b)
    assert post_bulk(client, hall, [hall.trainee.id]).status_code == 404
    client.post("/logout")
    login(hall.officer_a)
    assert post_bulk(client, hall, [hall.trainee.id]).status_code == 403
    assert count(db, Attendance) == 0
