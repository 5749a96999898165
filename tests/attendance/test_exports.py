"""attendance.xlsx (issue 10): names and titles that Excel would run are written as inert text."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from basesys.attendance import exports, services
from tests.conftest import at

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "@SUM(1+1)", "+1-2", "-3", "=cmd|' /C calc'!A0"]


@pytest.fixture
def hostile(make_course, make_trainee, enroll, attend, tenants):
    course = make_course(
        base=tenants.base_a,
        title="=1+1 课程",
        sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))],
    )
    trainees = [make_trainee(name=name) for name in HOSTILE]
    enroll(course, *trainees)
    attend(course.sessions[0], trainees[0], at("2025-06-02", "08:55"), at("2025-06-02", "12:05"))
    return course


def assert_inert(data: bytes):
    sheet = load_workbook(BytesIO(data)).active
    title = sheet["A1"]
    assert title.data_type == "s" and title.value.startswith("=1+1 课程") and title.quotePrefix
    names = [sheet.cell(row=row, column=2) for row in range(3, 3 + len(HOSTILE))]
    assert sorted(cell.value for cell in names) == sorted(HOSTILE)
    for cell in names:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.value, cell.data_type)
        assert sheet.cell(row=cell.row, column=1).value == cell.row - 2  # 序号 stays a number
        hours = sheet.cell(row=cell.row, column=6)
        assert isinstance(hours.value, int | float) and hours.data_type == "n"
    assert not [c.coordinate for line in sheet.iter_rows() for c in line if c.data_type == "f"]


def test_attendance_workbook_writes_hostile_names_as_text(db, hostile):
    lines = services.course_attendance(hostile, services.course_policy(hostile))
    running = {line.trainee.id: services.Completion.RUNNING for line in lines}
    assert_inert(exports.xlsx_response(hostile, lines, running).get_data())


def test_attendance_download_is_inert(db, hostile, tenants, client, clock, login):
    login(tenants.admin_a)
    response = client.get(f"/attendance/courses/{hostile.id}/attendance.xlsx")
    assert response.status_code == 200
    assert_inert(response.data)
